"""Reading a bench ``results.json`` for the commands that build on it (cost, assess)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from advisor.bench.schema import SCHEMA_VERSION, BenchResults
from advisor.errors import DataFileError, first_problem


def read_results(path: Path) -> BenchResults:
    """A validated results file; every problem is one :class:`DataFileError` sentence."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError("results file not found", path=str(path)) from exc
    except OSError as exc:
        raise DataFileError(f"cannot read results file ({exc.strerror})", path=str(path)) from exc
    try:
        results = BenchResults.model_validate_json(text)
    except ValidationError as exc:
        loc, msg = first_problem(exc)
        raise DataFileError(
            f"not a bench results file ({loc or 'top level'}: {msg})",
            path=str(path),
            hint="pass the results.json written by `advisor bench`",
        ) from exc
    major = results.schema_version.split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise DataFileError(
            f"results schema {results.schema_version} is not readable by this version "
            f"(reads {SCHEMA_VERSION.split('.')[0]}.x)",
            path=str(path),
        )
    return results
