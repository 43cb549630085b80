"""A dialog mounted without its children (pushed while the app closes) raises nothing.

The monkey test once ended in ``NoMatches: '#ok'`` from ErrorDialog.on_mount: an error
shown during shutdown mounted a dialog whose buttons were already gone.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from advisor.tui.widgets.dialogs import ConfirmDialog, ErrorDialog

pytestmark = pytest.mark.anyio


class _Host(App[None]):
    pass


class _BareError(ErrorDialog):
    def compose(self) -> ComposeResult:
        yield from ()


class _BareConfirm(ConfirmDialog):
    def compose(self) -> ComposeResult:
        yield from ()


async def test_dialogs_without_their_buttons_mount_quietly() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        app.push_screen(_BareError("title", "message"))
        await pilot.pause()
        assert isinstance(app.screen, _BareError)
        app.push_screen(_BareConfirm("title", "message"))
        await pilot.pause()
        assert isinstance(app.screen, _BareConfirm)
    assert app.return_code in (0, None)
