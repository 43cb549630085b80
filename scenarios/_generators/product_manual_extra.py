# ruff: noqa: E501  (hand-written data: long sentences stay on one line)
"""Further chapters of the Halvard DW-600 manual: chemicals, hygiene, technician procedures."""

from __future__ import annotations

HARDNESS = [  # °dH range, softener setting, regeneration every N cycles
    ("0-7", "softener off", "-"),
    ("8-10", "10 °dH", "every 180 cycles"),
    ("11-14", "14 °dH", "every 120 cycles"),
    ("15-18", "18 °dH", "every 90 cycles"),
    ("19-24", "24 °dH", "every 60 cycles"),
    ("25-30", "30 °dH", "every 40 cycles"),
]

CHEMICALS = """# Chemicals and Water Treatment

The DW-600 series doses detergent and rinse aid automatically from containers standing next to the
machine. Use only low-foaming liquid detergents and rinse aids approved for commercial dishwashers.
Chlorinated detergents may be used on the DW-610 and DW-620 but not on the DW-640H, whose booster
element is made of a nickel alloy that chlorine attacks at high temperature.

## Detergent

The detergent dose is set under Settings > Dosing > Detergent in millilitres per litre of tank water.
The factory default of 2.5 ml per litre suits medium soil and soft to medium water. Heavy soil, such
as baking trays and starch residues, may need up to 3.5 ml per litre; lightly soiled glasses are
washed well with 2.0 ml per litre. Higher doses than 3.5 ml per litre do not improve the result and
leave a film that attracts scale.

Each time the machine refills the tank it adds a full dose; between cycles it tops up in proportion
to the fresh rinse water that enters the tank. A container of 5 litres therefore lasts about 1,400
cycles at the default dose, depending on the load.

## Rinse aid

Rinse aid lowers the surface tension of the final rinse so the water runs off and the dishes dry
without spots. The default dose is 0.3 ml per litre under Settings > Dosing > Rinse Aid, adjustable
from 0.2 to 0.4 ml per litre. Too little rinse aid leaves water drops that dry into spots; too much
leaves streaks and a sticky feel on glasses.

## Changing containers

When the suction lance reports an empty container the machine shows E31 (detergent) or E32 (rinse
aid) and keeps washing for 10 more cycles with a reduced result. Put the lance into the new container,
making sure the red lance goes into the detergent and the blue lance into the rinse aid, then run
Settings > Dosing > Prime Pumps so the tubes are filled before the next cycle.

## Water hardness and the softener

Hard water leaves scale on the heaters, the wash arms and the dishes. The built-in softener
regenerates its resin with salt at intervals that depend on the hardness you enter under
Settings > Water > Hardness. Measure the hardness with the test strips supplied and enter the
measured value; the table shows the resulting regeneration interval.

| Incoming hardness | Setting | Regeneration |
|---|---|---|
{hardness_rows}

Use only coarse regeneration salt with a grain of 1 to 4 mm. Table salt and fine salt clog the brine
valve and cause E36. The salt container holds 1.2 kg, enough for about ten regenerations at medium
hardness.

## Descaling

Even with a softener, a thin layer of scale builds up over time. Descale with Halvard DS-2 descaler
using the guided program Service > Maintenance > Descale. The program takes 40 minutes and asks for
the descaler at the right moment. Do not use vinegar or citric acid from the kitchen: they attack
the stainless steel welds and the pump seals, and their use voids the warranty.
"""

HYGIENE = """# Hygiene, HACCP and Halvard Connect

## Temperatures that make dishes safe

A commercial dishwasher sanitises by heat. The DW-600 series washes at 62 °C and rinses with fresh
water at 82 °C or more (84 °C on the DW-640H). The rinse temperature is the critical control point:
if it stays below 80 °C for three cycles in a row the machine shows E27, and with Hygiene Lock on it
does not start the rinse until the water is hot enough (E82 while it waits).

## Hygiene Lock

Hygiene Lock is switched under Settings > Hygiene > Hygiene Lock. It is on by default on the DW-640H,
because that model heats its own rinse water and can always reach the temperature. On the DW-610 and
DW-620 it is off by default: these models depend on the building's hot water, and a lock would stop
the kitchen whenever the supply runs cold. Sites that follow a HACCP plan requiring a guaranteed rinse
temperature should switch it on and make sure the supply delivers 60 °C.

## The HACCP log

With Settings > Hygiene > HACCP Log on (the default), the machine records for every cycle the date,
time, cycle type, wash temperature, rinse temperature and any error code. The log keeps the last
10,000 cycles. Export it as a CSV file to a FAT32 USB stick with Settings > Hygiene > Export Log;
the file is named after the serial number and the export date. Inspectors usually ask for the last
three months of records.

## Halvard Connect

Machines with firmware 4.2 or later can send their log and error codes to Halvard Connect, the
service partner's web portal. Connect the machine to a 2.4 GHz Wi-Fi network under Service > System >
Network; 5 GHz networks are not supported. Halvard Connect shows the machine's status, alerts the
partner when an error repeats and lets the partner plan the annual service before E77 appears.
No dish photos or personal data are transmitted; only counters, temperatures and error codes.
"""

