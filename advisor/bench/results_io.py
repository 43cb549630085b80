"""Reading a bench ``results.json`` for the commands that build on it (cost, assess)."""

from __future__ import annotations

from pathlib import Path

from advisor.bench.schema import SCHEMA_VERSION, BenchResults
from advisor.errors import DataFileError, JsonFileKeys, load_json_file

_RESULTS_FILE = JsonFileKeys(
    unreadable="core.json_file.cannot_read_results",
    not_found="core.json_file.results_not_found",
    # A missing results file says how one is made (the s11 audit: the sentence had no fix).
    unreadable_hint="core.json_file.results_not_found_hint",
    invalid="core.json_file.not_results",
    hint="core.json_file.results_hint",
    # pydantic words a syntax error here ("Invalid JSON: ..."), as this reader always did.
    bad_json=None,
)


def read_results(path: Path) -> BenchResults:
    """A validated results file; every problem is one :class:`DataFileError` sentence."""
    results = load_json_file(BenchResults, path, _RESULTS_FILE)
    major = results.schema_version.split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise DataFileError.from_catalog(
            "core.bench.results_schema",
            path=str(path),
            version=results.schema_version,
            major=SCHEMA_VERSION.split(".")[0],
        )
    return results
