"""``advisor export``: a local model as safetensors, GGUF or an Ollama folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from advisor.cli import context
from advisor.cli.output import echo, print_json, progress_bar
from advisor.data.texts import label_in


def export(
    model: str = typer.Argument(
        ..., help="A local fine-tune (local:ft:...), a preset id or a model folder."
    ),
    fmt: str = typer.Option(
        ..., "--format", help="gguf, safetensors or ollama (GGUF plus a Modelfile)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="A new (or empty) folder to write."),
    precision: str = typer.Option(
        "f32", "--precision", help="GGUF tensors: f32 (exact), f16 or q8_0 (smaller)."
    ),
    system: str | None = typer.Option(
        None, "--system", "-s", help="The Modelfile's SYSTEM prompt (ollama), e.g. the route's."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """Export MODEL (LoRA merged in float32) with a manifest of what went in and out."""
    from advisor.app.export import ExportRequest, export_model

    request = ExportRequest(model=model, format=fmt, out=out, precision=precision, system=system)
    with _Progress(enabled=not as_json) as progress:
        manifest = export_model(request, context.settings(), progress=progress)
    if as_json:
        print_json(manifest)
        return
    t = context.t
    echo(t("export.done", model=model, format=manifest.format, out=str(out)))
    for file in manifest.files:
        echo("  " + t("export.file", path=file.path, bytes=f"{file.bytes:,}", sha=file.sha256[:12]))
    echo(t("export.manifest", path=str(out / "export-manifest.json")))


class _Progress:
    """One bar per export step on stderr; silent for --json.

    The bar starts with the first step, so an error found before any work (a
    bad option, an unknown model) prints as one line with nothing around it.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = progress_bar()
            self._bar.__enter__()
        if label not in self._tasks:  # keyed by the English label, shown in the language
            shown = label_in(label, context.lang())
            self._tasks[label] = self._bar.add_task(shown, total=total or None)
        self._bar.update(self._tasks[label], completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
