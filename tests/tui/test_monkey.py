"""A monkey test: random key bursts on every screen must never raise (issue 19, item 5).

Each screen gets a few hundred keys from a fixed seed, delivered in bursts the
way a terminal delivers key repeat (no waiting between keys).  The wizard may
leave the screen (escape, menu keys) and wander: that is part of the test.  It
fails on any unhandled exception (the app stops and ``run_test`` re-raises it)
and on any error dialog that is not one of the product's own clear errors.
"""

from __future__ import annotations

import random

import pytest
from textual import events

from advisor.errors import AdvisorError
from advisor.tui.screens import SCREENS, make_screen

pytestmark = pytest.mark.anyio

KEYS_PER_SCREEN = 200
BURST = 20

# Everything a person might press, except quitting (ctrl+q, ctrl+c), which ends the test.
ALPHABET = [
    *"abcdefghijklmnopqrstuvwxyz",
    *"0123456789",
    *["space", "enter", "tab", "shift+tab", "escape", "backspace", "delete"],
    *["up", "down", "left", "right", "home", "end", "pageup", "pagedown"],
    *[f"f{n}" for n in range(2, 11)],
    *["ctrl+r", "ctrl+l", "ctrl+o", "ctrl+s", "ctrl+a", "ctrl+enter"],
]
# Navigation keys weigh more, so that the monkey reaches deeper into forms.
WEIGHTS = [3 if k in ("tab", "enter", "down", "up", "space", "pagedown") else 1 for k in ALPHABET]


def _send(app, keys: list[str]) -> None:
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else (" " if key == "space" else None))
        event.set_sender(app)
        driver.send_message(event)


@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_random_keys_never_raise(name: str, make_app) -> None:
    rng = random.Random(f"monkey-{name}")
    app = make_app()
    unexpected: list[BaseException] = []
    show_error = app.show_error

    def record(error: BaseException, *, title: str = "Something went wrong") -> None:
        if not isinstance(error, AdvisorError):
            unexpected.append(error)
        show_error(error, title=title)

    app.show_error = record
    async with app.run_test(size=(100, 32)) as pilot:
        if name != "home":
            app.push_screen(make_screen(name))
        await pilot.pause()
        for _ in range(KEYS_PER_SCREEN // BURST):
            _send(app, rng.choices(ALPHABET, WEIGHTS, k=BURST))
            await pilot.pause()
        await pilot.pause(0.2)
    assert app._exception is None
    assert not unexpected, f"unexpected errors shown on {name}: {unexpected!r}"
