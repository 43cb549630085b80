"""``advisor backends list``: installed backends, capabilities, usability."""

from __future__ import annotations

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json

backends_app = typer.Typer(help="Model backends: list them and what they can do.")


@backends_app.command("list")
def list_backends(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Each installed backend, its capabilities and whether it is usable now."""
    from advisor.errors import AdvisorError
    from advisor.registry import backend_class, backend_names

    rows = []
    for name in backend_names():
        try:
            cls = backend_class(name)
            instance = cls(context.settings())
            availability = instance.availability()
            row = {
                "name": name,
                "description": cls.description,
                "capabilities": cls.capabilities.model_dump(mode="json"),
                "default_model": instance.default_model,
                "usable": availability.usable,
                "reason": availability.reason,
            }
        except AdvisorError as exc:
            row = {
                "name": name,
                "description": "",
                "capabilities": {},
                "default_model": None,
                "usable": False,
                "reason": str(exc),
            }
        rows.append(row)

    if fmt is OutputFormat.json:
        print_json({"backends": rows})
        return
    for row in rows:
        caps = row["capabilities"]
        flags = [k.removeprefix("supports_") for k, v in caps.items() if v is True]
        status = "usable" if row["usable"] else f"unusable: {row['reason']}"
        echo(f"{row['name']:<8} {status}")
        if row["description"]:
            echo(f"         {row['description']}")
        echo(f"         default model: {row['default_model']}; can: {', '.join(flags)}")


def register(app: typer.Typer) -> None:
    app.add_typer(backends_app, name="backends")
