# ruff: noqa: E501  (hand-written data: long sentences stay on one line)
"""product-manual: the Halvard DW-600 service manual (knowledge/) and questions only it answers."""

from __future__ import annotations

import re

from common import chat, folder, rng, split, write_jsonl
from product_manual_data import (
    ERRORS,
    MAINTENANCE,
    MENU,
    MODELS,
    SPECS,
    TECH_CODE,
    TORQUE,
    WARRANTY,
)
from product_manual_extra import (
    MAINT_WHY,
    WARRANTY_TERMS,
    chemicals,
    glossary,
    hygiene,
    procedures,
)

SYSTEM = (
    "You are the Halvard service assistant for DW-600 series dishwashers. Answer in one or two "
    "sentences with the exact value, code or menu path from the manual."
)
WHO = {
    "operator": "the operator",
    "technician": "an authorised technician",
    "automatic": "nobody: the machine clears it by itself",
}
F_SPECS = "01-overview-and-specifications.md"
F_INSTALL = "02-installation.md"
F_MENUS = "03-operation-and-menus.md"
F_MAINT = "04-cleaning-and-maintenance.md"
F_ERRORS = "05-error-codes.md"
F_TROUBLE = "06-troubleshooting.md"
F_PARTS = "07-parts-and-torque-values.md"
F_WARRANTY = "08-warranty-and-service.md"
F_CHEM = "09-chemicals-and-water.md"
F_HYGIENE = "10-hygiene-and-haccp.md"
F_PROC = "11-technician-procedures.md"
F_GLOSSARY = "12-glossary.md"


def strict(pattern: str) -> str:
    """Case-insensitive, and numbers must not match inside others ("5 N" inside "3.5 N")."""
    return "(?i)" + re.sub(r"^\\b(?=\d)", r"(?<![\\d.,])", pattern)


def steps(items: list[str]) -> str:
    return "\n".join(f"{i}. {s[0].upper() + s[1:]}." for i, s in enumerate(items, 1))


# --- the manual ------------------------------------------------------------------------


def overview() -> str:
    out = [
        "# Halvard DW-600 Series Undercounter Dishwashers: Overview and Specifications",
        "",
        "Document HV-SM-600, revision 7. This service manual covers the DW-610, DW-620 and "
        "DW-640H undercounter dishwashers built from production week 2318 onward. Machines with "
        "an earlier serial number use revision 5 of this manual, which differs in the menu layout "
        "and in several error codes. Keep this manual next to the machine and hand it to the "
        "technician at every service visit.",
        "",
        "## The models",
        "",
    ]
    for model, text in MODELS.items():
        out.append(f"- **{model}**: {text}.")
    out += [
        "",
        "All three models share the same tank, wash system, rack size and control panel. "
        "The suffix H marks the high-temperature model, which heats its own rinse water and can "
        "therefore run on a cold water supply. The DW-610 relies on hot water from the building "
        "and reaches its rinse temperature only when the supply is at least 60 °C.",
        "",
        "## Safety",
        "",
        "The machine works with water at up to 84 °C, chemicals that irritate skin and eyes, and "
        "mains voltage. Only the operator tasks named in this manual may be carried out by kitchen "
        "staff; every task marked *technician* requires an authorised Halvard service partner. "
        "Before opening any panel, switch the machine off at the wall isolator and wait 10 minutes "
        "for the heaters to cool. Wear the gloves and goggles named on the chemical labels when "
        "changing containers. Never spray the machine with a hose: the control panel is rated IPX4 "
        "and the base is not sealed against jets.",
        "",
        "## Technical data",
        "",
        "| Model | Item | Value |",
        "|---|---|---|",
    ]
    for model, name, value, _ in SPECS:
        out.append(f"| {'all models' if model == 'all' else model} | {name} | {value} |")
    out += ["", "## Notes on the technical data", ""]
    notes = [
        "The {name} of {who} is {value}. This figure was measured under the test conditions of "
        "EN 50242 with a full rack of plates.",
        "For {who}, the {name} is {value}. Plan the site installation around this value; it is also "
        "printed on the rating plate inside the door.",
        "{Who} has a {name} of {value}. Service partners record this value on the commissioning "
        "sheet so that later measurements can be compared with it.",
    ]
    for i, (model, name, value, _) in enumerate(SPECS):
        who = "every DW-600 series model" if model == "all" else f"the {model}"
        text = notes[i % 3].format(name=name, who=who, Who=who[0].upper() + who[1:], value=value)
        out += [text, ""]
    out += [
        "## Cycles",
        "",
        "Three cycles are available from the start screen. **Short** (90 seconds) is for glasses "
        "and lightly soiled cups. **Normal** (120 seconds) suits plates and cutlery from regular "
        "service. **Intensive** (180 seconds) is for pans, trays and dried-on food. The cycle "
        "time can grow when Hygiene Lock holds the rinse until the water is hot enough; the "
        "display then shows a thermometer symbol and, if the wait is long, error E82.",
        "",
    ]
    return "\n".join(out)


