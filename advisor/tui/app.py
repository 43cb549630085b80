"""The wizard's application object: settings, the session and the backends it uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from advisor import messages
from advisor.errors import AdvisorError
from advisor.settings import Settings, load_settings
from advisor.tui import textual_fixes
from advisor.tui.i18n import retr, retranslate_widgets, tr, translate_bindings
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.session import Session

if TYPE_CHECKING:
    from backends.base import Backend

textual_fixes.apply()

DEFAULT_SESSION_FILE = "advisor-session.json"
THEMES = ("textual-dark", "textual-light")


class AdvisorApp(App[int]):
    """route advisor: interview, results, data, run, compare and chat."""

    CSS_PATH = "app.tcss"
    TITLE = "route advisor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Off the footer so that every screen's own keys fit 80 columns; listed in
        # docs/tui.md and in the command palette (ctrl+p).
        Binding("ctrl+s", "save_session", "Save", show=False),
        Binding("f2", "toggle_theme", "Theme", show=False),
        Binding("f3", "toggle_language", "EN/JA"),
    ]

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        session: Session | None = None,
        session_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or load_settings()
        # The global --lang / ADVISOR_LANG first, then the settings (advisor.toml).
        start = messages.chosen_lang() or self.settings.language
        self.session = session or Session(language=start)
        self.session_path = session_path
        self._backends: dict[str, Backend] = {}
        self.startup_error: AdvisorError | None = None

    @classmethod
    def from_files(
        cls,
        *,
        answers: Path | None = None,
        session_path: Path | None = None,
        settings: Settings | None = None,
    ) -> AdvisorApp:
        """The app preloaded from a session file and/or an answers file.

        A bad file does not stop the wizard: it opens and shows the error.
        """
        app = cls(settings=settings, session_path=session_path)
        try:
            if session_path is not None and session_path.exists():
                app.session = Session.load(session_path)
            if answers is not None:
                from advisor.criteria import load_answers

                app.session.answers = dict(load_answers(answers).root)
        except AdvisorError as exc:
            app.startup_error = exc
        return app

    # --- lifecycle ------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        from advisor.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.theme = (
            self.session.theme if self.session.theme in self.available_themes else THEMES[0]
        )
        if self.startup_error is not None:
            self.show_error(self.startup_error)
        translate_bindings(self, self.session.language)

    def watch_theme(self, theme: str) -> None:
        self.session.theme = theme

    # --- backends -------------------------------------------------------------------

    @property
    def backend_name(self) -> str:
        return self.session.backend or self.settings.backend

    def backend(self, name: str | None = None) -> Backend:
        """The backend ``name`` (default: the session's), built once per app."""
        from advisor.registry import get_backend

        name = name or self.backend_name
        if name not in self._backends:
            self._backends[name] = get_backend(name, self.settings)
        return self._backends[name]

    @property
    def model_id(self) -> str:
        """The chosen chat model, or the backend's default."""
        return self.session.model or self.backend().default_model

    # --- errors ---------------------------------------------------------------------

    def show_error(self, error: BaseException, *, title: str | None = None) -> None:
        """Show an error in a modal; AdvisorError messages already name the fix."""
        from advisor.tui.widgets.dialogs import ErrorDialog

        lang = self.session.language
        if isinstance(error, AdvisorError):
            message = error.localized(lang)  # errors from the message catalog speak Japanese
        else:
            message = tr(
                "unexpected error: {error}; please report it with the steps that led here", lang
            ).format(error=repr(error))
        self.push_screen(ErrorDialog(title or tr("Something went wrong", lang), message))

    # --- actions --------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    def action_toggle_language(self) -> None:
        self.session.language = lang = "ja" if self.session.language == "en" else "en"
        self.notify(f"{tr('language', lang)}: {lang}", timeout=2)
        translate_bindings(self, lang)
        for screen in self.screen_stack:
            footer = getattr(screen, "translate_footer", None)
            if footer is not None:
                footer()
            if isinstance(screen, AdvisorScreen):
                retranslate_widgets(screen, lang)
                screen.sub_title = retr(screen.sub_title or "", lang)
            refresh = getattr(screen, "language_changed", None)
            if refresh is not None:
                refresh()

    def action_save_session(self) -> None:
        if self.session_path is not None:
            self.save_session(self.session_path)
            return
        from advisor.tui.widgets.dialogs import PathDialog

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.save_session(path)

        self.push_screen(
            PathDialog(
                tr("Save the session as", self.session.language),
                default=DEFAULT_SESSION_FILE,
                must_exist=False,
            ),
            chosen,
        )

    def save_session(self, path: Path) -> None:
        try:
            self.session.save(path)
        except AdvisorError as exc:
            self.show_error(exc)
            return
        self.session_path = path
        self.notify(
            tr("session saved to {path}", self.session.language).format(path=path), timeout=3
        )

    def open_session(self, path: Path) -> bool:
        try:
            self.session = Session.load(path)
        except AdvisorError as exc:
            self.show_error(exc)
            return False
        self.session_path = path
        self._backends.clear()
        if self.session.theme in self.available_themes:
            self.theme = self.session.theme
        self.notify(
            tr("session opened from {path}", self.session.language).format(path=path), timeout=3
        )
        return True
