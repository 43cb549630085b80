"""Reading a bench ``results.json`` for the commands that build on it (cost, assess)."""

from __future__ import annotations

from pathlib import Path

from advisor import messages
from advisor.bench.schema import SCHEMA_VERSION, BenchResults
from advisor.errors import DataFileError, first_problem

_HINT = "core.bench.results_hint"


def read_results(path: Path) -> BenchResults:
    """A validated results file; every problem is one :class:`DataFileError` sentence."""
    results = _load(path)
    major = results.schema_version.split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise DataFileError.from_catalog(
            "core.bench.results_schema",
            path=str(path),
            version=results.schema_version,
            major=SCHEMA_VERSION.split(".")[0],
        )
    return results


def _load(path: Path) -> BenchResults:
    """The file as :class:`BenchResults`, each problem in the catalog's words.

    Not :func:`advisor.errors.load_json_file`: this reader always let pydantic word a
    syntax error ("Invalid JSON: ...", no line) and said a missing file in its own words.
    """
    from pydantic import ValidationError

    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError.from_catalog("core.bench.results_not_found", path=where) from exc
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.bench.results_unreadable", path=where, error=exc.strerror
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError.from_catalog(
            "core.bench.results_not_utf8", hint_key=_HINT, path=where
        ) from exc
    try:
        return BenchResults.model_validate_json(text)
    except ValidationError as exc:
        loc, problem = first_problem(exc)
        raise DataFileError.from_catalog(
            "core.bench.results_invalid",
            hint_key=_HINT,
            path=where,
            where=loc or messages.Localized("core.bench.results_top_level"),
            error=problem,
        ) from exc