def installation() -> str:
    t = {p: v for p, _, v, _ in TORQUE}
    sections = [
        (
            "Site requirements",
            [
                "Install the machine on a level floor that carries at least 150 kg including the worktop "
                "above it. Keep 50 mm free behind the machine for the cooling vents of the main board; "
                "a machine pushed against the wall overheats its electronics and shows E93 on hot days.",
                "The room temperature must stay between 5 °C and 40 °C. Frost damages the inlet valve and "
                "the flow meter, so a machine in an unheated room must be drained with the Drain Test "
                "before winter closure.",
                "Do not install the machine directly beside a fryer, oven or grill. Radiant heat on the "
                "side panel raises the board temperature and shortens the life of the door seal.",
            ],
        ),
        (
            "Water supply",
            [
                "Connect the machine to drinking water with the supplied 1.5 m inlet hose and a "
                "3/4 inch tap with a backflow preventer. The inlet pressure must be between 1.5 bar and "
                "6.5 bar while the valve is open; below 1.5 bar the machine fills too slowly and shows "
                "E01, above 6.5 bar a pressure reducer is required.",
                "The DW-610 and DW-620 need hot water at 60 °C to reach the 82 °C rinse. The DW-640H "
                "can run on cold or hot water; with cold water its booster needs longer between cycles, "
                "and Peak Shaving should be set to match the site supply.",
                f"Tighten the inlet valve union to {t['inlet valve union']}. Overtightening cracks the "
                "plastic valve body; the crack often shows only weeks later as error E46 (leak).",
                "If the water hardness is above 7 °dH the built-in softener must be switched on and the "
                "measured hardness entered under Settings > Water > Hardness. Running without a softener "
                "on harder water voids the heater warranty.",
            ],
        ),
        (
            "Drain",
            [
                "The DW-610 drains by gravity: the drain hose must fall continuously to a floor drain or "
                "trap no higher than the base of the machine. The DW-620 and DW-640H have a drain pump "
                "that lifts waste water up to 1.1 m, so they can drain into a sink trap or a wall outlet.",
                f"Fix the drain hose with the supplied clamp and tighten it to {t['drain hose clamp']}. "
                "Never shorten the hose below 1 m on pumped models: the pump needs the hose volume to "
                "avoid siphoning the tank empty during the wash.",
            ],
        ),
        (
            "Electrical connection",
            [
                "The electrical connection must be made by a qualified electrician in line with local "
                "regulations. Fit an all-pole isolator with at least 3 mm contact gap within reach of "
                "the machine.",
                "The DW-610 and DW-620 are single-phase machines for 230 V with a 1 x 20 A fuse. The "
                "DW-640H is a three-phase machine for 400 V 3N with 3 x 16 A fuses; a missing phase shows "
                "as E62, or as E23 when the booster cannot heat.",
                f"Tighten the supply terminal screws to {t['supply terminal screws']} and the earth "
                f"terminal screw to {t['earth terminal screw']}. Connect the equipotential bonding "
                "terminal at the back to the building's bonding conductor.",
            ],
        ),
        (
            "Levelling and fixing",
            [
                "Adjust the four feet so the machine stands level front to back and side to side; check "
                "with a spirit level on the tank rim. The door closes reliably only on a level machine, "
                "and an unlevel machine is the most common cause of E41 door lock faults after "
                f"installation. Lock each foot with its lock nut at {t['levelling foot lock nuts']}.",
                "Under a worktop, fix the machine with the two worktop brackets supplied, tightened to "
                f"{t['worktop fixing brackets']}. The brackets stop the machine from tipping forward "
                "when a full rack is pulled out.",
            ],
        ),
        (
            "Commissioning",
            [
                "Commissioning is done by the installer or a Halvard service partner. Switch on, choose "
                "the language, and set the date and time under Settings > System > Date & Time; the "
                "HACCP log depends on the clock.",
                "Enter the water hardness, the expected inlet temperature and the chemical doses. Prime "
                "the dosing pumps with Settings > Dosing > Prime Pumps until liquid reaches the tank.",
                "Run one Normal cycle empty and read the rinse temperature in Service > Diagnostics > "
                "Sensor Readout. Record it with the serial number on the commissioning sheet, then "
                "register the machine on the Halvard Pro portal within 30 days to activate the warranty.",
                f"The service menu is opened with the technician code {TECH_CODE}. Do not give this code "
                "to kitchen staff: it unlocks factory reset, counter resets and firmware updates.",
            ],
        ),
    ]
    out = [
        "# Installation",
        "",
        "This chapter is for installers and service partners. The machine must be installed as "
        "described here; damage caused by incorrect installation is not covered by the warranty.",
        "",
    ]
    for title, paras in sections:
        out += [f"## {title}", ""]
        for p in paras:
            out += [p, ""]
    return "\n".join(out)


