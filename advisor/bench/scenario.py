"""Benchmark scenarios: ``scenarios/<name>/scenario.toml`` plus its data files.

A scenario is one client use case packaged for a side-by-side benchmark: the
advisor's answers for it, the system prompt every route shares, training files
for the fine-tuning routes, a held-out test set with the graders that judge each
answer, and optional knowledge documents for RAG.  The format reference is
``docs/scenarios.md``.

:func:`load_scenario` only parses and resolves paths (cheap, raises
:class:`~advisor.errors.DataFileError` on malformed files);
:func:`validate_scenario` reads every data file and reports all problems at once.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, ValidationError, field_validator

from advisor import messages
from advisor.bench.routespec import ROUTE_IDS, parse_route
from advisor.data.texts import Said
from advisor.errors import AdvisorError, DataFileError, UserInputError, pydantic_problem
from advisor.ids import Method

SCENARIO_FILE = "scenario.toml"
REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

Aspect = Literal["format", "style", "accuracy", "rules"]
KNOWLEDGE_SUFFIXES = (".md", ".txt")
MIN_TRAINING_EXAMPLES = 100
MIN_TEST_PROMPTS = 30
TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


def _check_route(route: str) -> None:
    try:
        parse_route(route)
    except UserInputError as exc:
        raise ValueError(f"{exc.message}; {exc.hint}") from exc


class GraderSpec(BaseModel):
    """One grader of the test set: an OpenAI-shaped definition plus ``aspect``.

    Every other key (``input``, ``reference``, ``operation``, ``source``, ...) is
    kept as given; :meth:`definition` returns the dict ``advisor.graders.load_grader``
    takes.
    """

    model_config = ConfigDict(extra="allow")

    type: str
    name: str
    aspect: Aspect = Field(description="What the grader judges: format, style, accuracy or rules.")

    def definition(self) -> dict[str, Any]:
        """The grader definition without ``aspect`` (the shape graders understand)."""
        data = self.model_dump()
        data.pop("aspect", None)
        return data


class TrainingFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sft: Path = Field(description="SFT chat examples (OpenAI chat JSONL).")
    dpo: Path | None = Field(default=None, description="DPO preference pairs (OpenAI JSONL).")
    rft: Path | None = Field(default=None, description="RFT prompts with grader fields.")
    rft_grader: Path | None = Field(default=None, description="Grader JSON used by RFT.")

    def file(self, method: Method) -> Path | None:
        path: Path | None = getattr(self, method)
        return path


class TestSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: Path = Field(description='JSONL: {"id", "prompt", "reference"?, item fields...}.')
    paraphrases: Path | None = Field(
        default=None, description='JSONL: {"id", "paraphrases": [...]} keyed by test id.'
    )
    graders: list[GraderSpec] = Field(
        default_factory=list, description="An answer passes when every grader passes."
    )


class Knowledge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: Path = Field(description="Folder of .md/.txt documents for the RAG route.")


class TestItem(BaseModel):
    """One held-out prompt; extra keys are the ``item.*`` fields graders read."""

    model_config = ConfigDict(extra="allow")

    id: str
    prompt: str
    reference: str | None = None

    def fields(self) -> dict[str, Any]:
        """Everything graders may reference as ``{{ item.<field> }}``."""
        return self.model_dump(exclude_none=True)


class Scenario(BaseModel):
    """A parsed ``scenario.toml``; every path is absolute (resolved against ``root``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    description: str
    language: Literal["en", "ja"] = "en"
    kind: Literal["style", "format", "knowledge", "rules", "verifiable", "multilingual"]
    system_prompt: str
    notes: list[str] = Field(default_factory=list)
    expected_route: str | None = Field(
        default=None, description="The route this scenario is built to show winning."
    )
    routes: list[str] = Field(
        default_factory=list, description="Routes worth benchmarking here (empty: bench decides)."
    )
    answers: dict[str, Any] = Field(default_factory=dict)
    training: TrainingFiles
    test: TestSet
    knowledge: Knowledge | None = None
    root: Path = Field(description="The scenario folder.")

    @field_validator("expected_route")
    @classmethod
    def _known_route(cls, value: str | None) -> str | None:
        if value is not None:
            _check_route(value)
        return value

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, value: list[str]) -> list[str]:
        for route in value:
            _check_route(route)
        return value

    # --- data access (raise DataFileError on unreadable files) ---

    def test_items(self) -> list[TestItem]:
        items = []
        for line, record in _read_jsonl(self.test.file):
            try:
                items.append(TestItem.model_validate(record))
            except ValidationError as exc:
                raise DataFileError.from_catalog(
                    "core.scenarios.bad_test_item",
                    hint_key="core.scenarios.line_needs_hint",
                    path=str(self.test.file),
                    line=line,
                    error=_first_error(exc),
                    example='{"id": str, "prompt": str}',
                ) from exc
        return items

    def paraphrases(self) -> dict[str, list[str]]:
        """Test id -> paraphrased prompts (empty when the scenario has none)."""
        if self.test.paraphrases is None:
            return {}
        result: dict[str, list[str]] = {}
        for line, record in _read_jsonl(self.test.paraphrases):
            texts = record.get("paraphrases")
            if not isinstance(record.get("id"), str) or not isinstance(texts, list):
                raise DataFileError.from_catalog(
                    "core.scenarios.bad_paraphrase",
                    hint_key="core.scenarios.line_needs_hint",
                    path=str(self.test.paraphrases),
                    line=line,
                    example='{"id": str, "paraphrases": [str, ...]}',
                )
            result[record["id"]] = [str(t) for t in texts]
        return result

    def knowledge_files(self) -> list[Path]:
        if self.knowledge is None or not self.knowledge.documents.is_dir():
            return []
        return sorted(
            p
            for p in self.knowledge.documents.rglob("*")
            if p.is_file() and p.suffix.lower() in KNOWLEDGE_SUFFIXES
        )

    def training_file(self, method: Method) -> Path | None:
        return self.training.file(method)


