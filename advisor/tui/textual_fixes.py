"""Workarounds for Textual defects the wizard runs into; each names its test.

Applied once, when :mod:`advisor.tui.app` is imported.  Remove a workaround
when the pinned Textual fixes the defect (its test then passes without it).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

_applied = False


def apply() -> None:
    """Install the workarounds (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    _option_list_page_before_layout()


def _option_list_page_before_layout() -> None:
    """PgUp/PgDn on an OptionList before its lines are laid out raise KeyError (Textual 8.2).

    Every OptionList is affected, including the overlay of each Select, so it is
    patched at the class: a page key that arrives that early does nothing.
    Found by tests/tui/test_monkey.py (key repeat into a list that has just opened).
    """
    original = OptionList._move_page

    def move_page(self: OptionList, direction: Any) -> None:
        if (self.highlighted or 0) in self._index_to_line:
            original(self, direction)

    OptionList._move_page = move_page  # type: ignore[method-assign]