def menus() -> str:
    out = [
        "# Operation and Menus",
        "",
        "## Daily operation",
        "",
        "Switch the machine on with the power key. The tank fills and heats; on the DW-640H the "
        "booster heats as well. The start screen shows the tank and rinse temperatures and turns "
        "both green when the machine is ready. Scrape food into the bin, load the rack, close the "
        "door and press the cycle key. Do not pre-wash with detergent: foam from hand detergent "
        "makes the wash pump cavitate and leaves streaks.",
        "",
        "At the end of the day, remove the racks, run Self Clean, take out the tank filters and "
        "leave the door ajar overnight so the tank can dry.",
        "",
        "## Menu structure",
        "",
        "Press and hold the menu key for two seconds to open the menu. The **Settings** branch "
        f"is open to everyone. The **Service** branch asks for the technician code ({TECH_CODE}) "
        "except for Diagnostics > Drain Test, Diagnostics > Rinse Prime and the Maintenance "
        "programs, which operators may run. Menu paths in this manual are written with '>' "
        "between levels, for example Settings > Dosing > Rinse Aid.",
        "",
    ]
    forms = [
        "**{path}** sets the {what}. Factory default: {default}. Allowed values: {range}.",
        "Under **{path}** you find the {what}. It ships set to {default}; the range is {range}.",
        "**{path}**: {what}. Default {default}, adjustable {range}.",
    ]
    for i, (path, what, default, rng_) in enumerate(MENU):
        branch = path.split(" > ")[1] if path.count(">") > 1 else path.split(" > ")[0]
        out.append(f"### {path}")
        out.append("")
        if default == "-":
            out.append(f"**{path}** runs the {what}" + (f" ({rng_})." if rng_ != "-" else "."))
        else:
            out.append(forms[i % 3].format(path=path, what=what, default=default, range=rng_))
        out.append("")
        out.append(
            f"This item belongs to the {branch} group. Changes take effect at the start of the next "
            "cycle and are written to the event log with the time and the user level that made them."
            if i % 2 == 0
            else f"Use the arrow keys to reach it from the {branch} group and confirm with the tick key; "
            "the menu closes by itself after 60 seconds without a key press."
        )
        out.append(
            "Settings made here are kept through power cuts and firmware updates; only Service > "
            "System > Factory Reset returns them to the defaults. Record any change on the "
            "commissioning sheet so that a service partner can see why the machine behaves "
            "differently from the factory setup."
            if i % 3 == 0
            else "Operators can change this item without the technician code. If the machine belongs to a "
            "chain, check the group's standard settings before changing it, because Halvard Connect "
            "reports deviations from the standard to the service partner."
            if i % 3 == 1
            else "The current value is also shown in the status screen, which opens with a short press "
            "of the menu key. A padlock symbol next to an item means that Service > System > Factory "
            "Reset or a chain profile has locked it."
        )
        out.append("")
    return "\n".join(out)


