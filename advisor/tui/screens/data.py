"""data (placeholder until its core module lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from advisor.tui.screens.base import AdvisorScreen


class DataScreen(AdvisorScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("coming soon")
        yield Footer()