class QuotedMessage(NamedTuple):
    """The message of an error quoted in a problem, without its hint, in any language."""

    error: AdvisorError

    def __str__(self) -> str:
        return self.error.message

    def localized(self, lang: str) -> str:
        return self.error.message_in(lang)


class Problem(BaseModel):
    """One finding of :func:`validate_scenario`."""

    severity: Literal["error", "warning"] = "error"
    code: str
    message: str
    path: str | None = None
    line: int | None = None
    # The data validator's issues keep their text key: shown in the reader's language.
    text: Said | None = Field(default=None, exclude=True, repr=False)
    # The scenario checks' own findings keep their catalog sentence (messages_core_errors.yaml).
    sentence: InstanceOf[messages.Localized] | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def of(
        cls,
        code: str,
        key: str,
        *,
        path: str | None,
        line: int | None = None,
        severity: Literal["error", "warning"] = "error",
        **values: Any,
    ) -> Problem:
        """A finding of the scenario checks, its message the catalog's ``key``."""
        sentence = messages.Localized(key, values)
        return cls(
            severity=severity,
            code=code,
            message=str(sentence),
            path=path,
            line=line,
            sentence=sentence,
        )

    def message_in(self, lang: str) -> str:
        """``message`` in ``lang`` where it has a text key (else as written, English)."""
        if self.text is not None:
            return self.text.render(lang)
        return self.sentence.localized(lang) if self.sentence else self.message

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where += f":{self.line}"
        return f"{self.severity}: {where + ': ' if where else ''}{self.message} [{self.code}]"


# --- locating and loading ----------------------------------------------------------------


def scenario_roots(root: Path | None = None) -> list[Path]:
    """Folders searched for scenario names: ``root``, else ./scenarios then the shipped ones."""
    if root is not None:
        return [Path(root)]
    roots = [Path.cwd() / "scenarios", REPO_SCENARIOS]
    unique: list[Path] = []
    for candidate in roots:
        if candidate.is_dir() and candidate.resolve() not in [u.resolve() for u in unique]:
            unique.append(candidate)
    return unique


def list_scenarios(root: Path | None = None) -> list[Path]:
    """Scenario folders (those holding a scenario.toml), sorted; earlier roots win on names."""
    found: dict[str, Path] = {}
    for folder in scenario_roots(root):
        for toml_path in sorted(folder.glob(f"*/{SCENARIO_FILE}")):
            found.setdefault(toml_path.parent.name, toml_path.parent)
    return [found[name] for name in sorted(found)]


def resolve_scenario_path(path_or_name: str | Path, root: Path | None = None) -> Path:
    """The scenario.toml a name, folder or file path refers to."""
    candidate = Path(path_or_name).expanduser()
    if candidate.is_file():
        return candidate
    if candidate.is_dir():
        if (candidate / SCENARIO_FILE).is_file():
            return candidate / SCENARIO_FILE
        raise UserInputError.from_catalog(
            "core.scenarios.no_toml",
            hint_key="core.scenarios.no_toml_hint",
            folder=candidate,
            file=SCENARIO_FILE,
        )
    name = str(path_or_name)
    if "/" not in name and os.sep not in name:
        for folder in scenario_roots(root):
            if (folder / name / SCENARIO_FILE).is_file():
                return folder / name / SCENARIO_FILE
    names = ", ".join(p.name for p in list_scenarios(root))
    raise UserInputError.from_catalog(
        "core.scenarios.not_found",
        hint_key="core.scenarios.not_found_hint",
        name=repr(path_or_name),
        known=names or messages.Localized("core.scenarios.none_known"),
    )


