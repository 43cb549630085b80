# ruff: noqa: E501  (hand-written data: long sentences stay on one line)
"""invoice-total: find the amount due in an invoice (verifiable: RFT), plus concise-vs-verbose DPO pairs."""

from __future__ import annotations

import json

from common import chat, folder, rng, split, write_jsonl

SYSTEM = "Extract the amount due from the invoice. Reply with the number only, like 1234.56."

GRADER_SOURCE = '''import re


def _amount(token):
    token = token.strip(".,").replace("'", "")
    if "," in token and "." in token:
        if token.rfind(",") > token.rfind("."):
            token = token.replace(".", "").replace(",", ".")
        else:
            token = token.replace(",", "")
    elif "," in token:
        head, _, tail = token.rpartition(",")
        token = head.replace(",", "") + ("." + tail if len(tail) == 2 else tail)
    return float(token)


def grade(sample, item):
    """1.0 when the first amount in the answer is the amount due (to the cent)."""
    tokens = re.findall(r"\\d[\\d.,']*\\d|\\d", sample["output_text"])
    amounts = [t for t in tokens if re.search(r"[.,]\\d\\d$", t)] or tokens
    if not amounts:
        return 0.0
    try:
        return 1.0 if abs(_amount(amounts[0]) - float(item["total"])) < 0.005 else 0.0
    except ValueError:
        return 0.0
'''

