"""Settings: backend, model, language and theme of this session."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from advisor.registry import backend_names
from advisor.tui.app import THEMES
from advisor.tui.screens.base import AdvisorScreen


class SettingsScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+enter,f10", "apply", "Apply"),
    ]

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with VerticalScroll(id="settings"):
            with Horizontal(classes="form-row"):
                yield Label(self.t("Backend"), classes="form-label")
                yield Select(
                    [(name, name) for name in backend_names()],
                    value=self.advisor.backend_name,
                    allow_blank=False,
                    id="backend",
                )
            yield Static(id="availability", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(self.t("Model"), classes="form-label")
                yield Input(session.model or "", placeholder=self.t("default model"), id="model")
            with Horizontal(classes="form-row"):
                yield Label(self.t("Language"), classes="form-label")
                with RadioSet(id="language"):
                    yield RadioButton("English", value=session.language == "en", id="lang-en")
                    yield RadioButton("日本語", value=session.language == "ja", id="lang-ja")
            with Horizontal(classes="form-row"):
                yield Label(self.t("Theme"), classes="form-label")
                yield Select(
                    [(name, name) for name in THEMES],
                    value=self.app.theme if self.app.theme in THEMES else THEMES[0],
                    allow_blank=False,
                    id="theme",
                )
            with Horizontal(classes="buttons"):
                yield Button(self.t("Apply"), variant="primary", id="apply")
                yield Button(self.t("Back"), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.t("settings")
        self.show_availability(self.advisor.backend_name)

    def language_changed(self) -> None:
        # F3 here: the radio buttons follow, or Apply would switch the language back.
        language = self.session.language
        self.query_one(f"#lang-{language}", RadioButton).value = True
        self.show_availability(str(self.query_one("#backend", Select).value))

    @on(Select.Changed, "#backend")
    def backend_changed(self, event: Select.Changed) -> None:
        self.show_availability(str(event.value))

    def show_availability(self, name: str) -> None:
        from advisor.errors import AdvisorError

        lang = self.session.language
        target = self.query_one("#availability", Static)
        try:
            backend = self.advisor.backend(name)
        except Exception as exc:  # an unusable backend is shown, not raised
            error = exc.localized(lang) if isinstance(exc, AdvisorError) else exc
            target.update(self.t("unavailable: {error}", error=error))
            return
        status = backend.availability()
        model = self.query_one("#model", Input)
        model.placeholder = self.t("default: {model}", model=backend.default_model)
        if status.usable:
            target.update(
                self.t(
                    "{description} · default model {model}",
                    description=backend.description_in(lang),
                    model=backend.default_model,
                )
            )
        else:
            reason = _IN_THE_WIZARD.get(status.reason_key or "")
            shown = self.t(reason) if reason else status.reason_in(lang)
            target.update(self.t("not usable now: {reason}", reason=shown))

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        session = self.session
        backend = str(self.query_one("#backend", Select).value)
        session.backend = None if backend == self.advisor.settings.backend else backend
        session.model = self.query_one("#model", Input).value.strip() or None
        language = "ja" if self.query_one("#lang-ja", RadioButton).value else "en"
        if language != session.language:
            self.advisor.action_toggle_language()
        self.app.theme = str(self.query_one("#theme", Select).value)
        self.notify(
            self.t(
                "settings applied: {backend}, {model}",
                backend=self.advisor.backend_name,
                model=self.advisor.model_id,
            )
        )
        self.action_back()

    @on(Button.Pressed, "#back")
    def back_pressed(self) -> None:
        self.action_back()


# The catalog's reasons end in the command line's fix ("choose --backend local"); here
# the fix is the list above the line.
_IN_THE_WIZARD = {
    "core.backend.no_openai_key": (
        "no OPENAI_API_KEY: set OPENAI_API_KEY, or pick another backend in the list"
    ),
    "core.backend.no_azure_key": (
        "no AZURE_OPENAI_API_KEY: set AZURE_OPENAI_API_KEY, or pick another backend in the list"
    ),
}