def maintenance() -> str:
    out = [
        "# Cleaning and Maintenance",
        "",
        "Regular care keeps the wash results consistent and prevents most error codes. Operator "
        "tasks need no tools except those supplied with the machine. Technician tasks must be done "
        "by a Halvard service partner; they are listed here so the site can plan them.",
        "",
        "| Task | Interval | Done by |",
        "|---|---|---|",
    ]
    for task, interval, who, _, _ in MAINTENANCE:
        out.append(f"| {task} | {interval} | {who} |")
    out.append("")
    for task, interval, who, todo, _ in MAINTENANCE:
        out += [
            f"## {task[0].upper() + task[1:]}",
            "",
            f"Interval: {interval}. Carried out by {WHO[who] if who != 'automatic' else 'the machine'}.",
            "",
            f"Why: {MAINT_WHY[task]}",
            "",
            steps(todo),
            "",
            "Skipping this task is a frequent cause of poor results and service calls. Note the "
            "date in the maintenance log on the inside of the front panel so the next person "
            "on shift can see when it was last done.",
            "",
        ]
    return "\n".join(out)


BACKGROUND = [
    "How the check works: the controller watches for this condition in every cycle phase. When "
    "{when}, it stops the pumps and heaters, logs {code} with the cycle counter and keeps the door "
    "unlocked so the load can be taken out safely.",
    "Background: {code} ({title}) protects the machine and the wash result. The condition is checked "
    "again at every start, so the code comes back until the cause is removed, even after switching "
    "the machine off and on.",
    "Why it matters: a machine that keeps running while {when} can damage pumps or heaters, or wash "
    "without reaching safe temperatures. That is why {code} interrupts the cycle instead of only "
    "showing a warning.",
    "Good to know: {code} is recorded in the HACCP log with the temperatures of the interrupted cycle. "
    "Service partners read the pattern of {title} events in Halvard Connect to plan repairs before "
    "the machine stops during service.",
]


def errors() -> str:
    out = [
        "# Error Codes",
        "",
        "When the machine detects a fault it stops the cycle, shows the code on the display and "
        "sounds three beeps. The last 50 codes are kept under Service > System > Error History. "
        "Each code below lists when it appears, the likely causes, what to do and who may reset "
        "it. Codes marked *automatic* clear by themselves once the cause is gone.",
        "",
    ]
    tails = [
        "If the code returns after the reset, write down the cycle counter and call your service partner.",
        "If the same code appears more than three times in one day, stop using the machine and call service.",
        "Report the code together with the serial number (HV6-YYWW-#####) when you call service.",
    ]
    for i, (code, title, when, causes, todo, who, _) in enumerate(ERRORS):
        out += [
            f"## {code}: {title}",
            "",
            f"**{code}** appears when {when}.",
            "",
            "Likely causes:",
            "",
        ]
        out += [f"- {c[0].upper() + c[1:]}." for c in causes]
        out += [
            "",
            BACKGROUND[i % len(BACKGROUND)].format(code=code, title=title.lower(), when=when),
            "",
        ]
        out += [
            "What to do:",
            "",
            steps(todo),
            "",
            f"Reset: {WHO[who]}"
            + (
                "."
                if who == "automatic"
                else " resets the code by holding the tick key for 3 seconds."
            ),
            tails[i % 3],
            "",
        ]
    return "\n".join(out)


