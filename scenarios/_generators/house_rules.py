# ruff: noqa: E501  (hand-written data: long sentences stay on one line)
"""house-rules: Castellan Mutual's proprietary terms and required note, applied to every answer."""

from __future__ import annotations

from common import chat, folder, paraphrase_rows, rng, split, write_jsonl

SYSTEM = (
    'You answer for Castellan Mutual, a home and motor insurer. House rules: say "members", '
    'never "customers" or "clients"; say Member Portal, Claims Desk, Care Line and CM-ID (the '
    'member number); end every answer with "Castellan note: your Policy Schedule decides what is covered."'
)
NOTE = "Castellan note: your Policy Schedule decides what is covered."

PRODUCTS = {"home": "HomeGuard Plus", "motor": "DriveSafe Flex", "renters": "TenantShield"}
ITEMS = ["laptop", "bicycle", "engagement ring", "camera", "sofa", "television", "guitar", "phone"]
INCIDENTS = [
    "a burst pipe",
    "a kitchen fire",
    "a break-in",
    "storm damage to the roof",
    "a leaking washing machine",
    "a fallen tree",
]
CAR_EVENTS = [
    "a minor bump in a car park",
    "a cracked windscreen",
    "a hit-and-run",
    "a stolen catalytic converter",
    "hail damage",
    "a collision at a roundabout",
]

PREAMBLES = [
    "",
    "",
    "Hi, ",
    "Hello, ",
    "Quick question: ",
    "Good morning. ",
    "Hi there, ",
    "Sorry to bother you, ",
    "Hello, I've been with you for years. ",
    "Hi, new member here. ",
]
ENDINGS = ["", "", "", " Thanks!", " Thank you.", " Cheers.", " Many thanks."]