def load_scenario(path_or_name: str | Path, root: Path | None = None) -> Scenario:
    """Parse a scenario by name (under ``scenarios/``), folder or ``scenario.toml`` path.

    Relative file paths in the TOML are resolved against the scenario folder.
    Raises :class:`DataFileError` (with the line) for malformed TOML or fields.
    """
    toml_path = resolve_scenario_path(path_or_name, root).resolve()
    text = toml_path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = TOML_POSITION.search(str(exc))
        raise DataFileError.from_catalog(
            "core.scenarios.bad_toml",
            hint_key="core.scenarios.bad_toml_hint",
            path=str(toml_path),
            line=int(match.group(1)) if match else None,
            error=TOML_POSITION.sub("", str(exc)),
        ) from exc
    folder = toml_path.parent
    data["root"] = folder
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][-1]) if first["loc"] else ""
        raise DataFileError.from_catalog(
            "core.scenarios.bad_field",
            hint_key="core.scenarios.bad_field_hint",
            path=str(toml_path),
            line=_line_of_key(text, key),
            field=_loc(first["loc"]),
            error=_problem(first),
        ) from exc
    return _resolve_paths(scenario, folder)


def _resolve_paths(scenario: Scenario, folder: Path) -> Scenario:
    def fix(path: Path | None) -> Path | None:
        return None if path is None else (folder / path).resolve()

    training = scenario.training
    for method in ("sft", "dpo", "rft", "rft_grader"):
        setattr(training, method, fix(getattr(training, method)))
    scenario.test.file = (folder / scenario.test.file).resolve()
    scenario.test.paraphrases = fix(scenario.test.paraphrases)
    if scenario.knowledge is not None:
        scenario.knowledge.documents = (folder / scenario.knowledge.documents).resolve()
    return scenario


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _first_error(exc: ValidationError) -> messages.Worded:
    """Where and what the first problem is; in Japanese, the catalog's words for pydantic's
    English ones."""
    first = exc.errors()[0]
    problem = _problem(first)
    where = _loc(first["loc"]) if first["loc"] else messages.text("core.json_file.top_level", "ja")
    return messages.Worded(f"{_loc(first['loc'])}: {problem.en}", f"{where}: {problem.ja}")


def _problem(first: Any) -> messages.Worded:
    """pydantic's words for one problem (English) and the catalog's (Japanese); a route
    check's refusal is our own sentence, so Japanese says it, not a generic one."""
    problem = pydantic_problem(first)
    cause = getattr((first.get("ctx") or {}).get("error"), "__cause__", None)
    if isinstance(cause, AdvisorError):
        return messages.Worded(problem.en, cause.localized("ja"))
    return problem


def _line_of_key(text: str, key: str) -> int | None:
    if not key:
        return None
    pattern = re.compile(rf"^\s*(\[+\s*)?[\w.\"-]*\b{re.escape(key)}\b")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; DataFileError on bad JSON."""
    if not path.is_file():
        raise DataFileError.from_catalog(
            "core.scenarios.file_not_found",
            hint_key="core.scenarios.file_not_found_hint",
            path=str(path),
        )
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DataFileError.from_catalog(
                    "core.scenarios.bad_json", path=str(path), line=number, error=exc.msg
                ) from exc
            if not isinstance(record, dict):
                raise DataFileError.from_catalog(
                    "core.scenarios.not_an_object", path=str(path), line=number
                )
            yield number, record


def normalize_prompt(text: str) -> str:
    """Text used to compare prompts: NFKC, case-folded, punctuation and spacing removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def validate_scenario(scenario: Scenario) -> list[Problem]:
    """Every problem of the scenario's files and graders (empty list: valid).

    Errors make a benchmark meaningless (missing files, too few examples, test
    prompts seen in training); warnings are worth a look.  The checks live in
    :mod:`advisor.bench.scenario_check`.
    """
    from advisor.bench.scenario_check import check_scenario

    return check_scenario(scenario)


__all__ = [
    "ROUTE_IDS",
    "GraderSpec",
    "Problem",
    "Scenario",
    "TestItem",
    "list_scenarios",
    "load_scenario",
    "normalize_prompt",
    "resolve_scenario_path",
    "validate_scenario",
]