def troubleshooting() -> str:
    cases = [
        (
            "Dishes are not clean",
            [
                "the tank filters are blocked",
                "wash arm jets are blocked",
                "the detergent dose is below 2.0 ml per litre",
                "the Short cycle is used for heavy soil",
            ],
            "Clean filters and arms, check the dose under Settings > Dosing > Detergent and choose Intensive for pans.",
        ),
        (
            "Glasses have streaks or spots",
            [
                "the rinse aid dose is wrong",
                "the water is harder than the hardness setting",
                "hand detergent foam entered the tank",
            ],
            "Set rinse aid between 0.2 and 0.4 ml per litre, measure the water hardness and correct Settings > Water > Hardness.",
        ),
        (
            "White film on the tank and dishes",
            ["scale from hard water", "the softener has no salt"],
            "Refill coarse salt, run Regenerate and descale with Halvard DS-2.",
        ),
        (
            "Dishes stay wet",
            ["the rinse temperature is too low", "rinse aid is empty (E32)"],
            "Check the rinse temperature in Sensor Readout; it must reach 82 °C. Refill rinse aid.",
        ),
        (
            "The machine smells bad",
            ["the tank is not drained at night", "food is trapped under the filters"],
            "Run Self Clean every evening and leave the door ajar.",
        ),
        (
            "Cycles take much longer than stated",
            [
                "Hygiene Lock waits for the rinse temperature",
                "Peak Shaving limits heating",
                "the supply water is cold (DW-610, DW-620)",
            ],
            "Check the inlet temperature setting and the Peak Shaving limit under Settings > Energy.",
        ),
        (
            "Water stays in the tank after draining",
            ["the drain filter is blocked", "the drain hose is kinked"],
            "Clean the drain filter and run Service > Diagnostics > Drain Test; it should pass in under 60 seconds.",
        ),
        (
            "Noise during the wash",
            ["cutlery touches the wash arm", "glass in the wash pump"],
            "Check loading; if the noise continues, drain, switch off and clear the pump intake.",
        ),
        (
            "The display is blank",
            ["the isolator is off", "a fuse has blown"],
            "Check the isolator and fuses; call an electrician if a fuse blows again.",
        ),
        (
            "Foam in the tank",
            ["pre-wash with hand detergent", "wrong detergent type"],
            "Use only low-foaming machine detergent; drain and refill the tank.",
        ),
        (
            "Door is hard to close",
            ["the machine is not level", "the latch is misaligned"],
            "Level the machine and adjust the latch; latch screws are tightened to 5 N·m.",
        ),
        (
            "Water on the floor",
            ["a loose hose clamp", "a worn door seal"],
            "Check clamps, replace the door seal if torn, and see E46.",
        ),
    ]
    out = [
        "# Troubleshooting",
        "",
        "This chapter starts from what you see rather than from an error code. Work through the "
        "causes in order: they are sorted from most to least common.",
        "",
    ]
    for title, causes, fix in cases:
        out += [f"## {title}", "", "Possible causes:", ""]
        out += [f"- {c[0].upper() + c[1:]}." for c in causes]
        out += [
            "",
            f"Remedy: {fix}",
            "",
            "If the remedy does not help, note the cycle type, the temperatures shown in Service > "
            "Diagnostics > Sensor Readout and the last entries of the Error History before you call "
            "your service partner; they shorten the visit considerably.",
            "",
        ]
    return "\n".join(out)


