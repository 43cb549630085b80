"""The bench's default cap on tokens per answer, from the scenario's reference answers.

A fixed 256-token cap lets a small local model ramble far past an answer the
graders expect in two sentences, and every extra token costs wall time (issue
19: bench wall time).  The default cap is twice the longest reference answer
plus a margin, kept between a floor (short references such as a bare total
still leave room for a sentence) and the old fixed cap.  One cap serves every
route of a scenario: routes answering under different caps would not be
compared on equal terms.  ``--max-tokens`` overrides it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.routes.context import estimate_tokens

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario

CEILING = 256  # the fixed cap before this default existed
FLOOR = 64
SLACK = 2.0  # answers may be twice as long as the longest reference...
MARGIN = 32  # ...plus a sign-off or a short preamble


def reference_max_tokens(scenario: Scenario) -> int:
    """The default cap for ``scenario``; :data:`CEILING` when it has no references."""
    lengths = [estimate_tokens(item.reference) for item in scenario.test_items() if item.reference]
    if not lengths:
        return CEILING
    return max(FLOOR, min(CEILING, int(SLACK * max(lengths)) + MARGIN))
