"""Regenerate the data files of every shipped scenario: python scenarios/_generators/generate_all.py

The generators are deterministic (fixed seeds), so a re-run reproduces the committed files byte for
byte; tests/unit/test_scenarios.py checks that.  scenario.toml files are written by hand.
"""

from __future__ import annotations

import brand_voice
import house_rules
import invoice_total
import ja_support
import product_manual
import ticket_triage

GENERATORS = [brand_voice, ticket_triage, product_manual, house_rules, invoice_total, ja_support]


def main() -> None:
    for module in GENERATORS:
        module.build()


if __name__ == "__main__":
    main()
