"""The wizard's screens, one module per area."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

# name -> (module, class); imported on first use so the app opens fast.
SCREENS: dict[str, tuple[str, str]] = {
    "home": ("advisor.tui.screens.home", "HomeScreen"),
    "interview": ("advisor.tui.screens.interview", "InterviewScreen"),
    "results": ("advisor.tui.screens.results", "ResultsScreen"),
    "data": ("advisor.tui.screens.data", "DataScreen"),
    "review": ("advisor.tui.screens.review", "ReviewScreen"),
    "run": ("advisor.tui.screens.run", "RunScreen"),
    "compare": ("advisor.tui.screens.compare", "CompareScreen"),
    "chat": ("advisor.tui.screens.chat", "ChatScreen"),
    "arena": ("advisor.tui.screens.arena", "ArenaScreen"),
    "settings": ("advisor.tui.screens.settings", "SettingsScreen"),
}


def make_screen(name: str) -> Screen:
    module, cls = SCREENS[name]
    screen: Screen = getattr(importlib.import_module(module), cls)()
    return screen
