"""The durations both shells print (the CLI and the wizard used to round differently)."""

import pytest

from advisor.app.text import duration_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0 s"), (100, "100 s"), (119, "119 s"), (120, "2 min"), (5400, "90 min"), (7200, "2.0 h")],
)
def test_duration_text(seconds: float, shown: str) -> None:
    assert duration_text(seconds) == shown


def test_the_wizard_uses_the_shared_wording() -> None:
    import advisor.tui.screens.data as screen

    assert not hasattr(screen, "_duration"), "the wizard keeps its own copy again"