PROCEDURES = [
    (
        "Replacing the door seal",
        "technician",
        [
            "Switch off at the isolator and open the door fully.",
            "Pull the old seal (HV-1150) out of its groove, starting at a corner.",
            "Clean the groove with warm water and a soft brush; do not use a scraper.",
            "Press the new seal into the groove starting at the top centre and work outwards to both sides.",
            "Close the door and check with a sheet of paper that the seal grips evenly all around.",
        ],
        "A seal that is stretched while fitting leaves a gap at the lower corners, which shows as water "
        "on the floor after a few days.",
    ),
    (
        "Replacing the wash arm bearings",
        "technician",
        [
            "Remove the racks and unscrew the wash arm hub nut.",
            "Pull the arm off its shaft and press out the old bearing (kit HV-4415).",
            "Press in the new bearing with the shoulder facing up.",
            "Refit the arm and tighten the hub nut to 6 N·m.",
            "Spin the arm by hand: it must turn freely at least three full turns.",
        ],
        "Worn bearings make the arm wobble; the jets then miss parts of the rack and E67 appears.",
    ),
    (
        "Replacing the booster heater element (DW-640H)",
        "technician",
        [
            "Switch off at the isolator, lock it and wait 10 minutes.",
            "Drain the booster through the service valve at its base.",
            "Disconnect the element wires and note their positions.",
            "Remove the flange nuts and pull the element out with its gasket.",
            "Fit the new element with a new gasket and tighten the flange nuts crosswise to 9 N·m.",
            "Refill, check for leaks and run Service > Diagnostics > Output Test.",
        ],
        "Overtightening the flange nuts deforms the gasket and causes a slow leak that triggers E46.",
    ),
    (
        "Replacing the tank probe",
        "technician",
        [
            "Drain the tank and switch off at the isolator.",
            "Disconnect the probe plug on the main board.",
            "Unscrew the probe gland and pull out the probe (HV-3114).",
            "Fit the new probe and tighten the gland to 1.5 N·m.",
            "Check the reading in Service > Diagnostics > Sensor Readout against a reference thermometer.",
        ],
        "A reading more than 2 °C away from the reference thermometer means the probe is not seated.",
    ),
    (
        "Replacing the drain pump (DW-620, DW-640H)",
        "technician",
        [
            "Drain the tank, switch off and disconnect the drain hose.",
            "Remove the three mounting screws and lift out the pump.",
            "Fit the new pump and tighten the mounting screws to 3.5 N·m.",
            "Reconnect the hose and tighten the clamp to 2.5 N·m.",
            "Run Service > Diagnostics > Drain Test; the tank must be empty in under 60 seconds.",
        ],
        "A drain test above 60 seconds after replacement usually points to a kinked hose, not the pump.",
    ),
    (
        "Updating the firmware",
        "technician",
        [
            "Format a USB stick as FAT32.",
            "Copy the firmware file to the root folder and name it HV600.BIN.",
            "Insert the stick into the port behind the front panel.",
            "Open Service > System > Firmware Update with the technician code and confirm.",
            "Wait until both boards have restarted; do not switch off during the update.",
        ],
        "If the update stops with E85 the file or the stick format is wrong; the old firmware stays active.",
    ),
    (
        "Adjusting the door latch",
        "technician",
        [
            "Open the door and loosen the two latch screws.",
            "Move the latch plate until the door closes with light pressure.",
            "Tighten the latch screws to 5 N·m.",
            "Close the door ten times and check that E41 does not appear.",
        ],
        "Always level the machine before adjusting the latch; otherwise the latch drifts again.",
    ),
]


def chemicals() -> str:
    rows = "\n".join(f"| {a} °dH | {b} | {c} |" for a, b, c in HARDNESS)
    return CHEMICALS.replace("{hardness_rows}", rows)


def hygiene() -> str:
    return HYGIENE


def procedures() -> str:
    out = [
        "# Technician Procedures",
        "",
        "These procedures are for authorised Halvard service partners. Switch the machine off at "
        "the isolator before opening any panel and use the torque values in the Parts chapter.",
        "",
    ]
    for title, _, todo, note in PROCEDURES:
        out += [f"## {title}", ""]
        out += [f"{i}. {s}" for i, s in enumerate(todo, 1)]
        out += ["", f"Note: {note}", ""]
    return "\n".join(out)


