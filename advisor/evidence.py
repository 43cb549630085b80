"""Advice checked against the files (issue 13): ``advisor assess --evidence DIR|scenario``.

Reads the user's training examples, preference pairs, grader and documents and
derives what the interview otherwise takes on trust: the example count after
validation and cleansing, whether valid preference pairs exist, whether the grader
passes the reference answers, the knowledge volume (files and tokens) and the
language.  Where a stated answer contradicts the files, both are kept side by side
and the measured value is the one scored.

Sits above the data layer (it uses advisor.data and advisor.graders, and reads
scenarios); the criteria layer below stays pure.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from advisor.criteria.catalog import AnswerValue, load_catalog
from advisor.messages import Localized

# "Small" knowledge is a few documents that fit into the instructions or a custom
# assistant's knowledge files; beyond a typical prompt budget (8,000 tokens, sent
# and paid with every request) or ten files it counts as large (docs/criteria.md).
SMALL_KNOWLEDGE_TOKENS = 8_000
SMALL_KNOWLEDGE_FILES = 10
# A grader must pass this share of the reference answers to count as reliable.
GRADER_MIN_PASS = 0.9
MAX_GRADED_REFERENCES = 40
DOCUMENT_SUFFIXES = (".md", ".txt", ".markdown", ".rst", ".html")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def question_text(question: str, lang: str) -> str:
    """The question's short name in ``lang``, as the brief names it (its id if unknown)."""
    try:
        return load_catalog().question(question).label.get(lang)
    except KeyError:
        return question


def answer_text(question: str, value: AnswerValue | None, lang: str) -> str:
    """An answer as the interview words it in ``lang``, for every shell's evidence table.

    yes / no (はい / いいえ), a choice's label ("small (a few documents)"), a number as
    written; "-" when nothing was stated; a value the catalog does not know as written.
    """
    if value is None:
        return "-"
    catalog = load_catalog()
    if isinstance(value, bool):
        return catalog.msg("yes" if value else "no", lang)
    try:
        asked = catalog.question(question)
    except KeyError:
        return str(value)
    return asked.label_of(value, lang, catalog.messages) if asked.type == "choice" else str(value)


@dataclass(frozen=True)
class _Worded:
    """A question's name or an answer inside a warning, said in the warning's language."""

    question: str
    value: AnswerValue | None = None
    name: bool = False

    def localized(self, lang: str) -> str:
        if self.name:
            return question_text(self.question, lang)
        return answer_text(self.question, self.value, lang)

    def __str__(self) -> str:
        return self.localized("en")


class Finding(BaseModel):
    """One question as the files answer it, next to what was stated."""

    question: str
    stated: AnswerValue | None = Field(description="The answer given; None when not answered.")
    measured: AnswerValue
    contradicts: bool = Field(description="A stated answer differs from the files.")
    detail: str = Field(description="How the value was measured, in words.")
    # The detail as a catalog sentence, said in the reader's language; JSON keeps the English.
    said: Localized | None = Field(None, exclude=True)

    def detail_in(self, lang: str) -> str:
        return self.said.localized(lang) if self.said is not None else self.detail

    def question_in(self, lang: str) -> str:
        return question_text(self.question, lang)

    def stated_in(self, lang: str) -> str:
        return answer_text(self.question, self.stated, lang)

    def measured_in(self, lang: str) -> str:
        return answer_text(self.question, self.measured, lang)


class Evidence(BaseModel):
    """What ``assess --evidence`` found; printed under the ``evidence`` JSON key."""

    source: str
    sft_file: str | None = None
    examples_read: int = 0
    examples_invalid: int = 0
    examples_removed_by_cleaning: int = 0
    example_count: int | None = Field(None, description="Examples left after both.")
    preference_pairs: int | None = None
    preference_pairs_invalid: int = 0
    grader: str | None = None
    grader_references: int = 0
    grader_reference_pass_rate: float | None = None
    knowledge_files: int = 0
    knowledge_tokens: int = Field(0, description="Estimated: characters / 4, CJK 1 per char.")
    language: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # The warnings as catalog sentences (one per warning), said in the reader's language.
    said_warnings: list[Localized] = Field(default_factory=list, exclude=True)

    def warn(
        self, key: str, *, json_values: Mapping[str, Any] | None = None, **values: Any
    ) -> None:
        """Add a warning; ``json_values`` replace ``values`` in the JSON's English sentence."""
        said = Localized(key, values)
        self.warnings.append(
            str(Localized(key, {**values, **json_values})) if json_values else str(said)
        )
        self.said_warnings.append(said)

    def warnings_in(self, lang: str) -> list[str]:
        if len(self.said_warnings) != len(self.warnings):  # read back from JSON
            return list(self.warnings)
        return [w.localized(lang) for w in self.said_warnings]

    def measured_answers(self) -> dict[str, AnswerValue]:
        return {f.question: f.measured for f in self.findings}


