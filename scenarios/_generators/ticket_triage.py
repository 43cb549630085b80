# ruff: noqa: E501  (hand-written data: long sentences stay on one line)
"""ticket-triage: Parcelbird support tickets classified into one strict JSON object."""

from __future__ import annotations

import json

from common import chat, folder, rng, split, write_jsonl

SYSTEM = (
    "Triage the Parcelbird support ticket. Reply with one JSON object only, keys: category "
    "(billing|bug|account|shipping|feature_request|how_to), priority (low|normal|high|urgent), "
    "product (web_app|mobile_app|api|label_printer|unknown), summary (one short sentence), "
    "needs_human (true|false)."
)

# The same schema is written inline in scenario.toml (the json_schema grader).
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["category", "priority", "product", "summary", "needs_human"],
    "properties": {
        "category": {
            "enum": ["billing", "bug", "account", "shipping", "feature_request", "how_to"]
        },
        "priority": {"enum": ["low", "normal", "high", "urgent"]},
        "product": {"enum": ["web_app", "mobile_app", "api", "label_printer", "unknown"]},
        "summary": {"type": "string", "minLength": 5, "maxLength": 140},
        "needs_human": {"type": "boolean"},
    },
}

# (category, priority, product, needs_human, summary, [ticket bodies]); {shop} {order} {n} slots
ISSUES = [
    (
        "billing",
        "high",
        "web_app",
        True,
        "Customer was charged twice for the monthly plan.",
        [
            "I was billed twice for the Growth plan this month, two charges of $49 on the same day.",
            "My card shows two identical Parcelbird charges for this month. Please refund one.",
        ],
    ),
    (
        "billing",
        "normal",
        "web_app",
        False,
        "Customer asks for a VAT invoice for last month.",
        [
            "Can you send an invoice with our VAT number on it for last month's payment?",
            "Our accountant needs a proper VAT invoice for the {month} subscription.",
        ],
    ),
    (
        "billing",
        "normal",
        "web_app",
        True,
        "Customer wants to downgrade and get a prorated refund.",
        [
            "We're moving from the Pro plan to Starter. Do we get the unused part of Pro back?",
            "Please downgrade {shop} to Starter and refund the difference for the rest of the month.",
        ],
    ),
    (
        "billing",
        "urgent",
        "web_app",
        True,
        "Account suspended for a failed payment; shipping is blocked.",
        [
            "Our account got suspended because the card payment failed and now nobody can print labels. We have {n} orders waiting!",
            "Payment bounced, account locked, warehouse is standing still with {n} parcels. Need this unlocked now.",
        ],
    ),
    (
        "billing",
        "low",
        "unknown",
        False,
        "Customer asks which payment methods are accepted.",
        [
            "Do you take PayPal or only cards?",
            "Is it possible to pay yearly by bank transfer instead of card?",
        ],
    ),
    (
        "billing",
        "normal",
        "web_app",
        False,
        "Postage credit top-up not showing in the balance.",
        [
            "I topped up $200 of postage credit an hour ago and my balance still shows $12.",
            "Added postage credit this morning but the balance didn't change.",
        ],
    ),
    (
        "bug",
        "urgent",
        "web_app",
        True,
        "Label printing fails for all orders with a server error.",
        [
            "Every time we click Print Labels we get 'Error 500'. Nothing prints, {n} orders stuck since 8am.",
            "Since this morning no labels print at all, the page shows a server error. We ship {n} orders a day!",
        ],
    ),
    (
        "bug",
        "high",
        "api",
        True,
        "API returns 401 for valid keys after key rotation.",
        [
            "After rotating our API key yesterday, all calls to /v2/shipments return 401 even with the new key.",
            "Our integration broke: POST /v2/labels says unauthorized although the key is the one from the dashboard.",
        ],
    ),
    (
        "bug",
        "normal",
        "mobile_app",
        False,
        "Mobile app crashes when scanning a barcode.",
        [
            "The iPhone app closes by itself whenever I scan a parcel barcode.",
            "Android app crashes on the scan screen, every single time. Phone is a {phone}.",
        ],
    ),
    (
        "bug",
        "normal",
        "web_app",
        False,
        "Weight field resets to zero when editing a shipment.",
        [
            "When I edit a shipment the weight jumps back to 0 kg and I have to type it again.",
            "Annoying bug: editing an order clears the parcel weight.",
        ],
    ),
    (
        "bug",
        "high",
        "label_printer",
        True,
        "Thermal printer prints labels cut off at the bottom.",
        [
            "Our PB-200 thermal printer cuts off the bottom third of every label, so the barcode is missing.",
            "Labels come out of the PB-200 with the barcode chopped off. Carriers are rejecting them.",
        ],
    ),
    (
        "bug",
        "low",
        "web_app",
        False,
        "Dashboard chart shows the wrong week labels.",
        [
            "The weekly chart on the dashboard labels last week as next week. Not urgent, just confusing.",
            "Small thing: the dates under the shipments chart are off by a week.",
        ],
    ),
    (
        "bug",
        "high",
        "api",
        True,
        "Webhooks for delivered parcels stopped arriving.",
        [
            "We haven't received any 'delivered' webhooks since {weekday}, though tracking shows parcels delivered.",
            "Delivery webhooks stopped firing. Our customers don't get their delivered emails anymore.",
        ],
    ),
    (
        "account",
        "normal",
        "web_app",
        False,
        "Customer cannot reset the password; no email arrives.",
        [
            "I clicked Forgot password three times and never got the email.",
            "Password reset email isn't arriving, checked spam too.",
        ],
    ),
    (
        "account",
        "normal",
        "web_app",
        False,
        "Customer wants to add a second user to the account.",
        [
            "How do I give my warehouse manager her own login?",
            "Can I add two more team members to {shop}?",
        ],
    ),
    (
        "account",
        "high",
        "web_app",
        True,
        "Former employee still has access; customer wants it removed.",
        [
            "A former employee still has a login to our account. Please remove him today.",
            "Someone who left the company last month can still sign in to {shop}. Remove their access please.",
        ],
    ),
    (
        "account",
        "urgent",
        "web_app",
        True,
        "Suspected account takeover; unknown labels were bought.",
        [
            "Someone logged into our account and bought {n} labels we didn't order! Lock it down now.",
            "We see shipments we never created and the email on the account was changed. I think we were hacked.",
        ],
    ),
    (
        "account",
        "low",
        "web_app",
        False,
        "Customer wants to change the company name on the account.",
        [
            "We rebranded. How do I change the company name shown on our account?",
            "Please update our business name from {shop} to {shop} Co.",
        ],
    ),
    (
        "account",
        "normal",
        "unknown",
        True,
        "Customer asks to close the account and delete data.",
        [
            "We're closing the shop. Please delete our account and all data.",
            "I'd like to cancel Parcelbird completely and have our data removed.",
        ],
    ),
    (
        "shipping",
        "high",
        "web_app",
        True,
        "Parcel marked delivered but the buyer never received it.",
        [
            "Order {order} says delivered but our customer never got it. What can we do?",
            "Tracking for {order} shows delivered on {weekday}, buyer says nothing arrived.",
        ],
    ),
    (
        "shipping",
        "normal",
        "web_app",
        False,
        "Customer asks how to file a claim for a damaged parcel.",
        [
            "A parcel arrived smashed. How do I file a damage claim with the carrier through you?",
            "Buyer got a broken vase from order {order}. How do claims work?",
        ],
    ),
    (
        "shipping",
        "normal",
        "web_app",
        False,
        "Rates for international parcels look too high.",
        [
            "Why is shipping a 1 kg parcel to Germany suddenly twice the price?",
            "International rates jumped this week, is that a mistake?",
        ],
    ),
    (
        "shipping",
        "urgent",
        "web_app",
        True,
        "Carrier pickup missed for a large batch due today.",
        [
            "The carrier didn't come for our scheduled pickup and {n} parcels must go out today for a promo.",
            "Pickup was booked for 2pm, nobody came, {n} boxes sitting here with same-day promise.",
        ],
    ),
    (
        "shipping",
        "low",
        "unknown",
        False,
        "Customer asks which carriers are supported.",
        [
            "Which carriers can I print labels for?",
            "Do you support regional carriers or only the big ones?",
        ],
    ),
    (
        "shipping",
        "normal",
        "web_app",
        False,
        "Customs form missing from an international label.",
        [
            "The label for order {order} to Canada printed without the customs form.",
            "International shipments aren't generating the CN22 customs declaration.",
        ],
    ),
    (
        "shipping",
        "high",
        "web_app",
        True,
        "Wrong return address printed on all labels.",
        [
            "All of today's labels have our old warehouse as the return address, even though I changed it.",
            "Return address on labels is wrong since we moved. Returns are going to the old building!",
        ],
    ),
    (
        "feature_request",
        "low",
        "web_app",
        False,
        "Customer requests a dark mode for the dashboard.",
        [
            "Any chance of a dark mode? We work night shifts.",
            "Please add dark mode to the web app.",
        ],
    ),
    (
        "feature_request",
        "low",
        "api",
        False,
        "Customer requests bulk label creation in one API call.",
        [
            "It would be great if the API could create labels in bulk, one call per order is slow.",
            "Feature idea: a batch endpoint for labels.",
        ],
    ),
    (
        "feature_request",
        "low",
        "mobile_app",
        False,
        "Customer wants offline scanning in the mobile app.",
        [
            "Could the app scan parcels offline and sync later? Our warehouse has bad signal.",
            "Please let the mobile app work without internet in the back room.",
        ],
    ),
    (
        "feature_request",
        "low",
        "web_app",
        False,
        "Customer asks for a CSV export of monthly shipments.",
        [
            "Can we export all shipments of a month to CSV for our bookkeeping?",
            "Would love a CSV export of shipments with costs.",
        ],
    ),
    (
        "feature_request",
        "normal",
        "label_printer",
        False,
        "Customer asks for support of 4x8 inch labels.",
        [
            "Our new printer uses 4x8 labels. Can you support that size?",
            "Please add a 4x8 inch label format, we switched label stock.",
        ],
    ),
    (
        "how_to",
        "low",
        "web_app",
        False,
        "Customer asks how to set a default package size.",
        [
            "How do I set a default box size so I don't type it each time?",
            "Where do I save our standard package dimensions?",
        ],
    ),
    (
        "how_to",
        "low",
        "label_printer",
        False,
        "Customer asks how to connect the PB-200 printer.",
        [
            "Just got the PB-200 printer. How do I connect it to my laptop?",
            "Setting up the PB-200 thermal printer, what driver do I need?",
        ],
    ),
    (
        "how_to",
        "low",
        "web_app",
        False,
        "Customer asks how to connect their online store.",
        [
            "How do I connect my online store so orders come in automatically?",
            "What are the steps to import orders from our shop platform?",
        ],
    ),
    (
        "how_to",
        "normal",
        "api",
        False,
        "Developer asks how to test the API without buying labels.",
        [
            "Is there a sandbox so I can test label creation without paying?",
            "How can our developer try the API without real charges?",
        ],
    ),
    (
        "how_to",
        "low",
        "mobile_app",
        False,
        "Customer asks how to print from the mobile app.",
        ["Can I print labels from my phone?", "How does printing work in the mobile app?"],
    ),
]

