"""Ollama Modelfiles: written from a chat template, and parsed back to check them.

Ollama renders prompts with Go templates, not Jinja, so the chat template is
translated by family: ChatML (``<|im_start|>``, SmolLM2) is supported.  A
template this module does not recognise is an error rather than a guess: a
wrong template makes the exported model answer differently from the tuned one.

The parser follows Ollama's Modelfile reference: one instruction per line
(case-insensitive), ``#`` comments, values in ``\"\"\"`` may span lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor import messages
from advisor.errors import UserInputError

INSTRUCTIONS = ("FROM", "PARAMETER", "TEMPLATE", "SYSTEM", "ADAPTER", "LICENSE", "MESSAGE")
# The PARAMETER names Ollama's Modelfile reference documents.
PARAMETERS = (
    "mirostat",
    "mirostat_eta",
    "mirostat_tau",
    "num_ctx",
    "repeat_last_n",
    "repeat_penalty",
    "temperature",
    "seed",
    "stop",
    "num_predict",
    "top_k",
    "top_p",
    "min_p",
)
MESSAGE_ROLES = ("system", "user", "assistant")

CHATML_TEMPLATE = (
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n"
    "{{ .Content }}<|im_end|>\n"
    "{{ end }}<|im_start|>assistant\n"
)
# SmolLM2's template adds this system turn when a conversation has none.
_CHATML_DEFAULT_SYSTEM = re.compile(r"<\|im_start\|>system(?:\\n|\n)(.+?)<\|im_end\|>")


@dataclass(frozen=True)
class Instruction:
    """One parsed instruction, with the line it starts on."""

    name: str
    value: str
    line: int


@dataclass
class Modelfile:
    """A Modelfile's instructions in order."""

    instructions: list[Instruction] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [i.value for i in self.instructions if i.name == name]


def ollama_template(chat_template: str | None) -> str:
    """The Go template for a Jinja chat template.

    Raises:
        UserInputError: the template is none this module can translate.
    """
    if chat_template and "<|im_start|>" in chat_template:
        return CHATML_TEMPLATE
    raise UserInputError.from_catalog(
        "core.modelfile.chatml_only", hint_key="core.modelfile.chatml_only_hint"
    )


def default_system(chat_template: str | None) -> str | None:
    """The system prompt a template inserts when a conversation has none (SmolLM2 does)."""
    found = _CHATML_DEFAULT_SYSTEM.search(chat_template or "")
    return found.group(1) if found else None


def _quoted(text: str) -> str:
    if '"""' in text:
        raise UserInputError.from_catalog(
            "core.modelfile.triple_quotes", hint_key="core.modelfile.triple_quotes_hint"
        )
    return f'"""{text}"""'


def build_modelfile(
    gguf_name: str,
    chat_template: str | None,
    *,
    system: str | None = None,
    stop: list[str] | None = None,
) -> str:
    """A Modelfile for ``./gguf_name`` with the template, system prompt and stop tokens.

    With no ``system``, the one the chat template inserts by default (if any) is
    kept, so Ollama frames conversations as the tuned model saw them.
    """
    lines = [
        "# Written by `advisor export`; see docs/export.md.",
        f"FROM ./{gguf_name}",
        f"TEMPLATE {_quoted(ollama_template(chat_template))}",
    ]
    system_prompt = system if system is not None else default_system(chat_template)
    if system_prompt:
        lines.append(f"SYSTEM {_quoted(system_prompt)}")
    for token in dict.fromkeys(stop or []):
        lines.append(f'PARAMETER stop "{token}"')
    return "\n".join(lines) + "\n"


def parse_modelfile(text: str) -> Modelfile:
    """The instructions of a Modelfile.

    Raises:
        UserInputError: an unknown instruction or parameter, an unclosed
            ``\"\"\"``, a missing FROM, or a TEMPLATE whose actions do not balance
            (the message names the line).
    """
    parsed = Modelfile()
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition(" ")
        name = name.upper()
        if name not in INSTRUCTIONS:
            raise UserInputError.from_catalog(
                "core.modelfile.unknown_instruction",
                hint_key="core.modelfile.use_one_of_hint",
                where=_line(start),
                name=repr(name),
                names=", ".join(INSTRUCTIONS),
            )
        value = rest.strip()
        if value.startswith('"""'):
            value, index = _read_quoted(value, lines, index, start)
        parsed.instructions.append(Instruction(name, value, start))
        _check(parsed.instructions[-1])
    if not parsed.values("FROM"):
        raise UserInputError.from_catalog(
            "core.modelfile.no_from", hint_key="core.modelfile.add_from_hint"
        )
    return parsed


def _read_quoted(first: str, lines: list[str], index: int, start: int) -> tuple[str, int]:
    body = first[3:]
    if body.endswith('"""') and len(body) >= 3:
        return body[:-3], index
    parts = [body]
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.rstrip().endswith('"""'):
            parts.append(line.rstrip()[:-3])
            return "\n".join(parts), index
        parts.append(line)
    raise UserInputError.from_catalog(
        "core.modelfile.unclosed_quotes",
        hint_key="core.modelfile.unclosed_quotes_hint",
        where=_line(start),
    )


def _line(number: int) -> messages.Localized:
    """``Modelfile line N``, in the language of the error it is part of."""
    return messages.Localized("core.modelfile.line", {"line": number})


def _check(instruction: Instruction) -> None:
    where = _line(instruction.line)
    if instruction.name == "PARAMETER":
        key, _, value = instruction.value.partition(" ")
        if key not in PARAMETERS or not value.strip():
            raise UserInputError.from_catalog(
                "core.modelfile.bad_parameter",
                hint_key="core.modelfile.use_one_of_hint",
                where=where,
                value=repr(instruction.value),
                names=", ".join(PARAMETERS),
            )
    elif instruction.name == "MESSAGE":
        role = instruction.value.partition(" ")[0]
        if role not in MESSAGE_ROLES:
            raise UserInputError.from_catalog(
                "core.modelfile.bad_role",
                hint_key="core.modelfile.bad_role_hint",
                where=where,
                role=repr(role),
            )
    elif instruction.name == "TEMPLATE":
        check_go_template(instruction.value, where)
    elif instruction.name == "FROM" and not instruction.value:
        raise UserInputError.from_catalog(
            "core.modelfile.from_empty", hint_key="core.modelfile.from_empty_hint", where=where
        )


_ACTION = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.DOTALL)
_OPENERS = ("if", "range", "with", "block", "define")


def check_go_template(
    template: str, where: str | messages.Localized = messages.Localized("core.modelfile.template")
) -> None:
    """Every ``{{`` closes and every if/range/with/block/define has its ``end``.

    Raises:
        UserInputError: unbalanced braces or blocks.
    """
    if template.count("{{") != template.count("}}"):
        raise UserInputError.from_catalog(
            "core.modelfile.unbalanced", hint_key="core.modelfile.unbalanced_hint", where=where
        )
    depth = 0
    for action in _ACTION.findall(template):
        word = action.split(" ")[0] if action else ""
        if word in _OPENERS:
            depth += 1
        elif word == "end":
            depth -= 1
        if depth < 0:
            raise UserInputError.from_catalog(
                "core.modelfile.stray_end", hint_key="core.modelfile.stray_end_hint", where=where
            )
    if depth:
        raise UserInputError.from_catalog(
            "core.modelfile.unclosed_block",
            hint_key="core.modelfile.unclosed_block_hint",
            where=where,
        )
