"""The guided terminal wizard (Textual), also served to browsers by ``advisor serve``.

This package is the only one that imports textual.  It holds no business logic:
every screen calls the headless core (``advisor.criteria``, ``advisor.data``,
``advisor.routes``, ``advisor.rag``, ``advisor.app``, ``advisor.bench``) and
shows what comes back.  Slow work runs in Textual thread workers so the screen
never freezes; heavy libraries load lazily inside those workers.
"""

from __future__ import annotations

from pathlib import Path


def run(*, answers: Path | None = None, session: Path | None = None) -> int:
    """Open the wizard in this terminal; returns the app's exit code."""
    from advisor.tui.app import AdvisorApp

    app = AdvisorApp.from_files(answers=answers, session_path=session)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
