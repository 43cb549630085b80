"""Home: start or reopen an assessment, and reach every other part of the wizard."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.i18n import tr
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.widgets.dialogs import PathDialog, PickDialog

MENU: list[tuple[str, str, str, str]] = [
    # (id, key, footer label, menu label)
    ("new", "n", "New", "New assessment"),
    ("results", "r", "Results", "Results of the current answers"),
    ("open", "o", "Open", "Open a saved session"),
    ("scenario", "p", "Scenario", "Open a scenario"),
    ("data", "d", "Data", "Check training data"),
    ("run", "j", "Run", "Run a route / fine-tuning jobs"),
    ("compare", "b", "Bench", "Benchmarks: compare the routes"),
    ("chat", "c", "Chat", "Chat with the prepared route"),
    ("arena", "a", "Arena", "Arena: vote between two answers, blind"),
    ("settings", "s", "Settings", "Settings: backend, model, language"),
]


INTRO = (
    "Decide between a system prompt, RAG, a custom assistant and fine-tuning "
    "(SFT, DPO, RFT), run it, and prove the choice."
)


class HomeScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", show=False),
        # The menu itself shows these keys; the footer keeps room for the global ones.
        *[Binding(key, f"menu('{item}')", short, show=False) for item, key, short, _ in MENU],
        Binding("v", "menu('review')", "Review", show=False),  # docs/tui.md: the review queue
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(tr(INTRO, self.session.language), id="home-intro")
            yield OptionList(*self._menu_options(), id="menu")
            yield Static(id="home-status", markup=False)
        yield Footer()

    def _menu_options(self) -> list[Option]:
        lang = self.session.language
        return [Option(f"[b]{key}[/b]  {tr(label, lang)}", id=item) for item, key, _, label in MENU]

    def on_mount(self) -> None:
        self.sub_title = self.t("home")
        self.query_one("#menu", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        session = self.session
        lang = session.language
        answers = len(session.answers)
        parts = [
            f"{tr('backend', lang)} {self.advisor.backend_name}",
            f"{tr('model', lang)} {session.model or tr('default', lang)}",
            f"{tr('language', lang)} {lang}",
            f"{answers} answer" + ("" if answers == 1 else "s")
            if lang == "en"
            else f"{answers}{tr('answers', lang)}",
        ]
        if session.scenario:
            parts.append(self.t("scenario {name}", name=session.scenario))
        if session.job_ids:
            parts.append(self.t("{count} jobs", count=len(session.job_ids)))
        if self.advisor.session_path:
            parts.append(self.t("session {path}", path=self.advisor.session_path))
        self.query_one("#home-status", Static).update(" · ".join(parts))

    def language_changed(self) -> None:
        self.query_one("#home-intro", Static).update(tr(INTRO, self.session.language))
        menu = self.query_one("#menu", OptionList)
        highlighted = menu.highlighted
        menu.set_options(self._menu_options())
        menu.highlighted = highlighted
        self.refresh_status()

    @on(OptionList.OptionSelected, "#menu")
    def menu_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_menu(event.option.id)

    def action_menu(self, item: str) -> None:
        if item == "new":
            self.session.answers = {}
            self.go("interview")
        elif item == "open":
            self.app.push_screen(
                PathDialog(self.t("Open a saved session"), suffixes=(".json",)), self._open_session
            )
        elif item == "scenario":
            self.pick_scenario()
        else:
            self.go(item)

    def _open_session(self, path: Path | None) -> None:
        if path is not None and self.advisor.open_session(path):
            self.refresh_status()
            if self.session.answers:
                self.go("results")

    @work(thread=True, exit_on_error=False, group="scenarios")
    def pick_scenario(self) -> None:
        from advisor.bench.scenario import list_scenarios, load_scenario
        from advisor.errors import AdvisorError

        options: list[tuple[str, str]] = []
        for path in list_scenarios():
            try:
                found = load_scenario(path)
            except AdvisorError as exc:  # a broken scenario is listed, not fatal
                options.append(
                    (
                        str(path),
                        self.t(
                            "{name}: cannot be loaded ({error})",
                            name=path.name,
                            error=exc.localized(self.session.language),
                        ),
                    )
                )
                continue
            options.append((str(path), f"{found.name}: {found.title} ({found.language})"))
        self.app.call_from_thread(
            self.app.push_screen,
            PickDialog(self.t("Open a scenario"), options),
            self._scenario_chosen,
        )

    def _scenario_chosen(self, name: str | None) -> None:
        if name is not None:
            self.load_scenario(name)

    @work(thread=True, exit_on_error=False, group="scenarios")
    def load_scenario(self, name: str) -> None:
        from advisor.bench.scenario import load_scenario

        scenario = load_scenario(name)
        self.app.call_from_thread(self._apply_scenario, scenario)

    def _apply_scenario(self, scenario) -> None:
        self.session.apply_scenario(scenario)
        self.refresh_status()
        self.notify(self.t("scenario {name} opened", name=scenario.name), timeout=3)
        self.go("results")