WARRANTY_TERMS = """## Conditions of the warranty

The warranty covers defects in material and workmanship that appear under normal commercial use. It
starts on the installation date recorded on the Halvard Pro portal. If the machine is not registered
within 30 days of installation, the warranty starts on the shipment date printed on the delivery note
instead, and the shorter term applies.

The following are not covered: damage from scale where the water is harder than 7 °dH and the
softener was switched off or not supplied with salt; damage from chlorinated detergents on the
DW-640H; damage from descalers other than Halvard DS-2; frost damage; damage caused by moving the
machine without draining it; wear parts (the door seal, wash arm bearings, filters and dosing tubes);
glass breakage; and consequential losses such as lost business while the machine is out of service.

## Service plans

Halvard service partners offer three service plans that extend the cover beyond the warranty.
**Care Basic** includes the annual service and the E77 reset at a fixed price. **Care Plus** adds
wear parts and a response within 2 working days all year. **Care Total** adds all parts and labour
for up to five years from installation, with a loan machine when a repair takes longer than 3
working days. Plans can be bought at any time during the warranty period; after it ends, the partner
first inspects the machine and may require repairs before accepting it into a plan.

## Spare parts availability

Halvard keeps spare parts for the DW-600 series available for at least 10 years after the end of
production. Parts that are no longer produced are replaced by a compatible successor part; the
service partner receives a conversion note with it when wiring or firmware must be adapted.

## Transport and storage

Store and transport the machine upright. If it has been used, drain it with Service > Diagnostics >
Drain Test, disconnect the hoses and leave the door ajar before moving it. Machines that were
transported lying down must stand upright for 2 hours before switching on so that oil in the pump
bearings can settle.
"""

GLOSSARY = [
    (
        "Booster",
        "the separate heater tank of the DW-640H that heats the final rinse water to 84 °C",
    ),
    (
        "Cycle counter",
        "the number of cycles since manufacture, shown under Service > Counters > Cycle Counter",
    ),
    (
        "dH (German degrees of hardness)",
        "the unit of water hardness used in this manual; 1 °dH equals 17.8 mg of calcium carbonate per litre",
    ),
    (
        "Dosing lance",
        "the suction tube with a float that stands in a chemical container and reports when it is empty",
    ),
    ("DS-2", "the Halvard descaler approved for the DW-600 series"),
    (
        "Halvard Connect",
        "the service partner portal that receives status data from machines with Wi-Fi",
    ),
    (
        "Halvard Pro portal",
        "the website where installers register machines to activate the warranty",
    ),
    (
        "HACCP",
        "Hazard Analysis and Critical Control Points, the food safety method that relies on recorded rinse temperatures",
    ),
    ("Hygiene Lock", "the function that holds the rinse until the water reaches 82 °C"),
    ("Isolator", "the all-pole wall switch that disconnects the machine from the mains supply"),
    (
        "Peak Shaving",
        "the function that limits the heating power so the kitchen stays under its electrical limit",
    ),
    (
        "Regeneration",
        "the cleaning of the softener resin with salt water, at intervals set by the hardness",
    ),
    ("Rinse arm", "the upper and lower arms that spray fresh hot water at the end of each cycle"),
    ("Self Clean", "the end-of-day program that rinses and drains the tank"),
    (
        "Service partner",
        "a company authorised by Halvard to install, repair and maintain the machines",
    ),
    ("Technician code", "the four-digit code that opens the protected Service menu items"),
    ("Wash arm", "the rotating arms that spray recirculated wash water from the tank"),
]

MAINT_WHY = {
    "clean the tank filters": "Blocked filters starve the wash pump, which then cavitates and washes with less pressure; the first sign is food left on the rims of plates.",
    "run Self Clean": "Self Clean drains the dirty tank water so bacteria do not grow overnight, and rinses fat from the tank walls before it hardens.",
    "clean the wash and rinse arms": "Each blocked jet leaves a stripe of the rack unwashed, and an unbalanced arm wears its bearing faster and triggers E67.",
    "clean the inlet filter": "The inlet filter catches sand and scale from the supply; when it clogs, filling slows down until E01 appears.",
    "clean the drain pump impeller": "Fibres from napkins and labels wrap around the impeller over time and slow down draining until E03 or E71 appears.",
    "descale tank and booster": "Scale insulates the heaters, so they need longer to heat and finally burn out; the booster element on the DW-640H is most at risk.",
    "replace the dosing tubes": "The tubes harden from the chemicals and stop sealing in the pump, so the dose drops without any visible sign until E34 appears.",
    "replace the door seal": "A hardened seal lets steam and water escape at the corners, which damages the worktop and can trigger the leak sensor.",
    "replace the wash arm bearings": "Worn bearings let the arms wobble and lose speed, so the spray pattern no longer covers the whole rack.",
    "annual service": "The annual service checks the safety functions that the operator cannot test, such as the door switches and the temperature cut-outs.",
    "replace the clock battery": "Without a working clock the HACCP log records wrong times after every power cut, and inspectors may reject the records.",
    "check the softener salt": "Without salt the softener cannot regenerate, the water turns hard and scale starts to build up within days.",
}


def glossary() -> str:
    out = ["# Glossary", "", "Terms used in this manual, in alphabetical order.", ""]
    for term, meaning in GLOSSARY:
        out += [f"**{term}**: {meaning}.", ""]
    return "\n".join(out)
