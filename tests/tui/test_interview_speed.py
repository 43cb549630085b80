"""The interview at key-repeat speed: no traceback, no lost keys (issue 19, item 5).

``pilot.press`` waits for the app to go idle after every key, which a person
holding PgDn or typing fast does not; :func:`burst` sends the keys the way a
terminal does, all at once.
"""

from __future__ import annotations

import pytest
from textual import events

from advisor.criteria import load_catalog
from advisor.tui.screens.interview import InterviewScreen
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio


async def burst(app, *keys: str) -> None:
    """Queue every key at once, as a terminal delivers key repeat, then let the app settle."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        driver.send_message(event)


async def test_paging_at_key_repeat_speed_never_crashes(make_app) -> None:
    # Before the fix: ValueError "RadioButton(...) is not in list" from
    # AnswerChoices._highlight_answer, once a question was left before its
    # answer widget had refreshed.
    total = len(load_catalog().questions)
    app = make_app()
    async with app.run_test() as pilot:
        app.push_screen(InterviewScreen())
        await pilot.pause()
        for _ in range(2):
            await burst(app, *["pagedown"] * (total - 2))
            assert await until(pilot, lambda: app.screen.index == total - 2)
            await burst(app, *["pageup"] * (total - 2))
            assert await until(pilot, lambda: app.screen.index == 0)
        assert isinstance(app.screen, InterviewScreen)


async def test_typing_a_count_at_once_keeps_every_key(make_app) -> None:
    catalog = load_catalog()
    index = next(i for i, q in enumerate(catalog.questions) if q.type == "count")
    question = catalog.questions[index]
    app = make_app()
    async with app.run_test() as pilot:
        app.push_screen(InterviewScreen(start=index - 1))
        await pilot.pause()
        # Page to the count question and type straight away, before it has shown.
        await burst(app, "pagedown", "1", "5", "0", "enter")
        assert await until(pilot, lambda: app.screen.index == index + 1)
        assert app.session.answers.get(question.id) == 150


async def test_keys_after_an_answer_go_to_the_next_question(make_app) -> None:
    catalog = load_catalog()
    index = next(i for i, q in enumerate(catalog.questions) if q.type == "count")
    question, after = catalog.questions[index], catalog.questions[index + 1]
    assert after.type == "yes_no"
    app = make_app()
    async with app.run_test() as pilot:
        app.push_screen(InterviewScreen(start=index))
        await pilot.pause()
        # 150, Enter, then at once "up" and Enter on the next question: yes.
        await burst(app, "1", "5", "0", "enter", "up", "enter")
        assert await until(pilot, lambda: app.screen.index == index + 2)
        assert app.session.answers.get(question.id) == 150
        assert app.session.answers.get(after.id) is True