def parts() -> str:
    out = [
        "# Parts and Torque Values",
        "",
        "Use only genuine Halvard parts. Tighten fasteners with a calibrated torque wrench to the "
        "values below; the plastic parts of the tank and pumps crack when overtightened, and "
        "loose fasteners cause leaks and vibration.",
        "",
        "| Part | Part number | Torque |",
        "|---|---|---|",
    ]
    for part, number, torque, _ in TORQUE:
        out.append(f"| {part} | {number} | {torque} |")
    out.append("")
    forms = [
        "The {part} (part {number}) is tightened to {torque}. Check it again after the first 50 cycles "
        "following a repair.",
        "Tighten the {part}, part number {number}, to {torque}. Always replace self-locking nuts "
        "once they have been removed.",
        "For the {part} ({number}) the specified torque is {torque}. Use a new sealing washer "
        "where one is fitted.",
    ]
    for i, (part, number, torque, _) in enumerate(TORQUE):
        out += [
            f"## {part[0].upper() + part[1:]}",
            "",
            forms[i % 3].format(part=part, number=number, torque=torque),
            "",
        ]
    out += [
        "## Other spare parts",
        "",
        "Tank probe HV-3114, booster probe HV-3121, flow meter HV-2274, dosing tube set HV-5340, "
        "door seal HV-1150, wash arm bearing kit HV-4415 and the Halvard DS-2 descaler (5 litre "
        "can) are available from every service partner. The clock battery is a standard CR2032 "
        "cell.",
        "",
    ]
    return "\n".join(out)


def warranty() -> str:
    out = [
        "# Warranty and Service",
        "",
        "Halvard grants the warranty below in addition to the buyer's statutory rights. It applies "
        "to machines installed and registered as described in this manual.",
        "",
    ]
    for question, answer, _ in WARRANTY:
        out += [f"## {question}", "", answer, ""]
    out += [
        WARRANTY_TERMS,
        "## Making a claim",
        "",
        "Call your Halvard service partner with the serial number, the installation date and the "
        "error history. The partner checks the registration on the Halvard Pro portal. Faults "
        "caused by scale, wrong chemicals, incorrect installation or missing maintenance are "
        "charged at the partner's normal rates.",
        "",
    ]
    return "\n".join(out)


# --- questions -------------------------------------------------------------------------


