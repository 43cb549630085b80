"""Provider lifecycles as dated data, and which routes close before the user's horizon.

``lifecycle.yaml`` lists model and feature lifecycle entries (available, closed to new
users, no new jobs, retired), each event with its date and source.  The advisor asks
which provider the solution will run on and how long it must keep working
(``provider``, ``horizon_months``); a route whose provider path stops taking new jobs
or is retired before the horizon ends loses points, with the reason and a warning.
Pure: the caller passes the table and today's date (tests pin both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from advisor.errors import DataFileError, validated

Status = Literal["available", "closed_to_new_users", "no_new_jobs", "retired"]
# The statuses after which a path can no longer carry the route (new training runs).
CLOSING: tuple[Status, ...] = ("no_new_jobs", "retired")
LIFECYCLE_FILE = "lifecycle.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(_Strict):
    status: Status
    date: dt.date | None = Field(None, description="None: announced without a known date.")
    source: str = Field(min_length=1, description="Where the date comes from (URL or note).")
    note: str = ""
    # Japanese beside the English, shown under the language switch; JSON keeps the English.
    note_ja: str = Field("", exclude=True, description="The note in Japanese.")
    source_ja: str = Field("", exclude=True, description="The source in Japanese words.")
    verified: bool = Field(True, description="False: taken from the issue, not checked.")

    def note_in(self, lang: str) -> str:
        """The note in ``lang`` (English when no Japanese is written)."""
        return self.note_ja if lang == "ja" and self.note_ja else self.note

    def source_in(self, lang: str) -> str:
        """The source in ``lang`` (as written when no Japanese is)."""
        return self.source_ja if lang == "ja" and self.source_ja else self.source


class Entry(_Strict):
    id: str
    provider: Literal["openai", "azure", "local", "compatible"]
    kind: Literal["feature", "model"]
    subject: str
    subject_ja: str = Field("", exclude=True, description="The subject in Japanese.")
    routes: tuple[str, ...] = Field((), description="Routes this path carries.")
    models: tuple[str, ...] = ()
    events: tuple[Event, ...] = Field(min_length=1)

    def subject_in(self, lang: str) -> str:
        """The subject in ``lang`` (English when no Japanese is written)."""
        return self.subject_ja if lang == "ja" and self.subject_ja else self.subject

    def closes(self) -> Event | None:
        """The first dated event after which the path carries no new work."""
        dated = [e for e in self.events if e.status in CLOSING and e.date is not None]
        return min(dated, key=lambda e: e.date or dt.date.max) if dated else None


class Lifecycle(_Strict):
    version: int
    checked: dt.date = Field(description="When the entries were last checked.")
    entries: tuple[Entry, ...]


class Closure(BaseModel):
    """A route whose provider path closes before the end of the user's horizon."""

    route: str
    entry: str
    subject: str
    subject_ja: str = Field("", exclude=True, description="The subject in Japanese.")
    provider: str
    status: Status
    date: dt.date
    horizon_end: dt.date
    source: str
    source_ja: str = Field("", exclude=True, description="The source in Japanese words.")
    already: bool = Field(description="The path is closed today already.")

    def subject_in(self, lang: str) -> str:
        """The subject in ``lang`` (English when no Japanese is written)."""
        return self.subject_ja if lang == "ja" and self.subject_ja else self.subject

    def source_in(self, lang: str) -> str:
        """The source in ``lang`` (as written when no Japanese is)."""
        return self.source_ja if lang == "ja" and self.source_ja else self.source


def parse_lifecycle(data: Any, *, path: str = LIFECYCLE_FILE) -> Lifecycle:
    return validated(Lifecycle, data, what="core.table.lifecycle", path=path)


def read_lifecycle(path: Path) -> Lifecycle:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError.from_catalog(
            "core.criteria.lifecycle_unreadable", path=str(path), error=exc
        ) from exc
    return parse_lifecycle(data, path=str(path))


@cache
def shipped_lifecycle() -> Lifecycle:
    text = resources.files("advisor.criteria").joinpath(LIFECYCLE_FILE).read_text("utf-8")
    return parse_lifecycle(yaml.safe_load(text))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def closures(values: Mapping[str, Any], lifecycle: Lifecycle, today: dt.date) -> list[Closure]:
    """Routes on the chosen provider whose path closes before ``today + horizon``.

    ``undecided`` checks every provider's paths, so the user learns which ones close;
    the scoring penalises only a provider that was actually chosen.
    """
    provider = str(values.get("provider", "undecided"))
    horizon_end = add_months(today, int(values.get("horizon_months", 0) or 0))
    found: list[Closure] = []
    for entry in lifecycle.entries:
        if provider != "undecided" and entry.provider != provider:
            continue
        event = entry.closes()
        if event is None or event.date is None or event.date > horizon_end:
            continue
        found += [
            Closure(
                route=route,
                entry=entry.id,
                subject=entry.subject,
                subject_ja=entry.subject_ja,
                provider=entry.provider,
                status=event.status,
                date=event.date,
                horizon_end=horizon_end,
                source=event.source,
                source_ja=event.source_ja,
                already=event.date <= today,
            )
            for route in entry.routes
        ]
    return found
