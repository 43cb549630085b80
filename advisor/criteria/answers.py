"""Answers to the interview: validated against the catalog, loadable from YAML, JSON or TOML.

An answers file is either a flat mapping of question id to value, or any mapping
with an ``answers`` table (so a benchmark ``scenario.toml`` can be assessed as it
is).  Unanswered questions take the catalog default.  Every mistake is reported as
one sentence naming the question id and the expected type, with the line number
where the file format lets us find it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import RootModel, field_validator

from advisor.criteria.catalog import AnswerValue, Catalog, Question, load_catalog
from advisor.errors import DataFileError, UserInputError

_YES = {"yes", "y", "true", "on", "はい"}
_NO = {"no", "n", "false", "off", "いいえ"}


class AnswerError(UserInputError):
    """One answer is wrong; ``question`` names it so a file loader can add the line."""

    def __init__(self, question: str, message: str, *, hint: str | None = None) -> None:
        self.question = question
        super().__init__(message, hint=hint)


def expected(question: Question) -> str:
    """The expected type of an answer, in words (for error messages)."""
    if question.type == "yes_no":
        return "yes/no (true or false)"
    if question.type == "choice":
        return "one of " + ", ".join(question.choice_values())
    if question.type == "count":
        return "a whole number of 0 or more"
    return f"a whole number from {question.min} to {question.max}"


def coerce_answer(question: Question, value: Any) -> AnswerValue:
    """``value`` as the question's type; raise :class:`AnswerError` when it is not one."""

    def wrong() -> AnswerError:
        return AnswerError(
            question.id,
            f"answer {question.id!r} must be {expected(question)}, got {value!r}",
        )

    if question.type == "yes_no":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _YES | _NO:
            return value.strip().lower() in _YES
        raise wrong()
    if question.type == "choice":
        if isinstance(value, str) and value in question.choice_values():
            return value
        raise wrong()
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise wrong()
    if isinstance(value, str):
        if not re.fullmatch(r"\s*\d+\s*", value):
            raise wrong()
        value = int(value)
    low = 0 if question.type == "count" else (question.min or 0)
    high = question.max if question.type == "scale" else None
    if value < low or (high is not None and value > high):
        raise wrong()
    return value


def validate_mapping(data: Mapping[str, Any], catalog: Catalog) -> dict[str, AnswerValue]:
    """Check every id and value; return the answers with their proper Python types."""
    known = set(catalog.question_ids())
    clean: dict[str, AnswerValue] = {}
    for key, value in data.items():
        if not isinstance(key, str) or key not in known:
            raise AnswerError(
                str(key),
                f"unknown question id {key!r}",
                hint="run `advisor questions` for the list of ids",
            )
        if value is None:  # an empty entry means "not answered": the default applies
            continue
        clean[key] = coerce_answer(catalog.question(key), value)
    return clean


class Answers(RootModel[dict[str, AnswerValue]]):
    """The answers given, by question id.  Validated against the catalog on creation.

    Only answered questions are stored; :meth:`resolved` fills in the defaults.
    """

    root: dict[str, AnswerValue] = {}

    @field_validator("root", mode="before")
    @classmethod
    def _validate(cls, value: Any) -> dict[str, AnswerValue]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise UserInputError(
                f"answers must be a mapping of question id to value, got {type(value).__name__}"
            )
        return validate_mapping(value, load_catalog())

    def resolved(self, catalog: Catalog | None = None) -> dict[str, AnswerValue]:
        """Every question's value: the given answer or the catalog default."""
        values = (catalog or load_catalog()).defaults()
        values.update(self.root)
        return values

    def with_answer(self, question_id: str, value: AnswerValue) -> Answers:
        return Answers({**self.root, question_id: value})

    def get(self, question_id: str) -> AnswerValue | None:
        return self.root.get(question_id)


def load_answers(path: str | Path) -> Answers:
    """Read an answers file (``.yaml``/``.yml``, ``.json`` or ``.toml``)."""
    path = Path(path)
    try:
        # utf-8-sig: editors on Windows often save UTF-8 with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DataFileError("answers file not found", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(
            "the answers file is not UTF-8 text", path=str(path), hint="save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise DataFileError(f"cannot read answers file ({exc.strerror})", path=str(path)) from exc

    data, lines = _parse(text, path)
    if isinstance(data, Mapping) and isinstance(data.get("answers"), Mapping):
        data = data["answers"]
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise DataFileError(
            "an answers file must hold a mapping of question id to value",
            path=str(path),
            hint="write one `question_id: value` per line",
        )
    try:
        return Answers(validate_mapping(data, load_catalog()))
    except AnswerError as exc:
        line = lines.get(exc.question) or _find_line(text, exc.question)
        raise DataFileError(exc.message, path=str(path), line=line, hint=exc.hint) from exc


def _parse(text: str, path: Path) -> tuple[Any, dict[str, int]]:
    """The file's data and, for YAML, the line of each answer key."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(text), {}
        if suffix == ".toml":
            return tomllib.loads(text), {}
        if suffix in (".yaml", ".yml", ""):
            return yaml.safe_load(text), _yaml_key_lines(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise DataFileError(f"invalid TOML: {exc}", path=str(path), line=line) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "syntax error"
        raise DataFileError(f"invalid YAML: {problem}", path=str(path), line=line) from exc
    raise DataFileError(
        f"unsupported answers file type {suffix!r}",
        path=str(path),
        hint="use .yaml, .yml, .json or .toml",
    )


def _yaml_key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of every mapping key in a YAML document, innermost last."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    lines.setdefault(str(key.value), key.start_mark.line + 1)
                stack.append(value)
    return lines


def _find_line(text: str, key: str) -> int | None:
    """First line where ``key`` appears as a key (JSON and TOML give no positions)."""
    pattern = re.compile(rf"""(^|[\s{{,])["']?{re.escape(key)}["']?\s*[:=]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