OPENERS = [
    "Hi,",
    "Hello Parcelbird team,",
    "Hey there,",
    "Good morning,",
    "Hi support,",
    "",
    "Dear Parcelbird,",
    "Hello,",
]
CLOSERS = [
    "Thanks.",
    "Thanks in advance!",
    "Regards, {name}",
    "Cheers, {name} from {shop}",
    "",
    "Please advise.",
    "Thank you, {name}",
    "{name}, {shop}",
]
SHOPS = [
    "Moss & Fern",
    "Tinker Toys Co",
    "Bluebell Ceramics",
    "Northwind Coffee",
    "Copper Kettle",
    "Pixel Threads",
    "Oak Lane Books",
    "Sunny Paws",
    "Harbor Candles",
    "Ironleaf Tea",
    "Velvet Moth Vintage",
    "Little Atlas Maps",
]
NAMES = ["Priya", "Tom", "Mara", "Jonas", "Aiko", "Luis", "Grace", "Omar", "Hanna", "Dev"]
MONTHS = ["January", "February", "March", "April", "May", "June"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
PHONES = ["Pixel 7", "Galaxy S22", "Moto G", "Galaxy A54"]
SUBJECTS = {
    "billing": ["Billing question", "Charge on my card", "Invoice", "Payment"],
    "bug": ["Something is broken", "Bug", "Error", "Not working"],
    "account": ["Account", "Login help", "User access", "Account settings"],
    "shipping": ["Shipment problem", "Parcel", "Carrier issue", "Shipping"],
    "feature_request": ["Suggestion", "Feature request", "Idea", "Wishlist"],
    "how_to": ["Question", "How do I...", "Help needed", "Setup question"],
}


def ticket(r, issue) -> str:
    category, *_, bodies = issue
    s = {
        "shop": r.choice(SHOPS),
        "order": f"#{r.randint(10000, 99999)}",
        "n": str(r.choice([40, 85, 120, 300, 650])),
        "month": r.choice(MONTHS),
        "weekday": r.choice(WEEKDAYS),
        "phone": r.choice(PHONES),
        "name": r.choice(NAMES),
    }
    parts = [
        f"Subject: {r.choice(SUBJECTS[category])}",
        "",
        r.choice(OPENERS),
        r.choice(bodies).format(**s),
        r.choice(CLOSERS).format(**s),
    ]
    return parts[0] + "\n\n" + "\n".join(p for p in parts[2:] if p)


def label(issue) -> str:
    category, priority, product, human, summary, _ = issue
    return json.dumps(
        {
            "category": category,
            "priority": priority,
            "product": product,
            "summary": summary,
            "needs_human": human,
        },
        ensure_ascii=False,
    )


def build() -> None:
    r = rng("ticket-triage")
    rows = []
    for issue in ISSUES:
        for _ in range(7):
            rows.append({"prompt": ticket(r, issue), "answer": label(issue), "issue": issue})
    train, test = split(rows, 40, r)
    train = train[:160]
    out = folder("ticket-triage")
    write_jsonl(out / "train_sft.jsonl", (chat(SYSTEM, t["prompt"], t["answer"]) for t in train))
    write_jsonl(
        out / "test.jsonl",
        (
            {
                "id": f"tt-{i:03d}",
                "prompt": t["prompt"],
                "reference": t["answer"],
                "category": t["issue"][0],
                "priority": t["issue"][1],
                "product": t["issue"][2],
            }
            for i, t in enumerate(test, 1)
        ),
    )
    print(f"ticket-triage: {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    build()
