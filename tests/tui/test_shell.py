"""The app shell: home menu, navigation, settings, session files, themes, quitting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from advisor.tui.screens.chat import ChatScreen
from advisor.tui.screens.home import HomeScreen
from advisor.tui.screens.settings import SettingsScreen
from advisor.tui.session import Session
from advisor.tui.widgets.dialogs import ErrorDialog

pytestmark = pytest.mark.anyio


async def test_ctrl_q_quits_with_exit_code_0(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_menu_keys_open_screens_and_escape_returns(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("c")
        assert isinstance(app.screen, ChatScreen)


async def test_settings_change_backend_model_language(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("s")
        screen = app.screen
        screen.query_one("#model", Input).value = "my-model"
        screen.query_one("#backend", Select).value = "fake"
        await pilot.click("#lang-ja")
        await pilot.click("#apply")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.session.model == "my-model"
        assert app.session.language == "ja"
        assert app.model_id == "my-model"


async def test_f2_toggles_light_and_dark(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("f2")
        assert app.theme == "textual-light"
        assert app.session.theme == "textual-light"


async def test_save_and_reopen_session(make_app, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    app = make_app(answers={"x": 1}, job_ids=["ftjob-1"], language="ja")
    app.session_path = path
    async with app.run_test() as pilot:
        await pilot.press("ctrl+s")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["job_ids"] == ["ftjob-1"]
    assert Session.load(path).language == "ja"


async def test_bad_session_file_shows_the_error_with_its_line(make_app, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"answers": {}\n  oops', encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        assert app.open_session(bad) is False
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "line 2" in app.screen.message
        assert str(bad) in app.screen.message
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)


async def test_session_with_wrong_fields_is_a_data_file_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"language": "fr"}), encoding="utf-8")
    try:
        Session.load(bad)
    except Exception as exc:  # DataFileError names the field
        assert "language" in str(exc)
    else:
        raise AssertionError("a French session must be refused")


async def test_open_a_scenario_fills_the_session(make_app) -> None:
    from advisor.bench.scenario import list_scenarios, load_scenario
    from advisor.tui.screens.results import ResultsScreen
    from advisor.tui.widgets.dialogs import PickDialog

    found = list_scenarios()
    if not found:
        pytest.skip("no scenarios shipped in this checkout")
    expected = load_scenario(found[0])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        await pilot.press("enter")  # the first scenario
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.session.scenario == expected.name
        assert app.session.system_prompt == expected.system_prompt
        assert app.session.answers == dict(expected.answers)
