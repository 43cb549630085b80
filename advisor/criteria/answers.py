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
from advisor.messages import Localized

_YES = {"yes", "y", "true", "on", "はい"}
_NO = {"no", "n", "false", "off", "いいえ"}


class AnswerError(UserInputError):
    """One answer is wrong; ``question`` names it so a file loader can add the line."""

    question: str = ""

    @classmethod
    def about(
        cls, question: str, key: str, /, *, hint_key: str | None = None, **values: Any
    ) -> AnswerError:
        """The catalog error ``key`` about the answer to ``question``."""
        error = cls.from_catalog(key, hint_key=hint_key, **values)
        error.question = question
        return error


def expected(question: Question) -> Localized:
    """The expected type of an answer, in words (for error messages, in their language)."""
    if question.type == "yes_no":
        return Localized("core.criteria.expected_yes_no")
    if question.type == "choice":
        return Localized(
            "core.criteria.expected_choice", {"choices": ", ".join(question.choice_values())}
        )
    if question.type == "count":
        return Localized("core.criteria.expected_count")
    return Localized("core.criteria.expected_scale", {"low": question.min, "high": question.max})


def coerce_answer(question: Question, value: Any) -> AnswerValue:
    """``value`` as the question's type; raise :class:`AnswerError` when it is not one."""

    def wrong() -> AnswerError:
        return AnswerError.about(
            question.id,
            "core.criteria.wrong_answer",
            question=repr(question.id),
            expected=expected(question),
            value=repr(value),
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
            raise AnswerError.about(
                str(key),
                "core.criteria.unknown_question",
                hint_key="core.criteria.unknown_question_hint",
                question=repr(key),
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
            raise UserInputError.from_catalog(
                "core.criteria.answers_not_mapping", kind=type(value).__name__
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
        raise DataFileError.from_catalog(
            "core.criteria.answers_not_found",
            hint_key="core.criteria.answers_not_found_hint",
            path=str(path),
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError.from_catalog(
            "core.criteria.answers_not_utf8",
            hint_key="core.criteria.answers_not_utf8_hint",
            path=str(path),
        ) from exc
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.criteria.answers_unreadable", path=str(path), error=exc.strerror
        ) from exc

    data, lines = _parse(text, path)
    if isinstance(data, Mapping) and isinstance(data.get("answers"), Mapping):
        data = data["answers"]
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise DataFileError.from_catalog(
            "core.criteria.file_not_mapping",
            hint_key="core.criteria.file_not_mapping_hint",
            path=str(path),
        )
    try:
        return Answers(validate_mapping(data, load_catalog()))
    except AnswerError as exc:
        line = lines.get(exc.question) or _find_line(text, exc.question)
        # The answer's own catalog sentence (AnswerError.about), now with its file and line.
        assert exc.key is not None
        raise DataFileError.from_catalog(
            exc.key,
            hint_key=exc.hint_key,
            path=str(path),
            line=line,
            **exc.values,
        ) from exc


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
        raise DataFileError.from_catalog(
            "core.criteria.invalid_json", path=str(path), line=exc.lineno, error=exc.msg
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise DataFileError.from_catalog(
            "core.criteria.invalid_toml", path=str(path), line=line, error=str(exc)
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or Localized("core.criteria.yaml_syntax_error")
        raise DataFileError.from_catalog(
            "core.criteria.invalid_yaml", path=str(path), line=line, error=problem
        ) from exc
    raise DataFileError.from_catalog(
        "core.criteria.unsupported_type",
        hint_key="core.criteria.unsupported_type_hint",
        path=str(path),
        suffix=repr(suffix),
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