class _Files(BaseModel):
    sft: Path | None = None
    dpo: Path | None = None
    grader: Path | None = None
    documents: list[Path] = Field(default_factory=list)
    references: list[tuple[str, dict[str, Any]]] = Field(default_factory=list)
    stated: dict[str, Any] = Field(default_factory=dict)


def gather(target: str | Path, stated: Mapping[str, AnswerValue] | None = None) -> Evidence:
    """Measure the files of a folder or scenario; compare with ``stated`` answers.

    With ``stated`` None, a scenario's own ``[answers]`` are the stated ones.
    """
    files, source = _locate(target)
    given = dict(files.stated if stated is None else stated)
    evidence = Evidence(source=source)
    if files.sft is not None:
        _measure_examples(files.sft, evidence)
    if files.dpo is not None:
        _measure_pairs(files.dpo, evidence)
    if files.grader is not None:
        _measure_grader(files.grader, files, evidence)
    _measure_knowledge(files.documents, evidence)
    _compare(evidence, given, has_files=files.sft is not None)
    return evidence


def refuse_a_data_file(target: str | Path) -> Path:
    """``target`` as a path, unless it names one data file (a .jsonl, say): read as a
    scenario, it was said to be "not valid TOML", which points nowhere near the fix.

    Raises:
        UserInputError: ``target`` is a file other than a scenario's TOML.
    """
    from advisor.errors import UserInputError

    path = Path(target).expanduser()
    if path.is_file() and path.suffix.lower() != ".toml":
        raise UserInputError.from_catalog(
            "core.evidence.a_file",
            hint_key="core.evidence.a_file_hint",
            path=path,
            folder=path.resolve().parent,
        )
    return path


def _locate(target: str | Path) -> tuple[_Files, str]:
    from advisor.bench.scenario import load_scenario
    from advisor.errors import UserInputError

    path = refuse_a_data_file(target)
    is_plain_dir = path.is_dir() and not (path / "scenario.toml").is_file()
    if not is_plain_dir:
        scenario = load_scenario(target)
        files = _Files(
            sft=scenario.training.sft,
            dpo=scenario.training.dpo,
            grader=scenario.training.rft_grader,
            stated=scenario.answers,
        )
        if scenario.knowledge is not None:
            files.documents = _documents(scenario.knowledge.documents)
        files.references = _test_references(scenario.test.file)
        return files, str(scenario.root)
    if not path.is_dir():
        raise UserInputError.from_catalog(
            "core.evidence.not_a_folder", hint_key="core.evidence.not_a_folder_hint", path=path
        )
    files = _Files(documents=_documents(path))
    for jsonl in sorted(path.glob("*.jsonl")):
        kind = _kind_of(jsonl)
        if kind == "sft" and files.sft is None:
            files.sft = jsonl
        elif kind == "dpo" and files.dpo is None:
            files.dpo = jsonl
        elif kind == "test":
            files.references = _test_references(jsonl)
    for candidate in sorted(path.glob("*.json")):
        if _is_grader(candidate):
            files.grader = candidate
            break
    return files, str(path)


def _first_record(path: Path) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    return record if isinstance(record, dict) else None
    except (OSError, ValueError):
        return None
    return None


def _kind_of(path: Path) -> str | None:
    record = _first_record(path) or {}
    if "preferred_output" in record:
        return "dpo"
    if "prompt" in record and "id" in record:
        return "test"
    messages = record.get("messages")
    if isinstance(messages, list) and any(
        isinstance(m, dict) and m.get("role") == "assistant" for m in messages
    ):
        return "sft"
    return None


def _is_grader(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("type"), str)


def _documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES)


def _test_references(path: Path) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return found
    for line in lines:
        try:
            item = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("reference"), str):
            found.append((item["reference"], item))
    return found


def _records(path: Path) -> list[Any]:
    """The lines of a JSONL file that parse (the validator reports the others)."""
    found: list[Any] = []
    for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        try:
            found.append(json.loads(line)) if line.strip() else None
        except ValueError:
            continue
    return found


def _assistant_text(record: Any) -> str:
    """The last assistant answer of a chat example ("" when there is none)."""
    messages = record.get("messages", []) if isinstance(record, dict) else []
    answers = [
        m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "assistant"
    ]
    return answers[-1] if answers and isinstance(answers[-1], str) else ""


def _measure_examples(path: Path, evidence: Evidence) -> None:
    from advisor.data.clean import clean_file
    from advisor.data.validate import validate_file

    evidence.sft_file = str(path)
    report = validate_file(path, "sft")
    with tempfile.TemporaryDirectory() as tmp:
        cleaned = clean_file(path, Path(tmp) / "clean.jsonl")
    removed = {c.line for c in cleaned.items if c.action == "removed"}
    invalid = {e.line for e in report.errors if e.line is not None}
    evidence.examples_read = report.examples
    evidence.examples_invalid = len(invalid)
    evidence.examples_removed_by_cleaning = len(removed - invalid)
    evidence.example_count = max(0, report.examples - len(invalid | removed))
    sample = " ".join(_assistant_text(record) for record in _records(path)[:50])
    evidence.language = _language(sample)


