"""``advisor backends list``: installed backends, capabilities, usability."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import BaseModel, Field

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.cli.warm_cmd import warm_app

backends_app = typer.Typer(help="Model backends: list them and what they can do.")
backends_app.add_typer(warm_app, name="warm")


class BackendInfo(BaseModel):
    """One row of ``advisor backends list --format json``."""

    name: str
    description: str = ""
    capabilities: dict[str, Any] = {}
    default_model: str | None = None
    usable: bool
    reason: str | None = None
    models: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Model presets the backend offers (the local backend: models.yaml).",
    )
    # The description and reason in the session's language, for the text output only.
    shown_description: str = Field("", exclude=True)
    shown_reason: str | None = Field(None, exclude=True)


class BackendList(BaseModel):
    backends: list[BackendInfo]


def describe(name: str) -> BackendInfo:
    """What the backend ``name`` can do and whether it can be used now; never raises."""
    from advisor.errors import AdvisorError
    from advisor.registry import backend_class

    lang = context.lang()
    try:
        cls = backend_class(name)
        instance = cls(context.settings())
        availability = instance.availability()
        # An optional backend method, so plugins without presets need nothing.
        presets = getattr(instance, "model_presets", None)
        return BackendInfo(
            name=name,
            description=cls.description,
            capabilities=cls.capabilities.model_dump(mode="json"),
            default_model=instance.default_model,
            usable=availability.usable,
            reason=availability.reason,
            models=presets() if callable(presets) else [],
            shown_description=cls.description_in(lang),
            shown_reason=availability.reason_in(lang),
        )
    except AdvisorError as exc:
        return BackendInfo(
            name=name, usable=False, reason=str(exc), shown_reason=exc.localized(lang)
        )


@backends_app.command("list")
def list_backends(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Each installed backend, its capabilities and whether it is usable now."""
    from advisor.registry import backend_names

    rows = BackendList(backends=[describe(name) for name in backend_names()])
    if fmt is OutputFormat.json:
        print_json(rows)
        return
    for row in rows.backends:
        flags = [k.removeprefix("supports_") for k, v in row.capabilities.items() if v is True]
        status = (
            msg("backends.usable")
            if row.usable
            else msg("backends.unusable", reason=row.shown_reason)
        )
        echo(f"{row.name:<8} {status}")
        if row.shown_description:
            echo(f"         {row.shown_description}")
        can = msg("backends.can", model=row.default_model, flags=", ".join(flags))
        echo(f"         {can}")
        for model in row.models:
            preset = msg(
                "backends.preset",
                id=model["id"],
                languages=",".join(model["languages"]),
                licence=model["licence"],
                size=model["size_mb"],
            )
            echo(f"         {preset}")


def register(app: typer.Typer) -> None:
    app.add_typer(backends_app, name="backends")
