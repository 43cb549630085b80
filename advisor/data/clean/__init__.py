"""Cleansing of a training file, with a report of every change and every flag.

The input is never modified; the output is written atomically.  Rules, in order:

1. noise (rewritten): control and zero-width characters, HTML tags and entities
   (outside code), Unicode width (full-width letters and digits, half-width
   katakana), personal data masked as ``[EMAIL]`` and ``[PHONE]`` (except what
   ``keep_pii`` allows: the company's own addresses and numbers); answers
   rewritten into one Japanese register when ``unify_register`` asks for it;
2. file-wide style (rewritten): the minority Japanese punctuation style (、。 or
   ，．) becomes the majority one; boilerplate lines that recur in many answers go;
3. flags (never rewritten): English typos (dictionary), Japanese typos
   (duplicated particles, mixed widths, doubled and dropped characters,
   misconversions: :mod:`advisor.data.clean.japanese`), answers in the minority register
   (です/ます vs だ/である), length and formatting outliers, words from the
   inappropriate-word list, OpenAI moderation when a moderator is given;
4. duplicates (removed): exact and near (MinHash), the first occurrence kept.

The file is held in memory (training files are megabytes, and file-wide style
needs two passes).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from advisor.data.clean import flags as fl
from advisor.data.clean import japanese as ja
from advisor.data.clean import rules
from advisor.data.clean.dedupe import find_duplicates
from advisor.data.io import EncodingProblem, iter_lines, write_jsonl
from advisor.data.split import example_key
from advisor.errors import DataFileError, UserInputError


class Flagged(Protocol):
    flagged: bool
    categories: list[str]


class Moderator(Protocol):
    """What cleaning needs of a backend: ``moderate`` (any backend has it)."""

    def moderate(self, texts: Sequence[str]) -> Sequence[Flagged]: ...

Action = Literal["changed", "flagged", "removed"]
MODERATION_BATCH = 32


class CleanOptions(BaseModel):
    lang: Literal["auto", "en", "ja"] = "auto"
    near_threshold: float = Field(default=0.9, ge=0.5, le=1.0)
    boilerplate_share: float = Field(
        default=0.3, gt=0, le=1, description="A line in this share of answers is boilerplate."
    )
    wordlist: str | None = Field(default=None, description="Own inappropriate-word list.")
    keep_pii: list[str] = Field(
        default_factory=list,
        description="E-mail addresses and phone numbers left unmasked: literal text or regexes.",
    )
    unify_register: Literal["polite", "plain"] | None = Field(
        default=None,
        description="Rewrite Japanese answers' sentence endings into this register (opt-in).",
    )


class Change(BaseModel):
    line: int = Field(description="1-based line of the example in the input file.")
    rule: str
    action: Action
    field: str | None = Field(default=None, description='Where, e.g. "messages[2].content".')
    before: str | None = None
    after: str | None = Field(default=None, description="New text, or a suggestion for a flag.")


class CleanSummary(BaseModel):
    """What ``advisor data clean --format json`` prints."""

    input: str
    output: str
    report: str | None
    read: int
    written: int
    removed: int
    changes: int
    flags: int
    by_rule: dict[str, int]


class CleanResult(BaseModel):
    """The report file: the summary and every change and flag."""

    input: str
    output: str
    report: str | None
    read: int
    written: int
    items: list[Change]

    def summary(self) -> CleanSummary:
        actions = Counter(item.action for item in self.items)
        return CleanSummary(
            input=self.input,
            output=self.output,
            report=self.report,
            read=self.read,
            written=self.written,
            removed=actions["removed"],
            changes=actions["changed"],
            flags=actions["flagged"],
            by_rule=dict(Counter(item.rule for item in self.items)),
        )


class _Text:
    """One text field of an example: where it is and whose it is."""

    __slots__ = ("container", "key", "path", "role")

    def __init__(self, container: dict[str, Any], key: str, path: str, role: str) -> None:
        self.container, self.key, self.path, self.role = container, key, path, role

    @property
    def value(self) -> str:
        return str(self.container[self.key])

    @value.setter
    def value(self, text: str) -> None:
        self.container[self.key] = text


def _texts(record: dict[str, Any]) -> list[_Text]:
    found: list[_Text] = []

    def messages(items: Any, prefix: str, role: str | None = None) -> None:
        if not isinstance(items, list):
            return
        for i, message in enumerate(items):
            if not isinstance(message, dict):
                continue
            who = role or str(message.get("role"))
            content = message.get("content")
            if isinstance(content, str):
                found.append(_Text(message, "content", f"{prefix}[{i}].content", who))
            elif isinstance(content, list):
                for j, part in enumerate(content):
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        found.append(_Text(part, "text", f"{prefix}[{i}].content[{j}].text", who))

    if isinstance(record.get("input"), dict):
        messages(record["input"].get("messages"), "input.messages")
    messages(record.get("messages"), "messages")
    messages(record.get("preferred_output"), "preferred_output", "assistant")
    messages(record.get("non_preferred_output"), "non_preferred_output", "assistant")
    return found


def clean_file(
    src: Path | str,
    out: Path | str,
    options: CleanOptions | None = None,
    *,
    report_path: Path | str | None = None,
    moderator: Moderator | None = None,
    encoding: str | None = None,
) -> CleanResult:
    """Clean ``src`` into ``out``; write the report to ``report_path`` when given.

    Raises:
        UserInputError: ``out`` is ``src``.
        DataFileError: ``src`` cannot be read.
        BackendError and friends: the moderator failed.
    """
    options = options or CleanOptions()
    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise UserInputError("clean never overwrites its input", hint="choose another -o path")
    items: list[Change] = []
    records = _load(src, encoding, items)
    texts = {line: _texts(record) for line, record in records}
    _noise(texts, items, options)
    _file_style(texts, options, items)
    _flags(texts, options, items)
    if moderator is not None:
        _moderate(texts, moderator, items)
    keep = _remove(records, texts, options, items)
    written = write_jsonl(out, (record for line, record in records if line in keep))
    items.sort(key=lambda c: c.line)
    result = CleanResult(
        input=str(src),
        output=str(out),
        report=str(report_path) if report_path else None,
        read=len(records),
        written=written,
        items=items,
    )
    if report_path is not None:
        _write_report(Path(report_path), result)
    return result


def _load(src: Path, encoding: str | None, items: list[Change]) -> list[tuple[int, Any]]:
    import orjson

    records: list[tuple[int, Any]] = []
    try:
        for line, raw in iter_lines(src, encoding):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                items.append(
                    Change(
                        line=line,
                        rule="invalid_json",
                        action="removed",
                        before=raw[:200].decode("utf-8", "replace"),
                    )
                )
                continue
            records.append((line, record))
    except EncodingProblem as exc:
        raise DataFileError(exc.message, path=str(src), line=exc.line) from exc
    return records


def _apply(text: _Text, line: int, rule: str, edit: Any, items: list[Change]) -> None:
    new, edits = edit(text.value)
    if edits:
        text.value = new
        items.extend(
            Change(line=line, rule=rule, action="changed", field=text.path, before=b, after=a)
            for b, a in edits
        )


def _noise(texts: dict[int, list[_Text]], items: list[Change], options: CleanOptions) -> None:
    keep = rules.pii_keeper(options.keep_pii)
    for line, fields in texts.items():
        for text in fields:
            _apply(text, line, "control_chars", rules.strip_control, items)
            if rules.looks_like_markup(text.value):
                items.append(
                    Change(
                        line=line,
                        rule="html",
                        action="flagged",
                        field=text.path,
                        before="HTML markup kept: it looks like content, not noise",
                    )
                )
            else:
                _apply(text, line, "html", rules.strip_html, items)
            if text.role in ("user", "assistant"):  # flagged before widths are unified
                items.extend(
                    Change(
                        line=line,
                        rule="typo_ja",
                        action="flagged",
                        field=text.path,
                        before=word,
                        after=hint,
                    )
                    for word, hint in fl.mixed_width(text.value)
                )
            _apply(text, line, "width", rules.normalize_width, items)
            _apply(text, line, "pii", lambda t: rules.mask_pii(t, keep), items)
            _japanese(text, line, options, items)


def _japanese(text: _Text, line: int, options: CleanOptions, items: list[Change]) -> None:
    """Per text: the opt-in register rewrite, then Japanese typo and insult flags."""
    if text.role not in ("user", "assistant") or not fl.is_japanese(text.value, options.lang):
        return
    target = options.unify_register
    if target is not None and text.role == "assistant":
        _apply(text, line, "register", lambda t: ja.unify_register(t, target), items)
    for rule, before, after in ja.typos(text.value):
        items.append(
            Change(
                line=line, rule=rule, action="flagged", field=text.path, before=before, after=after
            )
        )


def _file_style(texts: dict[int, list[_Text]], options: CleanOptions, items: list[Change]) -> None:
    style: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    answers = 0
    for fields in texts.values():
        seen: set[str] = set()
        for text in fields:
            if fl.is_japanese(text.value, options.lang):
                style.update(rules.punctuation_style(text.value))
            if text.role == "assistant":
                answers += 1
                # Only lines that stand beside other content: a one-line answer that
                # recurs is a duplicate, not boilerplate.
                body = [x for x in text.value.split("\n") if x.strip()]
                if len(body) > 1:
                    seen |= {rules.normalized_line(x) for x in body if len(x.strip()) >= 15}
        lines.update(seen)
    majority = "comma" if style["comma"] > style["touten"] else "touten"
    minority = "touten" if majority == "comma" else "comma"
    needed = max(3, int(options.boilerplate_share * len(texts) + 0.999))
    boilerplate = {x for x, n in lines.items() if n >= needed} if answers >= 3 else set()
    for line, fields in texts.items():
        for text in fields:
            if style[minority] and fl.is_japanese(text.value, options.lang):
                _apply(
                    text, line, "punctuation", lambda t: rules.unify_punctuation(t, majority), items
                )
            if text.role == "assistant":
                _apply(
                    text, line, "boilerplate", lambda t: rules.remove_lines(t, boilerplate), items
                )


def _flags(texts: dict[int, list[_Text]], options: CleanOptions, items: list[Change]) -> None:
    registers: dict[tuple[int, str], str] = {}
    lengths: dict[tuple[int, str], int] = {}
    markdown: dict[tuple[int, str], bool] = {}
    for line, fields in texts.items():
        for text in fields:
            value = text.value
            japanese = fl.is_japanese(value, options.lang)
            if text.role in ("user", "assistant"):
                found = fl.japanese_typos(value) if japanese else fl.english_typos(value)
                rule = "typo_ja" if japanese else "typo_en"
                items.extend(
                    Change(
                        line=line,
                        rule=rule,
                        action="flagged",
                        field=text.path,
                        before=word,
                        after=hint,
                    )
                    for word, hint in found
                )
            if text.role != "assistant":
                continue
            words = fl.find_inappropriate(value, options.wordlist)
            if options.wordlist is None:  # an own list replaces both packaged ones
                words += [w for w in ja.insults(value) if w not in words]
            for word in words:
                items.append(
                    Change(
                        line=line,
                        rule="inappropriate",
                        action="flagged",
                        field=text.path,
                        before=word,
                    )
                )
            lengths[(line, text.path)] = len(value)
            markdown[(line, text.path)] = fl.uses_markdown(value)
            if japanese and (register := fl.register_of(value)):
                registers[(line, text.path)] = register
    _minority(registers, "register", items, lambda v: f"{v} register (most answers differ)")
    if len(markdown) >= 20:
        share = sum(markdown.values()) / len(markdown)
        if share <= 0.1 or share >= 0.9:
            _minority(
                {k: "markdown" if v else "plain text" for k, v in markdown.items()},
                "formatting",
                items,
                lambda v: f"{v} (most answers differ)",
            )
    bounds = fl.outlier_bounds(list(lengths.values()))
    if bounds is not None:
        low, high = bounds
        for (line, path), size in lengths.items():
            if size < low or size > high:
                items.append(
                    Change(
                        line=line,
                        rule="length_outlier",
                        action="flagged",
                        field=path,
                        before=f"{size} characters",
                        after=f"typical range {max(0, int(low))}-{int(high)}",
                    )
                )


def _minority(
    values: dict[tuple[int, str], str], rule: str, items: list[Change], describe: Any
) -> None:
    counts = Counter(values.values())
    if len(counts) < 2:
        return
    (top, top_n), (_, second_n) = counts.most_common(2)
    if top_n == second_n:
        return
    for (line, path), value in values.items():
        if value != top:
            items.append(
                Change(
                    line=line,
                    rule=rule,
                    action="flagged",
                    field=path,
                    before=describe(value),
                    after=top,
                )
            )


def _moderate(texts: dict[int, list[_Text]], moderator: Moderator, items: list[Change]) -> None:
    answers = [(line, t) for line, fields in texts.items() for t in fields if t.role == "assistant"]
    for start in range(0, len(answers), MODERATION_BATCH):
        batch = answers[start : start + MODERATION_BATCH]
        results = moderator.moderate([t.value for _, t in batch])
        for (line, text), result in zip(batch, results, strict=False):
            if result.flagged:
                items.append(
                    Change(
                        line=line,
                        rule="moderation",
                        action="flagged",
                        field=text.path,
                        before=", ".join(result.categories),
                    )
                )


def _remove(
    records: list[tuple[int, Any]],
    texts: dict[int, list[_Text]],
    options: CleanOptions,
    items: list[Change],
) -> set[int]:
    keep: set[int] = set()
    candidates: list[int] = []
    for line, _ in records:
        emptied = [t.path for t in texts[line] if not t.value.strip()]
        if emptied:
            items.append(
                Change(
                    line=line,
                    rule="emptied",
                    action="removed",
                    field=emptied[0],
                    before="the text was only noise",
                )
            )
        else:
            candidates.append(line)
    by_line = dict(records)
    keys = [example_key(by_line[line]) for line in candidates]
    japanese = [fl.is_japanese(k, options.lang) for k in keys]
    duplicates = find_duplicates(keys, japanese, options.near_threshold)
    for index, line in enumerate(candidates):
        if index in duplicates:
            first, kind, similarity = duplicates[index]
            items.append(
                Change(
                    line=line,
                    rule=kind,
                    action="removed",
                    before=f"similar to line {candidates[first]} ({similarity:.0%})",
                    after=None,
                )
            )
        else:
            keep.add(line)
    return keep


def _write_report(path: Path, result: CleanResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        data = {
            "summary": result.summary().model_dump(mode="json"),
            "items": [i.model_dump(mode="json") for i in result.items],
        }
        json.dump(data, handle, ensure_ascii=False, indent=2)
    os.replace(tmp, path)