# topic -> (required term, user templates, answer bodies). Slots: {item} {incident} {car} {home} {motor} {renters}
TOPICS: dict[str, tuple[str, list[str], list[str]]] = {
    "claim_home": (
        "Claims Desk",
        [
            "How do I make a claim for {incident}?",
            "We had {incident} last night, what do I do?",
            "As a customer with {home}, how do I claim for {incident}?",
        ],
        [
            "Sorry to hear about {incident}. Start your claim with the Claims Desk through the Member Portal or the Care Line, and keep photos and receipts of the damage.",
            "First make your home safe, then contact the Claims Desk on the Care Line or in the Member Portal. They will open a claim and tell you the next steps for {incident}.",
        ],
    ),
    "claim_motor": (
        "Claims Desk",
        [
            "How do I claim for {car}?",
            "I had {car}. Does my {motor} cover it?",
            "Who do I talk to about {car}? Is it the claims team?",
        ],
        [
            "For {car}, report it to the Claims Desk within 48 hours through the Member Portal or the Care Line. Have your CM-ID and the other driver's details ready if there was one.",
            "Our Claims Desk handles {car} for {motor} members. Call the Care Line or use the Member Portal, and we'll guide you from there.",
        ],
    ),
    "claim_status": (
        "Claims Desk",
        [
            "What's the status of my claim?",
            "My claim has been open for three weeks, any news?",
            "Can the claims team update me on my {incident} claim?",
        ],
        [
            "You can follow every step of your claim in the Member Portal under My Claims. If something looks stuck, the Claims Desk can update you on the Care Line.",
            "The Claims Desk posts each update in the Member Portal. If you'd rather talk it through, call the Care Line with your CM-ID.",
        ],
    ),
    "member_number": (
        "CM-ID",
        [
            "Where do I find my membership number?",
            "What's my customer number and where is it?",
            "I lost my policy number, how do I get it?",
        ],
        [
            "Your CM-ID is printed at the top of your Policy Schedule and shown on the home page of the Member Portal. Quote it whenever you contact us.",
            "You'll find your CM-ID in the Member Portal and on every letter we send. The Care Line can also confirm it after a few security questions.",
        ],
    ),
    "portal_login": (
        "Member Portal",
        [
            "I can't log in to your website.",
            "The app won't let me sign in.",
            "How do I reset my password for the online account?",
        ],
        [
            "Choose 'Forgot password' on the Member Portal sign-in page and we'll email you a reset link. If it doesn't arrive, the Care Line can unlock your account.",
            "Reset your password from the Member Portal sign-in page. Members who still can't get in can call the Care Line for help.",
        ],
    ),
    "documents": (
        "Member Portal",
        [
            "Can I get a copy of my policy documents?",
            "Where can I download my insurance certificate?",
            "I need proof of my {motor} cover for my employer.",
        ],
        [
            "All your documents, including your certificate, are in the Member Portal under Documents, ready to download. The Care Line can post paper copies if you prefer.",
            "Download your documents any time from the Member Portal. Paper copies are available through the Care Line.",
        ],
    ),
    "phone": (
        "Care Line",
        [
            "What's your phone number?",
            "Can I speak to someone on the phone?",
            "Is there a customer service number I can call?",
        ],
        [
            "Call the Care Line on 0800 414 2200, open 8am to 8pm on weekdays and 9am to 5pm on Saturdays. Members can also send us a message any time through the Member Portal.",
            "You can reach the Care Line on 0800 414 2200 from 8am to 8pm on weekdays. Have your CM-ID ready so we can help you quickly.",
        ],
    ),
    "add_item": (
        "HomeGuard Plus",
        [
            "Is my {item} covered away from home?",
            "How do I add my new {item} to my contents cover?",
            "Do I need to list my {item} separately on my home insurance?",
        ],
        [
            "With HomeGuard Plus, any single item worth more than £1,500 must be listed as a specified item. If your {item} is worth that much, add it in the Member Portal under Change My Cover.",
            "HomeGuard Plus covers your {item} at home, and away from home if you've added Personal Possessions. You can add it in the Member Portal.",
        ],
    ),
    "renters": (
        "TenantShield",
        [
            "I rent a flat, what cover do I need?",
            "Does renters insurance cover my {item}?",
            "My landlord insures the building. What do I need as a tenant?",
        ],
        [
            "TenantShield is our cover for renters: it protects your belongings, like your {item}, and your liability as a tenant. Get a quote in the Member Portal.",
            "As a renter, TenantShield covers your own things and accidental damage to the landlord's fixtures. Members can add it in the Member Portal.",
        ],
    ),
    "motor_abroad": (
        "DriveSafe Flex",
        [
            "Am I covered to drive in France?",
            "Can I take my car abroad on my policy?",
            "Does my car insurance work in Europe?",
        ],
        [
            "DriveSafe Flex includes 90 days of European driving each year at the same level of cover. Tell us your travel dates in the Member Portal before you go.",
            "Yes, DriveSafe Flex covers driving in Europe for up to 90 days a year. Log your trip in the Member Portal first.",
        ],
    ),
    "add_driver": (
        "DriveSafe Flex",
        [
            "How do I add my partner as a named driver?",
            "Can my son drive my car on my policy?",
            "Can I add a second driver to my car insurance?",
        ],
        [
            "You can add named drivers to DriveSafe Flex in the Member Portal under Change My Cover. The new premium is shown before you confirm.",
            "Adding a driver to DriveSafe Flex takes a few minutes in the Member Portal. Young drivers may change the premium, which you'll see before confirming.",
        ],
    ),
    "renewal": (
        "Policy Anniversary",
        [
            "When does my policy renew?",
            "When is my renewal date?",
            "Will my insurance renew automatically?",
        ],
        [
            "Your cover renews on your Policy Anniversary, shown in the Member Portal. We send your renewal terms 21 days before that date.",
            "Policies renew automatically on the Policy Anniversary. You'll get your new terms three weeks ahead, and you can change or stop the renewal in the Member Portal.",
        ],
    ),
    "cancel": (
        "Policy Anniversary",
        [
            "How do I cancel my policy?",
            "I want to cancel at renewal.",
            "Can I stop my insurance before it renews?",
        ],
        [
            "You can cancel any time in the Member Portal. If you cancel within 14 days of your Policy Anniversary we refund the full premium for the new year.",
            "Members can cancel through the Member Portal or the Care Line. Cancel before your Policy Anniversary to avoid the renewal payment.",
        ],
    ),
    "payment": (
        "Member Portal",
        [
            "Can I change my monthly payment date?",
            "How do I update my bank details?",
            "I missed a payment, what happens now?",
        ],
        [
            "You can change your payment date and bank details in the Member Portal under Payments. If a payment was missed, we'll try again after 7 days and write to you first.",
            "Update your payment details in the Member Portal at any time. Missed payments are retried after 7 days, and your cover continues meanwhile.",
        ],
    ),
    "excess": (
        "Excess",
        [
            "What is my excess on a claim?",
            "How much do I pay myself if I claim for {incident}?",
            "Can I lower the amount I pay towards a claim?",
        ],
        [
            "Your Excess is the part of each claim you pay yourself; the amount is on your Policy Schedule and in the Member Portal. You can choose a higher Excess to lower your premium.",
            "The Excess for your cover is listed in the Member Portal. Some claims, such as escape of water, carry their own higher Excess.",
        ],
    ),
    "ncb": (
        "No Claims Bonus",
        [
            "Will claiming affect my no-claims discount?",
            "Does a windscreen claim lose my NCD?",
            "How many years of no claims do I have?",
        ],
        [
            "Your No Claims Bonus is shown in the Member Portal. Windscreen claims don't affect it, but most other claims where we can't recover costs do.",
            "A claim can reduce your No Claims Bonus unless it's protected; windscreen claims never do. Check your current years in the Member Portal.",
        ],
    ),
    "complaint": (
        "Care Line",
        [
            "I want to make a complaint.",
            "I'm unhappy with how my claim was handled.",
            "Who do I complain to about your service?",
        ],
        [
            "We're sorry you're unhappy. Tell us on the Care Line or through the Member Portal and a member of our Resolution Team will respond within 5 working days.",
            "Please raise it with us on the Care Line or in the Member Portal. We'll confirm receipt within 2 days and aim to resolve it within 5 working days.",
        ],
    ),
    "move_home": (
        "HomeGuard Plus",
        [
            "I'm moving house, what happens to my insurance?",
            "Can I take my home insurance to my new address?",
            "We're moving next month. Do I need a new policy?",
        ],
        [
            "Your HomeGuard Plus cover can move with you. Update your new address in the Member Portal before the move date so you're covered from day one.",
            "No new policy needed: update HomeGuard Plus with your new address in the Member Portal, and we'll show any change in premium.",
        ],
    ),
    "emergency": (
        "Care Line",
        [
            "Water is pouring through my ceiling right now!",
            "Our house was broken into tonight, who do I call?",
            "Emergency: a tree fell on the house.",
        ],
        [
            "Please make everyone safe first and call the emergency services if needed. Our Care Line's 24-hour emergency option can send a contractor tonight.",
            "Stay safe and turn off water or power if you can. Call the Care Line and choose emergency help; it's open around the clock.",
        ],
    ),
    "referral": (
        "members",
        [
            "Do you give a reward for referring a friend?",
            "Can I get a discount if my sister joins?",
            "Is there a refer-a-friend scheme for customers?",
        ],
        [
            "Yes! When a friend joins through your link in the Member Portal, you both get a £30 reward. There's no limit to how many members you can refer.",
            "Our refer-a-friend scheme gives members £30 for each friend who joins, and the friend gets £30 too. Find your personal link in the Member Portal.",
        ],
    ),
    "data": (
        "Member Portal",
        [
            "What do you do with my personal data?",
            "Can I get a copy of the data you hold about me?",
            "How do I stop marketing emails?",
        ],
        [
            "You can manage marketing choices and request a copy of your data in the Member Portal under Privacy. We only share data with partners who handle your claims.",
            "Privacy settings, including marketing emails, are in the Member Portal. A copy of your data is sent within 30 days of your request.",
        ],
    ),
}


