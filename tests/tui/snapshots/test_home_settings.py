"""Snapshots: home, settings, the error dialog."""

from __future__ import annotations

from advisor.tui.screens.settings import SettingsScreen


def test_home(snap, make_app) -> None:
    assert snap(make_app(answers={"needs_citations": True}, job_ids=["ftjob-demo"]))


def test_home_light_theme(snap, make_app) -> None:
    assert snap(make_app(theme="textual-light"))


def test_settings(snap, make_app) -> None:
    async def open_settings(pilot) -> None:
        await pilot.app.push_screen(SettingsScreen())

    assert snap(make_app(model="fake-model"), open_settings)


def test_error_dialog(snap, make_app, workdir) -> None:
    (workdir / "broken.json").write_text("{\n  nope", encoding="utf-8")

    async def open_broken(pilot) -> None:
        pilot.app.open_session(workdir / "broken.json")
        await pilot.pause()

    # The message names the absolute path; keep only what is stable.
    app = make_app()

    async def run(pilot) -> None:
        await open_broken(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#error-message").update(dialog.message.replace(str(workdir), "<tmp>"))

    assert snap(app, run)