VENDORS = [
    ("Brightline Office Supply", "office"),
    ("Keller & Sons Plumbing", "plumbing"),
    ("Northgate IT Services", "it"),
    ("Maple Street Catering", "food"),
    ("Bluewater Print Studio", "print"),
    ("Atlas Freight Ltd", "freight"),
    ("Greenleaf Landscaping", "garden"),
    ("Pixelforge Design", "it"),
    ("Hofmann Elektrotechnik GmbH", "electrical"),
    ("Café Lumière Wholesale", "food"),
    ("Orbit Cloud Hosting", "it"),
    ("Redwood Legal LLP", "services"),
    ("Sunrise Cleaning Co.", "services"),
    ("Tallis Stationers", "office"),
    ("Vantage Event Rentals", "services"),
    ("Studio Nord Fotografie", "photo"),
]
ITEMS = {
    "office": [
        ("A4 copy paper, box of 5 reams", 2899),
        ("Toner cartridge TN-2420", 6450),
        ("Ergonomic desk chair", 18900),
        ("Whiteboard markers, 12 pack", 1175),
        ("Archive boxes, pack of 10", 2230),
        ("Desk lamp LED", 3490),
    ],
    "plumbing": [
        ("Labour, per hour", 6800),
        ("Call-out fee", 4500),
        ("Copper pipe 15 mm, 3 m", 1940),
        ("Thermostatic valve", 3725),
        ("Boiler service", 11500),
    ],
    "electrical": [
        ("Labour, per hour", 7200),
        ("Circuit breaker 16 A", 1290),
        ("RCD test and certificate", 9500),
        ("LED panel 60x60 installed", 8900),
        ("Cable NYM-J 3x1.5, 50 m", 4650),
    ],
    "garden": [
        ("Hedge trimming, per hour", 4200),
        ("Lawn mowing, per visit", 3500),
        ("Green waste removal", 6500),
        ("Bark mulch, per m3", 5800),
    ],
    "it": [
        ("Laptop setup and imaging", 9500),
        ("Monthly managed support", 45000),
        ("Firewall licence, 12 months", 38900),
        ("On-site visit", 12000),
        ("Logo design package", 75000),
        ("Website maintenance, per hour", 8500),
    ],
    "food": [
        ("Lunch buffet, per person", 1850),
        ("Coffee service, per person", 450),
        ("Espresso beans 1 kg", 2290),
        ("Pastry platter", 3900),
        ("Delivery and setup", 6000),
    ],
    "print": [
        ("Business cards, 500", 4900),
        ("Roll-up banner 85x200", 11900),
        ("Flyers A5, 1000", 8900),
        ("Poster A2, 50", 7400),
    ],
    "photo": [
        ("Portrait session, 1 hour", 15000),
        ("Photo retouching, per image", 1200),
        ("Product shoot, half day", 42000),
        ("Travel costs", 3800),
    ],
    "freight": [
        ("Pallet transport Hamburg-Munich", 38500),
        ("Fuel surcharge", 4120),
        ("Tail-lift delivery", 5500),
        ("Waiting time, per 30 min", 2500),
    ],
    "services": [
        ("Contract review, per hour", 24000),
        ("Office cleaning, monthly", 68000),
        ("Window cleaning", 12500),
        ("Marquee rental, 3 days", 89000),
        ("Chair rental, each", 350),
        ("Consultation", 15000),
    ],
}
CUSTOMERS = [
    "Hartley Dental Clinic",
    "Wren & Co. Architects",
    "Fjord Analytics AB",
    "Oakridge Primary School",
    "Mistral Yoga Studio",
    "Caldwell Motors",
    "Lindqvist Bakery",
    "Ember Games Ltd",
    "Poppy Lane Florist",
    "Summit Physiotherapy",
]
CURRENCIES = [
    ("USD", "${}", "us"),
    ("GBP", "£{}", "us"),
    ("EUR", "{} €", "eu"),
    ("EUR", "€{}", "us"),
    ("USD", "{} USD", "us"),
    ("CHF", "CHF {}", "ch"),
]
TAXES = [
    ("Sales tax", 725),
    ("Sales tax", 825),
    ("VAT", 2000),
    ("VAT", 1900),
    ("MwSt.", 1900),
    ("GST", 1000),
    ("VAT", 0),
    ("Tax", 500),
]
TOTAL_LABELS = [
    "TOTAL",
    "Total due",
    "Amount payable",
    "Grand total",
    "Total (incl. tax)",
    "Invoice total",
    "Amount due",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def money(cents: int, style: str) -> str:
    whole, frac = divmod(cents, 100)
    text = f"{whole:,}.{frac:02d}"
    if style == "eu":
        text = text.replace(",", "X").replace(".", ",").replace("X", ".")
    if style == "ch":
        text = text.replace(",", "'")
    return text


def invoice(r) -> tuple[str, int, dict]:
    vendor, kind = r.choice(VENDORS)
    code, fmt, style = r.choice(CURRENCIES)
    tax_name, rate = r.choice(TAXES)
    lines = []
    subtotal = 0
    for name, price in r.sample(ITEMS[kind], k=min(len(ITEMS[kind]), r.randint(1, 4))):
        qty = r.choice([1, 1, 1, 2, 3, 4, 5, 10, 12, 25]) if price < 20000 else 1
        price = int(price * r.choice([0.9, 1.0, 1.0, 1.05, 1.15]))
        amount = qty * price
        subtotal += amount
        lines.append((name, qty, price, amount))
    discount = subtotal * r.choice([0, 0, 0, 5, 10]) // 100
    shipping = r.choice([0, 0, 0, 995, 1500, 2450])
    net = subtotal - discount + shipping
    tax = round(net * rate / 10000)
    total = net + tax
    paid = r.choice([0, 0, 0, 0, total // 2 // 100 * 100, 20000 if total > 40000 else 0])
    due = total - paid
    m = lambda c: fmt.format(money(c, style))  # noqa: E731
    year = r.randint(2024, 2026)
    number = f"{r.choice(['INV', 'RE', 'F', 'INV-'])}{year}-{r.randint(100, 9999):04d}"
    date = f"{r.randint(1, 28)} {r.choice(MONTHS)} {year}"
    customer = r.choice(CUSTOMERS)
    layout = r.choice(["table", "table", "lines", "email"])
    # With a deposit, "Amount due" would name the wrong figure: the balance is due.
    label = r.choice(TOTAL_LABELS[:4] if not paid else ["TOTAL", "Grand total", "Invoice total"])
    if layout == "email":
        items = "; ".join(f"{q} x {n} at {m(p)}" for n, q, p, _ in lines)
        text = (
            f"Hello {customer},\n\nplease find invoice {number} dated {date} for: {items}. "
            f"Subtotal {m(subtotal)}"
            + (f", discount {m(discount)}" if discount else "")
            + (f", shipping {m(shipping)}" if shipping else "")
            + f", {tax_name} {rate / 100:g}% {m(tax)}. {label}: {m(total)}."
            + (
                f" We have received your deposit of {m(paid)}, so the balance due is {m(due)}."
                if paid
                else ""
            )
            + f"\n\nPlease pay within 30 days. Kind regards,\n{vendor}"
        )
    else:
        head = [vendor, f"Invoice {number}", f"Date: {date}", f"Bill to: {customer}", ""]
        if layout == "table":
            body = [f"{'Description':<36}{'Qty':>5}{'Unit':>14}{'Amount':>14}"]
            body += [f"{n:<36}{q:>5}{m(p):>14}{m(a):>14}" for n, q, p, a in lines]
        else:
            body = [f"- {n} ({q} x {m(p)}): {m(a)}" for n, q, p, a in lines]
        body += ["", f"Subtotal: {m(subtotal)}"]
        if discount:
            body.append(f"Discount: -{m(discount)}")
        if shipping:
            body.append(f"Shipping: {m(shipping)}")
        body.append(f"{tax_name} ({rate / 100:g}%): {m(tax)}")
        body.append(f"{label}: {m(total)}")
        if paid:
            body += [f"Deposit received: -{m(paid)}", f"Balance due: {m(due)}"]
        body += ["", f"Payment terms: 30 days net. Currency: {code}."]
        text = "\n".join(head + body)
    facts = {
        "vendor": vendor,
        "number": number,
        "tax": m(tax),
        "tax_name": tax_name,
        "total_text": m(due),
        "paid": m(paid) if paid else None,
        "subtotal": m(subtotal),
    }
    return text, due, facts


VERBOSE = [
    "The amount due on invoice {number} from {vendor} is {total_text}. This figure already includes "
    "{tax_name} of {tax} on a subtotal of {subtotal}. Let me know if you need anything else!",
    "Sure! After reviewing the invoice, I found that the total amount you need to pay is {total_text}. "
    "It was issued by {vendor} under number {number}.",
    "Looking at this invoice from {vendor}, the subtotal is {subtotal} and {tax_name} is {tax}, which "
    "brings the amount due to {total_text}.",
    "Invoice {number}: amount due {total_text} (including {tax_name} {tax}). I hope this helps!",
]
VERBOSE_PAID = (
    "The invoice total from {vendor} was reduced by a deposit of {paid}, so the balance "
    "still due is {total_text}. The invoice number is {number}."
)


def build() -> None:
    r = rng("invoice-total")
    rows = []
    for _ in range(440):
        text, due, facts = invoice(r)
        rows.append({"prompt": text, "total": f"{due / 100:.2f}", "facts": facts})
    train, test = split(rows, 40, r)
    sft, dpo, rft = train[:150], train[150:270], train[270:390]
    out = folder("invoice-total")
    write_jsonl(out / "train_sft.jsonl", (chat(SYSTEM, t["prompt"], t["total"]) for t in sft))
    write_jsonl(
        out / "train_dpo.jsonl",
        (
            {
                "input": {
                    "messages": [
                        {"role": "system", "content": SYSTEM},
                        {"role": "user", "content": t["prompt"]},
                    ]
                },
                "preferred_output": [{"role": "assistant", "content": t["total"]}],
                "non_preferred_output": [
                    {
                        "role": "assistant",
                        "content": (
                            VERBOSE_PAID if t["facts"]["paid"] else r.choice(VERBOSE)
                        ).format(**t["facts"]),
                    }
                ],
            }
            for t in dpo
        ),
    )
    write_jsonl(
        out / "train_rft.jsonl",
        (
            {
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": t["prompt"]},
                ],
                "total": t["total"],
            }
            for t in rft
        ),
    )
    grader = {"type": "python", "name": "amount_due", "source": GRADER_SOURCE}
    (out / "grader.json").write_text(json.dumps(grader, indent=2) + "\n", encoding="utf-8")
    write_jsonl(
        out / "test.jsonl",
        (
            {
                "id": f"it-{i:03d}",
                "prompt": t["prompt"],
                "reference": t["total"],
                "total": t["total"],
            }
            for i, t in enumerate(test, 1)
        ),
    )
    print(f"invoice-total: {len(sft)} sft, {len(dpo)} dpo, {len(rft)} rft, {len(test)} test")


if __name__ == "__main__":
    build()