def questions(r) -> list[dict]:
    rows = []

    def add(group, prompt, answer, key_fact, pattern, source):
        rows.append(
            {
                "group": group,
                "prompt": prompt,
                "answer": answer,
                "key_fact": key_fact,
                "key_pattern": strict(pattern),
                "source": source,
            }
        )

    for model, name, value, pattern in SPECS:
        who = "a DW-600 series machine" if model == "all" else f"the {model}"
        q = r.choice(
            ["What is the {n} of {w}?", "What {n} does {w} have?", "Tell me the {n} for {w}."]
        )
        add(
            f"spec:{model}:{name}",
            q.format(n=name, w=who),
            f"The {name} of {who} is {value}.",
            value,
            pattern,
            F_SPECS,
        )
    for code, title, when, _causes, _todo, who, pattern in ERRORS:
        q1 = r.choice(
            [
                "What does error {c} mean on a DW-600?",
                "My DW-600 shows {c}. What is that?",
                "What is error code {c}?",
            ]
        ).format(c=code)
        add(
            f"err:{code}",
            q1,
            f'{code} is "{title}": it appears when {when}.',
            title,
            pattern,
            F_ERRORS,
        )
        q2 = r.choice(
            ["Which error code does the DW-600 show when {w}?", "What code appears if {w}?"]
        ).format(w=when)
        add(f"err:{code}", q2, f"That is {code} ({title}).", code, rf"\b{code}\b", F_ERRORS)
        if who != "automatic":
            q3 = f"Who is allowed to reset error {code}?"
            add(f"err:{code}", q3, f"{code} is reset by {WHO[who]}.", who, who, F_ERRORS)
    for path, what, default, _range in MENU:
        leaf = path.split(" > ")[-1]
        path_pattern = r"\s*>\s*".join(
            re.escape(p).replace(r"\ ", r"\s+") for p in path.split(" > ")[-2:]
        )
        if default == "-":
            q = r.choice(
                [
                    "Which menu item runs the program that {w}?",
                    "Where do I start the {l} program?",
                    "What is the menu path for the {l} function?",
                ]
            )
        else:
            q = r.choice(
                [
                    "Where do I set the {w}?",
                    "Which menu path controls the {w}?",
                    "Where is the {l} setting in the menu?",
                ]
            )
        add(f"menu:{path}", q.format(w=what, l=leaf), f"Open {path}.", path, path_pattern, F_MENUS)
        if default not in ("-", "On", "Off") and len(default) < 40:
            q = f"What is the factory default of {leaf}?"
            add(
                f"menu:{path}",
                q,
                f"{path} defaults to {default}.",
                default,
                re.escape(default.split(" (")[0]).replace(r"\ ", r"\s*"),
                F_MENUS,
            )
    for part, number, torque, pattern in TORQUE:
        q = r.choice(
            [
                "What torque do I use for the {p}?",
                "How tight should the {p} be?",
                "Torque value for the {p}?",
            ]
        ).format(p=part)
        add(
            f"torque:{part}",
            q,
            f"Tighten the {part} ({number}) to {torque}.",
            torque,
            pattern,
            F_PARTS,
        )
        q = f"What is the part number of the {part}?"
        add(
            f"torque:{part}", q, f"The {part} is part {number}.", number, re.escape(number), F_PARTS
        )
    for task, interval, _who, _, pattern in MAINTENANCE:
        q = r.choice(["How often should I {t}?", "What is the interval to {t}?"]).format(t=task)
        add(
            f"maint:{task}",
            q,
            f"{task[0].upper() + task[1:]}: {interval}.",
            interval,
            pattern,
            F_MAINT,
        )
    for question, answer, pattern in WARRANTY:
        add(f"warranty:{question}", question, answer, answer, pattern, F_WARRANTY)
    add(
        "tech-code",
        "What is the technician code for the service menu?",
        f"The service menu code is {TECH_CODE}.",
        TECH_CODE,
        TECH_CODE,
        F_INSTALL,
    )
    return rows


def build() -> None:
    out = folder("product-manual")
    knowledge = out / "knowledge"
    knowledge.mkdir(exist_ok=True)
    chapters = {
        F_SPECS: overview(),
        F_INSTALL: installation(),
        F_MENUS: menus(),
        F_MAINT: maintenance(),
        F_ERRORS: errors(),
        F_TROUBLE: troubleshooting(),
        F_PARTS: parts(),
        F_WARRANTY: warranty(),
        F_CHEM: chemicals(),
        F_HYGIENE: hygiene(),
        F_PROC: procedures(),
        F_GLOSSARY: glossary(),
    }
    words = 0
    for name, text in chapters.items():
        (knowledge / name).write_text(text.rstrip() + "\n", encoding="utf-8")
        words += len(text.split())
    r = rng("product-manual")
    train, test = split(questions(r), 40, r, group="group")
    write_jsonl(out / "train_sft.jsonl", (chat(SYSTEM, t["prompt"], t["answer"]) for t in train))
    write_jsonl(
        out / "test.jsonl",
        (
            {
                "id": f"pm-{i:03d}",
                "prompt": t["prompt"],
                "reference": t["answer"],
                "key_fact": t["key_fact"],
                "key_pattern": t["key_pattern"],
                "source": t["source"],
            }
            for i, t in enumerate(test, 1)
        ),
    )
    print(
        f"product-manual: {words} words in {len(chapters)} chapters, {len(train)} train, {len(test)} test"
    )


if __name__ == "__main__":
    build()
