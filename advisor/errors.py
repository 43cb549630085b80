"""The one error hierarchy of the product.

Every failure a user can cause or fix is an :class:`AdvisorError`.  Its message
is one sentence that says what is wrong and how to fix it; the CLI prints it
without a traceback and exits with :attr:`AdvisorError.exit_code`:

* 2 - bad input or configuration (the user must change something),
* 1 - the command ran but something failed or was found wanting.

Vendor exceptions (openai, chromadb, transformers, ...) never cross a module
boundary: the code that calls the vendor translates them with ``raise ... from``
so the original stays available in ``__cause__`` for debugging.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Self, TypeVar

from advisor import messages

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

_Model = TypeVar("_Model", bound="BaseModel")


class AdvisorError(Exception):
    """Base class of every error the product raises on purpose."""

    exit_code: int = 1

    # Set by from_catalog: the message (and hint) can then be shown in Japanese too.
    sentence: messages.Localized | None = None
    hint_sentence: messages.Localized | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    @classmethod
    def from_catalog(cls, key: str, *, hint_key: str | None = None, **values: Any) -> Self:
        """An error whose message (and hint) are ``advisor/messages.yaml`` entries."""
        sentence, hint = _sentences(key, hint_key, values)
        return cls(str(sentence), hint=_english(hint)).saying(sentence, hint)

    def saying(self, sentence: messages.Localized, hint: messages.Localized | None = None) -> Self:
        """This error as the catalog's ``sentence`` (and ``hint``) in other languages;
        its English stays as raised."""
        self.sentence, self.hint_sentence = sentence, hint
        return self

    @property
    def key(self) -> str | None:
        return None if self.sentence is None else self.sentence.key

    @property
    def hint_key(self) -> str | None:
        return None if self.hint_sentence is None else self.hint_sentence.key

    @property
    def values(self) -> Mapping[str, Any]:
        return {} if self.sentence is None else self.sentence.values

    def __str__(self) -> str:
        return messages.hinted(self.message, self.hint, "en") if self.hint else self.message

    def localized(self, lang: str) -> str:
        """The sentence in ``lang``; an error not from the catalog stays as raised (English)."""
        if lang == "en" or self.sentence is None:
            return str(self)
        message = self.message_in(lang)
        if self.hint_sentence is None:
            return message if self.hint is None else f"{message}: {self.hint}"
        return messages.hinted(message, self.hint_sentence.localized(lang), lang)

    def message_in(self, lang: str) -> str:
        """The message without its hint in ``lang`` (as raised when not from the catalog)."""
        if lang == "en" or self.sentence is None:
            return self.message
        return self.where(lang) + self.sentence.localized(lang)

    def where(self, lang: str) -> str:
        """What the message points at, in ``lang`` ("" here; a file and line in DataFileError)."""
        where = self.where_sentence()
        return "" if where is None else where.localized(lang)

    def where_sentence(self) -> messages.Localized | None:
        """The place the message points at, as a catalog sentence (None here)."""
        return None

    def stored_sentence(self) -> messages.StoredSentence | None:
        """This error as a record stores it (a job's error, a failed route), to be read in
        any language later; None when not from the catalog, or when its hint is English only
        (the record's stored texts then stand)."""
        if self.sentence is None or (self.hint is not None and self.hint_sentence is None):
            return None
        sentence, where = self.sentence, self.where_sentence()
        if where is not None:
            sentence = messages.Localized("core.located", {"where": where, "message": sentence})
        return messages.StoredSentence.of(sentence, self.hint_sentence)


def _sentences(
    key: str, hint_key: str | None, values: dict[str, Any]
) -> tuple[messages.Localized, messages.Localized | None]:
    """A catalog error's message and hint: both filled with the same values."""
    hint = messages.Localized(hint_key, values) if hint_key else None
    return messages.Localized(key, values), hint


def _english(sentence: messages.Localized | None) -> str | None:
    return None if sentence is None else str(sentence)


# --- bad input and configuration (exit 2) ---------------------------------------------


class UserInputError(AdvisorError):
    """Input the user gave is wrong: a file, an option, an answer."""

    exit_code = 2


class DataFileError(UserInputError):
    """A data file cannot be read or has invalid content.

    ``path`` and the 1-based ``line`` are kept so callers can point at the spot.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        where = ""
        if path and line:
            where = f"{path}, line {line}: "
        elif path:
            where = f"{path}: "
        super().__init__(where + message, hint=hint)

    @classmethod
    def from_catalog(
        cls,
        key: str,
        *,
        hint_key: str | None = None,
        path: str | None = None,
        line: int | None = None,
        **values: Any,
    ) -> Self:
        """A catalog error that points at ``path`` (and ``line``) in every language."""
        sentence, hint = _sentences(key, hint_key, values)
        error = cls(str(sentence), path=path, line=line, hint=_english(hint))
        return error.saying(sentence, hint)

    def where_sentence(self) -> messages.Localized | None:
        if self.path and self.line:
            return messages.Localized("core.where_line", {"path": self.path, "line": self.line})
        return messages.Localized("core.where_path", {"path": self.path}) if self.path else None


class ConfigError(UserInputError):
    """Settings or the environment are wrong or incomplete."""


# --- backends ---------------------------------------------------------------------------


class BackendError(AdvisorError):
    """A model backend failed while doing its work."""


class BackendNotFoundError(ConfigError):
    """No installed backend has the requested name."""


class BackendUnavailableError(ConfigError):
    """The backend exists but cannot be used now (missing key, package or model)."""


class CapabilityError(UserInputError):
    """The backend does not support the requested operation."""


class ModelNotFoundError(UserInputError):
    """The requested model does not exist on the backend."""


class AuthenticationError(ConfigError):
    """The backend rejected the credentials."""


class RateLimitError(BackendError):
    """The backend refused the request for rate or quota reasons, even after retries."""


class BackendConnectionError(BackendError):
    """The backend could not be reached or timed out, even after retries."""


class BackendRequestError(BackendError):
    """The backend rejected the request as invalid."""


# --- other areas ------------------------------------------------------------------------


class JobError(AdvisorError):
    """A fine-tuning job could not be created, found or controlled."""


class JobNotFoundError(UserInputError):
    """No job with that id exists in the job store."""


class StoreError(UserInputError):
    """A store file of the product (the job store) is damaged or cannot be opened."""


class KnowledgeBaseError(AdvisorError):
    """A knowledge base (RAG index) could not be built or queried."""


class KnowledgeBaseNotFoundError(KnowledgeBaseError):
    """No knowledge base of that name: a mistyped ``--kb`` is bad input, as in ``ask``."""

    exit_code = 2


class KnowledgeBaseMismatchError(KnowledgeBaseError):
    """The knowledge base was indexed with another embedder: configuration to fix, exit 2."""

    exit_code = 2


class GraderError(AdvisorError):
    """A grader is misconfigured or failed while grading."""


class CancelledError(AdvisorError):
    """Slow work was cancelled by the user."""

    exit_code = 130


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """The first problem pydantic found: its dotted location ("" at top level) and message."""
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]), str(first["msg"])


def first_worded(exc: ValidationError) -> tuple[str, messages.Worded]:
    """:func:`first_problem` with its problem in each language (:func:`pydantic_problem`)."""
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]), pydantic_problem(first)


def validated(model: type[_Model], data: Any, *, what: str, path: str) -> _Model:
    """``data`` as ``model``; invalid data is a :class:`DataFileError` naming ``what`` is wrong.

    The one loader shape of the shipped tables (criteria catalog, lifecycle, prices);
    ``what`` is the catalog key of the table's name (``core.table.*``).
    """
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_worded(exc)
        raise DataFileError.from_catalog(
            "core.table.invalid",
            path=path,
            what=messages.Localized(what),
            where=loc or messages.Localized("core.json_file.top_level"),
            error=problem,
        ) from exc


class JsonFileKeys(NamedTuple):
    """What :func:`load_json_file` says about one kind of file, as catalog keys.

    The sentences follow the language switch.  ``unreadable`` and ``invalid`` take
    ``{error}`` (``invalid`` also ``{where}``); the line of bad JSON goes to the
    error's place, not the sentence.
    """

    unreadable: str
    invalid: str
    #: The fix for bad JSON, bytes that are not UTF-8 and invalid content.
    hint: str | None = None
    #: Bad JSON, with its line; ``None`` lets pydantic word it as ``invalid`` (no line).
    bad_json: str | None = "core.not_json"
    #: A missing file's own sentence (else it is ``unreadable``).
    not_found: str | None = None
    #: The fix for a file that is missing or cannot be read.
    unreadable_hint: str | None = None
    #: ``{where}`` for a problem of the whole document.
    top: str = "core.json_file.top_level"
    #: The fix for valid JSON whose content does not fit (else ``hint``).
    invalid_hint: str | None = None


def load_json_file(model: type[_Model], path: Path, keys: JsonFileKeys) -> _Model:
    """The JSON file at ``path`` as ``model``; every problem is one :class:`DataFileError`.

    The one loader shape of the product's own JSON files (wizard and arena sessions,
    bench results): a missing or unreadable file, bad JSON (with its line) and
    content that does not fit each become one sentence naming the file, in the
    reader's language.
    """
    from pydantic import ValidationError

    where = str(path)
    text = _json_text(path, keys)
    try:
        if keys.bad_json is None:
            return model.model_validate_json(text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError.from_catalog(
                keys.bad_json,
                hint_key=keys.hint,
                path=where,
                line=exc.lineno,
                error=json_problem(exc, with_line=False),
            ) from exc
        return model.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_worded(exc)
        raise DataFileError.from_catalog(
            keys.invalid,
            hint_key=keys.invalid_hint or keys.hint,
            path=where,
            where=loc or messages.Localized(keys.top),
            error=problem,
        ) from exc


def _json_text(path: Path, keys: JsonFileKeys) -> str:
    """The text of ``path``; a missing, unreadable or non-UTF-8 file is one error."""
    where = str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if keys.not_found is None:
            raise DataFileError.from_catalog(
                keys.unreadable, hint_key=keys.unreadable_hint, path=where, error=exc.strerror
            ) from exc
        raise DataFileError.from_catalog(
            keys.not_found, hint_key=keys.unreadable_hint, path=where
        ) from exc
    except OSError as exc:
        raise DataFileError.from_catalog(
            keys.unreadable, hint_key=keys.unreadable_hint, path=where, error=exc.strerror
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError.from_catalog(
            keys.unreadable,
            hint_key=keys.hint,
            path=where,
            error=messages.Localized("core.json_file.not_utf8"),
        ) from exc


# Python's json messages (their start) and the catalog's sentences for them.
_JSON_PROBLEMS = (
    ("Expecting value", "core.json.expecting_value"),
    ("Expecting property name", "core.json.expecting_name"),
    ("Expecting ':'", "core.json.expecting_colon"),
    ("Expecting ','", "core.json.expecting_comma"),
    ("Unterminated string", "core.json.unterminated_string"),
    ("Invalid control character", "core.json.control_character"),
    ("Invalid \\", "core.json.bad_escape"),
    ("Extra data", "core.json.extra_data"),
    ("Illegal trailing comma", "core.json.trailing_comma"),
)


def json_problem(
    exc: json.JSONDecodeError, english: str | None = None, *, with_line: bool = True
) -> messages.Worded:
    """What is wrong with a JSON text, as a value of a catalog sentence: English keeps the
    parser's own words (as before); Japanese says it in Japanese with the line and column,
    not "Expecting property name enclosed in double quotes".  ``with_line=False`` where the
    error's place already names the line (a file's bad JSON): the column alone, so the
    Japanese does not say the line twice."""
    key = next((k for start, k in _JSON_PROBLEMS if exc.msg.startswith(start)), "core.json.other")
    problem = messages.text(key, "ja")
    if with_line:
        at = messages.text("core.json.at", "ja", line=exc.lineno, column=exc.colno, problem=problem)
    else:
        at = messages.text("core.json.at_column", "ja", column=exc.colno, problem=problem)
    return messages.Worded(exc.msg if english is None else english, at)


# pydantic's error types (ErrorDetails["type"]) and the catalog's sentences for them.
_PYDANTIC_PROBLEMS = {
    "missing": "core.pydantic.missing",
    "extra_forbidden": "core.pydantic.extra",
    "int_type": "core.pydantic.integer",
    "int_parsing": "core.pydantic.integer",
    "int_from_float": "core.pydantic.integer",
    "float_type": "core.pydantic.number",
    "float_parsing": "core.pydantic.number",
    "string_type": "core.pydantic.string",
    "bool_type": "core.pydantic.boolean",
    "bool_parsing": "core.pydantic.boolean",
    "list_type": "core.pydantic.list",
    "tuple_type": "core.pydantic.list",
    "set_type": "core.pydantic.list",
    "dict_type": "core.pydantic.object",
    "model_type": "core.pydantic.object",
    "model_attributes_type": "core.pydantic.object",
}
# A bound's error type: its sentence and the ``ctx`` name of its limit.
_PYDANTIC_BOUNDS = {
    "greater_than": ("core.pydantic.greater_than", "gt"),
    "greater_than_equal": ("core.pydantic.at_least", "ge"),
    "less_than": ("core.pydantic.less_than", "lt"),
    "less_than_equal": ("core.pydantic.at_most", "le"),
}
_JSON_PLACE = re.compile(r"line (\d+) column (\d+)")


def pydantic_problem(error: Mapping[str, Any]) -> messages.Worded:
    """What is wrong with one pydantic error entry, as a value of a catalog sentence:
    English keeps pydantic's own words (as before); Japanese says what the value should
    be in Japanese (an unknown type: a generic sentence), never pydantic's English."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    said = getattr(ctx.get("error"), "localized", None)
    if kind == "value_error" and callable(said):  # a check's own catalog sentence
        japanese = said("ja")
    elif kind == "json_invalid":
        japanese = _json_invalid(str(ctx.get("error", "")))
    elif kind in ("literal_error", "enum"):
        # pydantic lists the choices as "'a', 'b' or 'c'"; Japanese lists them with 、.
        choices = str(ctx.get("expected", "")).replace(" or ", ", ").replace(", ", "、")
        japanese = messages.text("core.pydantic.one_of", "ja", choices=choices)
    elif kind in _PYDANTIC_BOUNDS:
        key, limit = _PYDANTIC_BOUNDS[kind]
        japanese = messages.text(key, "ja", limit=ctx.get(limit))
    else:
        japanese = messages.text(_PYDANTIC_PROBLEMS.get(kind, "core.pydantic.other"), "ja")
    return messages.Worded(str(error.get("msg", "")), japanese)


def _json_invalid(error: str) -> str:
    """pydantic's "Invalid JSON: ... at line 3 column 3" in Japanese, with its place."""
    problem = messages.text("core.json.other", "ja")
    place = _JSON_PLACE.search(error)
    if place is None:
        return problem
    line, column = place.groups()
    return messages.text("core.json.at", "ja", line=line, column=column, problem=problem)
