"""OpenAI's grader objects for reinforcement fine-tuning, from our grader definitions.

Our grader definitions (``advisor.graders``) are OpenAI-shaped dicts already;
:func:`to_openai_grader` validates one and keeps exactly the fields OpenAI's
API defines, so a grader OpenAI cannot run fails here, before any request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from advisor.errors import GraderError, UserInputError
from advisor.messages import Localized


class OpenAIGraderError(GraderError, UserInputError):
    """A grader OpenAI's RFT cannot run: bad input, so the CLI exits with 2."""


RFT_GRADER_TYPES = ("string_check", "text_similarity", "python", "score_model", "multi")
_STRING_OPERATIONS = ("eq", "ne", "like", "ilike")
_SIMILARITY_METRICS = (
    "cosine", "fuzzy_match", "bleu", "gleu", "meteor",
    "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l",
)  # fmt: skip
_MESSAGE_ROLES = ("system", "developer", "user", "assistant")
_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def _template(text: str) -> str:
    """``{{ item.x }}`` -> ``{{item.x}}``: OpenAI's documented template spelling."""
    return _TEMPLATE.sub(lambda m: "{{" + m.group(1) + "}}", text)


#: How messages name a grader: its quoted name, or "(unnamed)" in the reader's language.
Where = str | Localized


def _require(spec: dict[str, Any], field: str, kind: type, where: Where) -> Any:
    value = spec.get(field)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise OpenAIGraderError.from_catalog(
            "core.openai.grader.needs_field",
            hint_key="core.openai.grader.needs_field_hint",
            where=where,
            kind=kind.__name__,
            field=repr(field),
        )
    return value


def _choice(spec: dict[str, Any], field: str, allowed: Iterable[str], where: Where) -> str:
    value = _require(spec, field, str, where)
    allowed = tuple(allowed)
    if value not in allowed:
        raise OpenAIGraderError.from_catalog(
            "core.openai.grader.bad_choice",
            hint_key="core.openai.grader.bad_choice_hint",
            where=where,
            field=field,
            value=repr(value),
            allowed=", ".join(allowed),
        )
    return str(value)


def to_openai_grader(spec: dict[str, Any], *, _nested: bool = False) -> dict[str, Any]:
    """Validate one of our grader definitions and return OpenAI's grader object for RFT.

    Our definitions are OpenAI-shaped already; this keeps exactly the fields the
    API defines (our extras such as ``pass_threshold`` are local-only) and
    normalises templates.  A ``multi`` grader's ``graders`` stay a name -> grader
    map: that is what the service accepts (the published schema says a single
    grader, see openai/openai-java#647 and docs/backends.md).

    Raises:
        OpenAIGraderError: a :class:`GraderError` with exit code 2: an unknown or
            unsupported type (``regex`` and ``json_schema`` are ours; OpenAI's RFT
            does not run them) or a missing/invalid field.
    """
    if not isinstance(spec, dict):
        raise OpenAIGraderError.from_catalog("core.openai.grader.not_object")
    kind = spec.get("type")
    name = spec.get("name") or kind
    where: Where = f"{name!r}" if name else Localized("core.openai.grader.unnamed")
    allowed = RFT_GRADER_TYPES[:-1] if _nested else RFT_GRADER_TYPES
    if kind not in allowed:
        why = "type_ours" if kind in ("regex", "json_schema") else "type_unknown"
        if _nested and kind == "multi":
            why = "type_nested"
        raise OpenAIGraderError.from_catalog(
            f"core.openai.grader.{why}",
            hint_key="core.openai.grader.type_hint",
            kind=repr(kind),
            allowed=", ".join(allowed),
        )
    out: dict[str, Any] = {"type": kind, "name": _require(spec, "name", str, where)}
    if kind == "string_check":
        out["input"] = _template(_require(spec, "input", str, where))
        out["reference"] = _template(_require(spec, "reference", str, where))
        out["operation"] = _choice(spec, "operation", _STRING_OPERATIONS, where)
    elif kind == "text_similarity":
        out["input"] = _template(_require(spec, "input", str, where))
        out["reference"] = _template(_require(spec, "reference", str, where))
        out["evaluation_metric"] = _choice(spec, "evaluation_metric", _SIMILARITY_METRICS, where)
    elif kind == "python":
        source = _require(spec, "source", str, where)
        if not re.search(r"^def grade\s*\(", source, re.MULTILINE):
            raise OpenAIGraderError.from_catalog("core.openai.grader.python_no_grade", where=where)
        out["source"] = source
        if isinstance(spec.get("image_tag"), str):
            out["image_tag"] = spec["image_tag"]
    elif kind == "score_model":
        out["model"] = _require(spec, "model", str, where)
        out["input"] = [_grader_message(m, where) for m in _require(spec, "input", list, where)]
        if "range" in spec:
            low_high = spec["range"]
            if (
                not isinstance(low_high, list)
                or len(low_high) != 2
                or not all(isinstance(v, int | float) for v in low_high)
                or low_high[0] >= low_high[1]
            ):
                raise OpenAIGraderError.from_catalog("core.openai.grader.bad_range", where=where)
            out["range"] = [float(v) for v in low_high]
        if isinstance(spec.get("sampling_params"), dict):
            out["sampling_params"] = spec["sampling_params"]
    else:  # multi
        graders = _require(spec, "graders", dict, where)
        if not graders:
            raise OpenAIGraderError.from_catalog("core.openai.grader.multi_empty", where=where)
        out["graders"] = {
            str(key): to_openai_grader(sub if isinstance(sub, dict) else {}, _nested=True)
            for key, sub in graders.items()
        }
        out["calculate_output"] = _require(spec, "calculate_output", str, where)
    return out


def _grader_message(message: Any, where: Where) -> dict[str, Any]:
    if not isinstance(message, dict) or message.get("role") not in _MESSAGE_ROLES:
        raise OpenAIGraderError.from_catalog(
            "core.openai.grader.bad_message", where=where, roles=", ".join(_MESSAGE_ROLES)
        )
    content = message.get("content")
    if isinstance(content, str):
        content = _template(content)
    elif not isinstance(content, list):
        raise OpenAIGraderError.from_catalog("core.openai.grader.no_content", where=where)
    out: dict[str, Any] = {"role": message["role"], "content": content}
    if message.get("type") == "message":
        out["type"] = "message"
    return out
