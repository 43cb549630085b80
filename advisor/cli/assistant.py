"""``advisor assistant``: GPTs-style custom assistants saved as readable YAML profiles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.errors import UserInputError

if TYPE_CHECKING:
    from advisor.app.conversation import Conversation

assistant_app = typer.Typer(
    help="Custom assistants: instructions + knowledge files + conversation starters.",
    no_args_is_help=True,
)

NAME_ARGUMENT: Any = typer.Argument(..., help="Assistant name (lowercase, digits, - and _).")


@assistant_app.command("create")
def create(
    name: str = NAME_ARGUMENT,
    instructions: str | None = typer.Option(None, "--instructions", "-i", help="Instructions."),
    instructions_file: Path | None = typer.Option(
        None, "--instructions-file", help="Instructions from a text file."
    ),
    knowledge: list[Path] | None = typer.Option(
        None, "--knowledge", help="Knowledge file or folder (repeatable)."
    ),
    starter: list[str] | None = typer.Option(
        None, "--starter", help="Conversation starter (repeatable)."
    ),
    description: str = typer.Option("", "--description", help="One line about the assistant."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend it runs on."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id."),
    k: int = typer.Option(4, "--k", min=1, max=50, help="Chunks retrieved per question."),
    force: bool = typer.Option(False, "--force", help="Replace an assistant with that name."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Save an assistant profile; its knowledge is indexed on first use."""
    from advisor.app.assistants import AssistantDraft, create_assistant

    draft = AssistantDraft(
        name=name,
        instructions=instructions,
        instructions_file=instructions_file,
        knowledge=list(knowledge or []),
        starters=list(starter or []),
        description=description,
        backend=backend,
        model=model,
        k=k,
    )
    profile, path = create_assistant(draft, context.settings(), overwrite=force)
    if fmt is OutputFormat.json:
        print_json({"name": profile.name, "path": str(path)})
        return
    echo(msg("assistant.saved", name=profile.name, path=str(path)))


@assistant_app.command("list")
def list_assistants(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List saved assistants."""
    from advisor.routes import AssistantStore

    profiles = AssistantStore(context.settings()).list()
    if fmt is OutputFormat.json:
        print_json({"assistants": profiles})
        return
    if not profiles:
        echo(msg("assistant.none"))
    for p in profiles:
        backend = p.backend or msg("assistant.default_backend")
        where = f"{backend}/{p.model or msg('assistant.default_model')}"
        row = msg(
            "assistant.row",
            name=p.name,
            count=len(p.knowledge),
            where=where,
            description=p.description,
        )
        echo(row.rstrip())


@assistant_app.command("show")
def show(name: str = NAME_ARGUMENT, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Show one assistant's profile."""
    from advisor.routes import AssistantStore

    store = AssistantStore(context.settings())
    profile = store.get(name)
    if fmt is OutputFormat.json:
        print_json(profile)
        return
    echo(store.path(name).read_text(encoding="utf-8").rstrip())


@assistant_app.command("delete")
def delete(
    name: str = NAME_ARGUMENT,
    keep_knowledge: bool = typer.Option(
        False, "--keep-knowledge", help="Keep its knowledge base index."
    ),
) -> None:
    """Delete an assistant profile and its knowledge index (documents are untouched)."""
    from advisor.routes import AssistantStore

    AssistantStore(context.settings()).delete(name, drop_knowledge=not keep_knowledge)
    echo(msg("assistant.deleted", name=name))


@assistant_app.command("chat")
def chat(
    name: str = NAME_ARGUMENT,
    message: list[str] | None = typer.Option(
        None, "--message", "-q", help="Ask this and exit (repeatable); default: interactive."
    ),
    chroma_url: str | None = typer.Option(None, "--chroma-url", help="Chroma server URL."),
    max_tokens: int | None = typer.Option(None, min=1, help="Cap on generated tokens."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Chat with an assistant; each question is answered from its instructions and knowledge."""
    from advisor.app.ask import Asked, prepare
    from advisor.app.conversation import Conversation
    from advisor.app.routes import RouteSpec, build_route
    from advisor.cli.ask import print_answer
    from advisor.routes import CustomAssistantRoute
    from backends.types import GenerationParams

    spec = RouteSpec(route="custom_assistant", assistant=name, chroma_url=chroma_url)
    route = build_route(spec, context.settings(), context.backend)
    assert isinstance(route, CustomAssistantRoute)
    # One conversation: each question is answered knowing the earlier ones.
    conversation = Conversation(route, GenerationParams(max_tokens=max_tokens))
    if message:
        report = prepare(route)
        if fmt is OutputFormat.text:  # the JSON carries them in each answer's "warnings"
            _warn(report.warnings_in(context.lang()))
        results = []
        for question in message:
            answer = conversation.ask(question)
            if fmt is OutputFormat.json:
                results.append(Asked(answer, report).result())
            else:
                print_answer(answer)
        if fmt is OutputFormat.json:
            print_json({"assistant": name, "answers": results})
        return
    if fmt is OutputFormat.json:
        raise UserInputError.from_catalog(
            "assistant.json_needs_message", hint_key="assistant.json_needs_message_hint"
        )
    _interactive(conversation, name, route.profile.conversation_starters)


def _interactive(conversation: Conversation, name: str, starters: list[str]) -> None:
    from advisor.app.ask import prepare
    from advisor.cli.ask import print_answer

    echo(msg("assistant.chatting", name=name), err=True)
    for number, starter in enumerate(starters, start=1):
        echo(f"  {number}. {starter}", err=True)
    _warn(prepare(conversation.route).warnings_in(context.lang()))
    while True:
        try:
            line = input("> " if sys.stdin.isatty() else "").strip()
        except EOFError:
            break
        if not line:
            break
        if line.isdigit() and 1 <= int(line) <= len(starters):
            line = starters[int(line) - 1]  # pick a starter by its number
        print_answer(conversation.ask(line))


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        echo(msg("warning", warning=warning), err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(assistant_app, name="assistant")