def _measure_pairs(path: Path, evidence: Evidence) -> None:
    from advisor.data.validate import validate_file

    report = validate_file(path, "dpo")
    invalid = {e.line for e in report.errors if e.line is not None}
    evidence.preference_pairs_invalid = len(invalid)
    evidence.preference_pairs = max(0, report.examples - len(invalid))


def _measure_grader(path: Path, files: _Files, evidence: Evidence) -> None:
    """Run the grader on the reference answers: a grader that fails them is not one."""
    from advisor.errors import AdvisorError
    from advisor.graders.base import Sample
    from advisor.graders.loader import load_grader

    evidence.grader = str(path)
    references = files.references
    if not references and files.sft is not None:
        references = [(_assistant_text(r), r) for r in _records(files.sft) if isinstance(r, dict)]
        references = [(text, item) for text, item in references if text]
    references = references[:MAX_GRADED_REFERENCES]
    try:
        grader = load_grader(path)
        passed = sum(grader.grade(Sample.from_text(text), item).passed for text, item in references)
    except AdvisorError as exc:
        evidence.warn("core.evidence.grader_not_run", name=path.name, error=exc)
        evidence.grader_reference_pass_rate = 0.0
        return
    evidence.grader_references = len(references)
    if references:
        evidence.grader_reference_pass_rate = round(passed / len(references), 4)


def _measure_knowledge(documents: list[Path], evidence: Evidence) -> None:
    evidence.knowledge_files = len(documents)
    tokens = 0
    for doc in documents:
        try:
            text = doc.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        cjk = len(_JAPANESE.findall(text))
        tokens += cjk + (len(text) - cjk) // 4
    evidence.knowledge_tokens = tokens


def _language(text: str) -> str | None:
    if not text.strip():
        return None
    share = len(_JAPANESE.findall(text)) / max(1, len(text.replace(" ", "")))
    return "ja" if share > 0.2 else "en"


def _compare(evidence: Evidence, stated: Mapping[str, Any], *, has_files: bool) -> None:
    measured: list[tuple[str, AnswerValue, Localized]] = []
    if has_files and evidence.example_count is not None:
        examples = Localized(
            "core.evidence.examples",
            {
                "read": evidence.examples_read,
                "invalid": evidence.examples_invalid,
                "removed": evidence.examples_removed_by_cleaning,
            },
        )
        measured.append(("example_count", evidence.example_count, examples))
    pairs = evidence.preference_pairs or 0
    measured.append(
        (
            "has_preference_pairs",
            pairs > 0,
            Localized(
                "core.evidence.pairs",
                {"pairs": pairs, "invalid": evidence.preference_pairs_invalid},
            )
            if evidence.preference_pairs is not None
            else Localized("core.evidence.no_pairs_file"),
        )
    )
    rate = evidence.grader_reference_pass_rate
    if evidence.grader is None:
        measured.append(("has_grader", False, Localized("core.evidence.no_grader_file")))
    else:
        checked = (
            Localized(
                "core.evidence.grader_passes",
                {"rate": f"{rate:.0%}", "references": evidence.grader_references},
            )
            if rate is not None
            else Localized("core.evidence.no_references")
        )
        measured.append(("has_grader", rate is None or rate >= GRADER_MIN_PASS, checked))
        if rate is not None and rate < GRADER_MIN_PASS:
            evidence.warn("core.evidence.grader_fails", rate=f"{1 - rate:.0%}")
    volume = _volume(evidence.knowledge_files, evidence.knowledge_tokens)
    knowledge = Localized(
        "core.evidence.knowledge",
        {"files": evidence.knowledge_files, "tokens": f"{evidence.knowledge_tokens:,}"},
    )
    measured.append(("knowledge_volume", volume, knowledge))
    for question, value, said in measured:
        detail = str(said)
        given = stated.get(question)
        contradicts = given is not None and given != value
        evidence.findings.append(
            Finding(
                question=question,
                stated=given,
                measured=value,
                contradicts=contradicts,
                detail=detail,
                said=said,
            )
        )
        if contradicts:
            # The JSON keeps the ids and Python values it always had; people read the
            # question's name and the answers as the interview words them.
            evidence.warn(
                "core.evidence.contradicts",
                json_values={"question": question, "given": repr(given), "value": repr(value)},
                question=_Worded(question, name=True),
                given=_Worded(question, given),
                value=_Worded(question, value),
                detail=said,
            )


def _volume(files: int, tokens: int) -> str:
    if files == 0:
        return "none"
    if files <= SMALL_KNOWLEDGE_FILES and tokens <= SMALL_KNOWLEDGE_TOKENS:
        return "small"
    return "large"
