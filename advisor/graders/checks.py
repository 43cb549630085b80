"""Exact checks: ``string_check`` (OpenAI), ``regex`` and ``json_schema`` (ours)."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import ConfigDict, Field

from advisor.errors import GraderError
from advisor.graders.base import Grader, GraderSpec, Sample, render


class StringCheckSpec(GraderSpec):
    type: Literal["string_check"] = "string_check"
    input: str = "{{ sample.output_text }}"
    reference: str
    operation: Literal["eq", "ne", "like", "ilike"] = "eq"


class StringCheckGrader(Grader):
    """OpenAI's string_check: 1.0 when the operation holds, else 0.0.

    ``like`` is a case-sensitive "contains", ``ilike`` the case-insensitive one,
    as in OpenAI's definition.
    """

    type = "string_check"
    spec: StringCheckSpec

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        text = render(self.spec.input, sample, item)
        reference = render(self.spec.reference, sample, item)
        op = self.spec.operation
        if op == "eq":
            ok = text == reference
        elif op == "ne":
            ok = text != reference
        elif op == "like":
            ok = reference in text
        else:
            ok = reference.lower() in text.lower()
        return (1.0 if ok else 0.0), {"input": text, "reference": reference, "operation": op}


class RegexSpec(GraderSpec):
    type: Literal["regex"] = "regex"
    input: str = "{{ sample.output_text }}"
    pattern: str
    mode: Literal["search", "fullmatch"] = "search"
    ignore_case: bool = False


class RegexGrader(Grader):
    """1.0 when the pattern matches the (rendered) input."""

    type = "regex"
    spec: RegexSpec

    def __init__(self, spec: RegexSpec) -> None:
        super().__init__(spec)
        self._flags = re.IGNORECASE if spec.ignore_case else 0
        try:
            self._pattern = re.compile(spec.pattern, self._flags)
        except re.error as exc:
            raise GraderError.from_catalog(
                "core.graders.bad_pattern",
                hint_key="core.graders.bad_pattern_hint",
                name=repr(spec.name),
                error=exc,
            ) from exc

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        text = render(self.spec.input, sample, item)
        compiled = self._pattern
        if "{{" in self.spec.pattern:  # the pattern comes from the item: compile it per item
            pattern = render(self.spec.pattern, sample, item)
            try:
                compiled = re.compile(pattern, self._flags)
            except re.error as exc:
                return 0.0, {"matched": None, "error": f"invalid pattern {pattern!r}: {exc}"}
        match = compiled.fullmatch(text) if self.spec.mode == "fullmatch" else compiled.search(text)
        return (1.0 if match else 0.0), {"matched": match.group(0) if match else None}


class JsonSchemaSpec(GraderSpec):
    type: Literal["json_schema"] = "json_schema"
    input: str = "{{ sample.output_text }}"
    schema_: dict[str, Any] = Field(alias="schema")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class JsonSchemaGrader(Grader):
    """1.0 when the input parses as JSON and satisfies the JSON Schema."""

    type = "json_schema"
    spec: JsonSchemaSpec

    def __init__(self, spec: JsonSchemaSpec) -> None:
        super().__init__(spec)
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(spec.schema_)
        except SchemaError as exc:
            raise GraderError.from_catalog(
                "core.graders.bad_schema",
                hint_key="core.graders.bad_schema_hint",
                name=repr(spec.name),
                error=exc.message,
            ) from exc
        self._validator = Draft202012Validator(spec.schema_)

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        text = render(self.spec.input, sample, item)
        try:
            value = json.loads(_strip_fence(text))
        except ValueError as exc:
            return 0.0, {"error": f"not JSON: {exc}"}
        errors = sorted(self._validator.iter_errors(value), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.path) or "(root)"
            return 0.0, {"error": f"{where}: {first.message}", "errors": len(errors)}
        return 1.0, {}


def _strip_fence(text: str) -> str:
    """Models often wrap JSON in a Markdown code fence; the schema is about the JSON."""
    stripped = text.strip()
    match = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", stripped, re.DOTALL)
    return match.group(1) if match else stripped