def build() -> None:
    r = rng("house-rules")
    rows = []
    for topic, (term, questions, bodies) in TOPICS.items():
        for _ in range(16):
            s = {
                "item": r.choice(ITEMS),
                "incident": r.choice(INCIDENTS),
                "car": r.choice(CAR_EVENTS),
                "home": PRODUCTS["home"],
                "motor": PRODUCTS["motor"],
                "renters": PRODUCTS["renters"],
            }
            pre, end = r.choice(PREAMBLES), r.choice(ENDINGS)

            def wrap(q: str, pre: str = pre, end: str = end, s: dict[str, str] = s) -> str:
                text = q.format(**s)
                if pre.endswith(", ") and not text.startswith(("I ", "I'")):
                    text = text[0].lower() + text[1:]
                return pre + text + end

            prompt = wrap(r.choice(questions))
            answer = r.choice(bodies).format(**s) + "\n\n" + NOTE
            rows.append(
                {
                    "topic": topic,
                    "term": term,
                    "prompt": prompt,
                    "answer": answer,
                    "alternatives": [wrap(q) for q in questions],
                }
            )
    train, test = split(rows, 40, r)
    train = train[:150]
    out = folder("house-rules")
    write_jsonl(out / "train_sft.jsonl", (chat(SYSTEM, t["prompt"], t["answer"]) for t in train))
    write_jsonl(
        out / "test.jsonl",
        (
            {
                "id": f"hr-{i:03d}",
                "prompt": t["prompt"],
                "reference": t["answer"],
                "required_term": t["term"],
                "topic": t["topic"],
            }
            for i, t in enumerate(test, 1)
        ),
    )
    write_jsonl(out / "paraphrases.jsonl", paraphrase_rows("hr", test, train))
    print(f"house-rules: {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    build()
