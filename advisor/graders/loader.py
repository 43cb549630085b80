"""Build graders from OpenAI-shaped definitions (dicts, JSON or YAML files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from advisor.errors import DataFileError, GraderError, first_worded
from advisor.graders.base import Grader, GraderSpec
from advisor.graders.checks import (
    JsonSchemaGrader,
    JsonSchemaSpec,
    RegexGrader,
    RegexSpec,
    StringCheckGrader,
    StringCheckSpec,
)
from advisor.graders.multi import MultiGrader, MultiSpec
from advisor.graders.python_grader import PythonGrader, PythonSpec
from advisor.graders.score_model import ScoreModelGrader, ScoreModelSpec
from advisor.graders.similarity import TextSimilarityGrader, TextSimilaritySpec

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.base import Backend

SPECS: dict[str, type[GraderSpec]] = {
    "string_check": StringCheckSpec,
    "text_similarity": TextSimilaritySpec,
    "regex": RegexSpec,
    "json_schema": JsonSchemaSpec,
    "python": PythonSpec,
    "score_model": ScoreModelSpec,
    "multi": MultiSpec,
}
GRADER_TYPES = tuple(SPECS)
USAGE_KEYS = frozenset({"aspect"})


def read_grader_file(path: Path) -> dict[str, Any]:
    """A grader definition from a JSON or YAML file.

    Raises:
        DataFileError: unreadable file or not a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.graders.cannot_read", path=str(path), error=exc.strerror
        ) from exc
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except ValueError as exc:  # yaml.YAMLError subclasses Exception only; see below
        raise DataFileError.from_catalog(
            "core.graders.bad_json", path=str(path), error=exc
        ) from exc
    except Exception as exc:  # yaml errors
        raise DataFileError.from_catalog(
            "core.graders.bad_yaml", path=str(path), error=exc
        ) from exc
    if not isinstance(data, dict):
        raise DataFileError.from_catalog("core.graders.not_an_object", path=str(path))
    return data


def parse_spec(definition: dict[str, Any]) -> GraderSpec:
    """Validate a grader definition against its type's model.

    Raises:
        GraderError: unknown type or invalid fields (the message names the field).
    """
    kind = definition.get("type")
    if kind not in SPECS:
        raise GraderError.from_catalog(
            "core.graders.unknown_type",
            hint_key="core.graders.unknown_type_hint",
            kind=repr(kind),
            kinds=", ".join(GRADER_TYPES),
        )
    # Keys that describe how a grader is used, not how it grades (scenario files).
    definition = {k: v for k, v in definition.items() if k not in USAGE_KEYS}
    try:
        return SPECS[kind].model_validate(definition)
    except ValidationError as exc:
        where, msg = first_worded(exc)
        name = definition.get("name", kind)
        raise GraderError.from_catalog(
            "core.graders.invalid_field", name=repr(name), where=where or "grader", problem=msg
        ) from exc


def load_grader(
    spec: dict[str, Any] | Path | str,
    *,
    backend: Backend | None = None,
    settings: Settings | None = None,
) -> Grader:
    """A ready grader from a definition dict or a JSON/YAML file.

    ``backend`` serves the judge of ``score_model`` graders and the embeddings of
    ``cosine`` similarity; without it, the grader's ``backend`` field, the backend
    its ``model`` implies, or the configured default backend is used.

    Raises:
        GraderError: invalid definition.  DataFileError: unreadable file.
    """
    definition = read_grader_file(Path(spec)) if isinstance(spec, str | Path) else spec
    parsed = parse_spec(definition)
    if isinstance(parsed, StringCheckSpec):
        return StringCheckGrader(parsed)
    if isinstance(parsed, RegexSpec):
        return RegexGrader(parsed)
    if isinstance(parsed, JsonSchemaSpec):
        return JsonSchemaGrader(parsed)
    if isinstance(parsed, PythonSpec):
        allow = settings.graders.allow_unsandboxed if settings is not None else None
        return PythonGrader(parsed, allow_unsandboxed=allow)
    if isinstance(parsed, TextSimilaritySpec):
        needs = parsed.evaluation_metric == "cosine"
        return TextSimilarityGrader(
            parsed, _backend(backend, None, None, settings) if needs else None
        )
    if isinstance(parsed, ScoreModelSpec):
        return ScoreModelGrader(parsed, _backend(backend, parsed.backend, parsed.model, settings))
    assert isinstance(parsed, MultiSpec)
    children = {
        name: load_grader({"name": name, **child}, backend=backend, settings=settings)
        for name, child in parsed.graders.items()
    }
    return MultiGrader(parsed, children)


def _backend(
    given: Backend | None, name: str | None, model: str | None, settings: Settings | None
) -> Backend:
    if given is not None and name is None:
        return given
    from advisor.registry import backend_for_model, get_backend
    from advisor.settings import load_settings

    settings = settings or load_settings()
    if name is None and model is not None:
        name = backend_for_model(model, settings)
    return get_backend(name, settings)
