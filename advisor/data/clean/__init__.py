"""Cleansing of a training file, with a report of every change and every flag.

The input is never modified; the output is written atomically.  Rules, in order:

1. noise (rewritten): control and zero-width characters, HTML tags and entities
   (outside code), Unicode width (full-width letters and digits, half-width
   katakana), personal data masked as ``[EMAIL]`` and ``[PHONE]`` (except what
   ``keep_pii`` allows: the company's own addresses and numbers); answers
   rewritten into one Japanese register when ``unify_register`` asks for it;
2. file-wide style (rewritten): the minority Japanese punctuation style (、。 or
   ，．) becomes the majority one; boilerplate lines that recur in many answers go,
   unless a system prompt of the data, a ``--keep`` phrase or a grader requires
   them (:mod:`.protect`);
3. flags (never rewritten): English typos (dictionary), Japanese typos
   (duplicated particles, mixed widths, doubled and dropped characters,
   misconversions: :mod:`.japanese`), answers in the minority register
   (です/ます vs だ/である), length and formatting outliers, words from the
   inappropriate-word list, OpenAI moderation when a moderator is given;
4. duplicates (removed): exact and near (MinHash), the first occurrence kept.

Every rule has a name and can be switched off (``skip_rules``); per-text rules
live in a registry (:mod:`.registry`) that rule modules of this package extend
when imported.  The file is streamed twice with flat memory (:mod:`.pipeline`).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from advisor.data.clean import builtin as _builtin  # noqa: F401 - registers the rules
from advisor.data.clean import flags as fl
from advisor.data.clean import pipeline as pl
from advisor.data.clean import registry
from advisor.data.clean.dedupe import Deduplicator
from advisor.data.clean.models import (
    Action,
    Change,
    CleanOptions,
    CleanResult,
    CleanSummary,
)
from advisor.data.clean.protect import from_files
from advisor.data.split import example_key
from advisor.data.streams import (
    atomic_output,
    display_name,
    output_folder,
    refuse_overwrite,
    reusable,
)


class Flagged(Protocol):
    flagged: bool
    categories: list[str]


class Moderator(Protocol):
    """What cleaning needs of a backend: ``moderate`` (any backend has it)."""

    def moderate(self, texts: Sequence[str]) -> Sequence[Flagged]: ...


__all__ = ["Action", "Change", "CleanOptions", "CleanResult", "CleanSummary", "clean_file"]

MODERATION_BATCH = 32
_CORE = {
    "builtin",
    "dedupe",
    "flags",
    "models",
    "pipeline",
    "protect",
    "registry",
    "rules",
    "speller",
}


def clean_file(
    src: Path | str,
    out: Path | str,
    options: CleanOptions | None = None,
    *,
    report_path: Path | str | None = None,
    moderator: Moderator | None = None,
    encoding: str | None = None,
    keep_items: bool = True,
) -> CleanResult:
    """Clean ``src`` into ``out``; write the report to ``report_path`` when given.

    ``src`` may be ``-`` or a pipe (copied once to a private temporary file: the
    cleaner reads it twice).  With ``keep_items=False`` the result carries the
    counts only, and memory stays flat however many changes there are.

    Raises:
        UserInputError: ``out`` or ``report_path`` is the input, or an unknown rule.
        DataFileError: ``src`` or a grader file cannot be read.
        BackendError and friends: the moderator failed.
    """
    options = options or CleanOptions()
    registry.check_names(options.skip_rules)
    src, out = Path(src), Path(out)
    outputs = [out] + ([Path(report_path)] if report_path else [])
    refuse_overwrite([src], outputs)
    for path in outputs:  # fail before the work, not after it
        output_folder(path)
    ctx = pl.Context(
        lang=options.lang,
        wordlist=options.wordlist,
        skip=frozenset(options.skip_rules),
        protection=from_files([Path(g) for g in options.graders], options.keep),
        boilerplate_share=options.boilerplate_share,
        keep_pii=tuple(options.keep_pii),
        register=options.unify_register,
    )
    ctx.noise = registry.rules("noise", ctx.skip)
    ctx.checks = registry.rules("flag", ctx.skip)
    name = display_name(src)
    with reusable(src) as readable, _Spool(keep_items, report_path is not None) as spool:
        measures = pl.measure(readable, encoding, name, ctx)
        lines = pl.boilerplate(readable, encoding, name, ctx, measures)
        second = _SecondPass(ctx, measures, lines, options, spool, moderator, out)
        try:
            second.run(readable, encoding, name)
            return second.finish(name, out, report_path)
        finally:
            second.body.close()
            Path(second.body.name).unlink(missing_ok=True)


class _Spool:
    """Report items on disk, one JSON line each, plus the counts."""

    def __init__(self, keep: bool, report: bool) -> None:
        self.keep = keep  # items go back to the caller
        self.needed = keep or report
        self.file: IO[bytes] | None = None
        self.by_rule: Counter[str] = Counter()
        self.by_action: Counter[str] = Counter()

    def __enter__(self) -> _Spool:
        if self.needed:
            self.file = tempfile.TemporaryFile(prefix="advisor-clean-")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()

    def emit(
        self,
        line: int,
        rule: str,
        action: str,
        path: str | None,
        before: str | None,
        after: str | None,
    ) -> None:
        self.by_rule[rule] += 1
        self.by_action[action] += 1
        if self.file is not None:
            item = {"line": line, "rule": rule, "action": action, "field": path}
            self.file.write(orjson.dumps(item | {"before": before, "after": after}) + b"\n")

    def items(self) -> Iterator[dict[str, Any]]:
        if self.file is None:
            return
        self.file.seek(0)
        for raw in self.file:
            yield orjson.loads(raw)


class _SecondPass:
    """Pass 2 and the output: see :mod:`.pipeline`."""

    def __init__(
        self,
        ctx: pl.Context,
        measures: pl.Measures,
        lines: set[int],
        options: CleanOptions,
        spool: _Spool,
        moderator: Moderator | None,
        out: Path,
    ) -> None:
        self.ctx, self.m, self.lines, self.spool = ctx, measures, lines, spool
        self.style = None if "punctuation" in ctx.skip else pl.majority_style(measures)
        dedupe_off = {"duplicate", "near_duplicate"} <= ctx.skip
        threshold = 1.0 if "near_duplicate" in ctx.skip else options.near_threshold
        self.dedupe = None if dedupe_off else Deduplicator(threshold)
        self.line_of = array("I")  # input line of each example given to the deduplicator
        self.body_ids = array("i")  # deduplicator index of each body line (-1: none)
        self.moderator = moderator
        self.queue: list[tuple[int, str, str]] = []
        self.extras: list[tuple[int, dict[str, str | None]]] = []
        self.read = 0
        self.answer = 0
        self._answer_flags()
        self.body = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish()
            prefix=f".{out.name}.", suffix=".body", dir=output_folder(out), delete=False
        )

    def _answer_flags(self) -> None:
        m, skip = self.m, self.ctx.skip
        self.register_top = None if "register" in skip else pl.minority(bytes(m.registers))
        self.markdown_top: int | None = None
        if "formatting" not in skip and len(m.markdown) >= 20:
            share = sum(m.markdown) / len(m.markdown)
            if share <= 0.1 or share >= 0.9:
                self.markdown_top = pl.minority(bytes(b + 1 for b in m.markdown))
        self.bounds = None if "length_outlier" in skip else fl.outlier_bounds(m.lengths.tolist())

    def run(self, src: Path, encoding: str | None, name: str) -> None:
        emit = self.spool.emit
        for line, raw, record in pl.records(src, encoding, name):
            if record is None:
                if "invalid_json" in self.ctx.skip:
                    self._write(raw.strip() + b"\n", -1)
                else:
                    before = raw[:200].decode("utf-8", "replace")
                    emit(line, "invalid_json", "removed", None, before, None)
                continue
            self.read += 1
            texts = pl.texts_of(record)
            pl.run_rules(self.ctx.noise, texts, line, self.ctx, emit)
            system = pl.own_system(texts)
            for text in texts:
                for before, after in pl.unify_style(text, self.style, self.ctx):
                    emit(line, "punctuation", "changed", text.path, before, after)
                if text.role == "assistant":
                    new, edits = pl.remove_boilerplate(text.value, self.lines, self.ctx, system)
                    if edits:
                        text.value = new
                    for before, after in edits:
                        emit(line, "boilerplate", "changed", text.path, before, after)
            pl.run_rules(self.ctx.checks, texts, line, self.ctx, emit)
            self._answer_level(texts, line)
            self._queue_moderation(texts, line)
            self._keep_or_remove(record, texts, line)
        self._moderate()

    def _answer_level(self, texts: list[pl.Text], line: int) -> None:
        found: list[tuple[str, str, str, str | None]] = []
        for text in texts:
            if text.role != "assistant":
                continue
            i = self.answer
            self.answer += 1
            reg = self.m.registers[i]
            if self.register_top is not None and reg and reg != self.register_top:
                described = f"{pl.REGISTER_NAMES[reg]} register (most answers differ)"
                found.append(
                    ("register", text.path, described, pl.REGISTER_NAMES[self.register_top])
                )
            if self.markdown_top is not None and self.m.markdown[i] + 1 != self.markdown_top:
                kind = "markdown" if self.m.markdown[i] else "plain text"
                top = "plain text" if kind == "markdown" else "markdown"
                found.append(("formatting", text.path, f"{kind} (most answers differ)", top))
            size = self.m.lengths[i]
            if self.bounds is not None and not self.bounds[0] <= size <= self.bounds[1]:
                low, high = self.bounds
                typical = f"typical range {max(0, int(low))}-{int(high)}"
                found.append(("length_outlier", text.path, f"{size} characters", typical))
        for rule in ("register", "formatting", "length_outlier"):  # the report's order
            for name, path, before, after in found:
                if name == rule:
                    self.spool.emit(line, rule, "flagged", path, before, after)

    def _queue_moderation(self, texts: list[pl.Text], line: int) -> None:
        if self.moderator is None or "moderation" in self.ctx.skip:
            return
        self.queue += [(line, t.path, t.value) for t in texts if t.role == "assistant"]
        if len(self.queue) >= MODERATION_BATCH:
            self._moderate()

    def _moderate(self) -> None:
        if not self.queue or self.moderator is None:
            return
        results = self.moderator.moderate([value for _, _, value in self.queue])
        for (line, path, _), result in zip(self.queue, results, strict=False):
            if result.flagged:
                item: dict[str, str | None] = {"rule": "moderation", "action": "flagged"}
                item |= {"field": path, "before": ", ".join(result.categories)}
                self.extras.append((line, item))
        self.queue = []

    def _keep_or_remove(self, record: dict[str, Any], texts: list[pl.Text], line: int) -> None:
        emptied = [t.path for t in texts if not t.value.strip()]
        if emptied and "emptied" not in self.ctx.skip:
            self.spool.emit(line, "emptied", "removed", emptied[0], "the text was only noise", None)
            return
        index = -1
        if self.dedupe is not None:
            key = example_key(record)
            index = len(self.line_of)
            self.line_of.append(line)
            found = self.dedupe.add(key, fl.is_japanese(key, self.ctx.lang))
            if found is not None and "duplicate" not in self.ctx.skip:
                first, kind, similarity = found
                before = f"similar to line {self.line_of[first]} ({similarity:.0%})"
                self.spool.emit(line, kind, "removed", None, before, None)
                return
        self._write(orjson.dumps(record) + b"\n", index)

    def _write(self, data: bytes, index: int) -> None:
        self.body.write(data)
        self.body_ids.append(index)

    def finish(self, name: str, out: Path, report_path: Path | str | None) -> CleanResult:
        self.body.close()
        body = Path(self.body.name)
        try:
            near = self.dedupe.near() if self.dedupe is not None else {}
            for index, (first, kind, similarity) in sorted(near.items()):
                before = f"similar to line {self.line_of[first]} ({similarity:.0%})"
                removal: dict[str, str | None] = {"rule": kind, "action": "removed"}
                removal |= {"field": None, "before": before}
                self.extras.append((self.line_of[index], removal))
            written = self._copy(body, out, set(near))
        finally:
            body.unlink(missing_ok=True)
        for _, item in self.extras:
            self.spool.by_rule[str(item["rule"])] += 1
            self.spool.by_action[str(item["action"])] += 1
        result = CleanResult(
            input=name,
            output=str(out),
            report=str(report_path) if report_path else None,
            read=self.read,
            written=written,
            by_rule=dict(self.spool.by_rule),
            by_action=dict(self.spool.by_action),
        )
        if report_path is not None:
            _write_report(Path(report_path), result, self._items())
        if self.spool.keep:
            result.items = [Change.model_validate(i) for i in self._items()]
        return result

    def _copy(self, body: Path, out: Path, removed: set[int]) -> int:
        written = 0
        with open(body, "rb") as source, atomic_output(out) as target:
            for number, raw in enumerate(source):
                if self.body_ids[number] not in removed or self.body_ids[number] < 0:
                    target.write(raw)
                    written += 1
        return written

    def _items(self) -> Iterator[dict[str, Any]]:
        """Spooled items and the later ones (moderation, near duplicates) by line."""
        extras = sorted(self.extras, key=lambda pair: pair[0])
        pending = iter(extras)
        waiting = next(pending, None)
        for item in self.spool.items():
            while waiting is not None and waiting[0] < item["line"]:
                yield {"line": waiting[0], "after": None} | waiting[1]
                waiting = next(pending, None)
            yield item
        while waiting is not None:
            yield {"line": waiting[0], "after": None} | waiting[1]
            waiting = next(pending, None)


def _write_report(path: Path, result: CleanResult, items: Iterator[dict[str, Any]]) -> None:
    """``{"summary": ..., "items": [...]}``, written item by item."""
    summary = json.dumps(result.summary().model_dump(mode="json"), ensure_ascii=False, indent=2)
    with atomic_output(path, "w") as handle:
        handle.write('{\n  "summary": ' + summary.replace("\n", "\n  ") + ',\n  "items": [')
        for number, item in enumerate(items):
            order = {k: item.get(k) for k in ("line", "rule", "action", "field", "before", "after")}
            handle.write(("," if number else "") + "\n    " + json.dumps(order, ensure_ascii=False))
        handle.write("\n  ]\n}\n")


# Rule modules dropped into this package (japanese.py, ...) register their rules
# when imported; last, so that they may import anything defined above.
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _CORE:
        importlib.import_module(f"{__name__}.{_module.name}")
