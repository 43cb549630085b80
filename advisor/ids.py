"""The one vocabulary: route ids, training methods, model references, progress, epochs.

Everything that names a route, a method or a model, or reports progress, uses
this module, so that a new route or a new id format is added in one place.  It
sits at the bottom of the import layers (only :mod:`advisor.errors` below it),
so backends, plugins and the data toolkit may all import it.

Model references come in three shapes::

    gpt-4.1-mini-2025-04-14                 a plain model (here a dated snapshot)
    ft:gpt-4o-mini-2024-07-18:org:tag:abc  an OpenAI fine-tuned model
    local:ft:SmolLM2-135M:sft:ftjob-1a2b   a model fine-tuned by the local backend

The local job id becomes a folder name (``<data dir>/adapters/<job id>``), so
the parser refuses anything but plain name characters there: an absolute path
or ``..`` in a model id must not reach the file system.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from advisor.errors import ModelNotFoundError

#: The training methods, in OpenAI's short names.
Method = Literal["sft", "dpo", "rft"]
METHODS: tuple[Method, ...] = get_args(Method)

#: The routes that answer without training (system prompt, retrieval, assistant).
InferenceRouteId = Literal["system_prompt", "rag", "custom_assistant"]
INFERENCE_ROUTE_IDS: tuple[InferenceRouteId, ...] = get_args(InferenceRouteId)

# Bench route ids combine these words (``sft+rag``, ``sft>dpo``): their grammar is
# advisor.bench.routespec, the one place that parses them.

#: ``progress(done, total, label)``: ``total`` is 0 when unknown.  The one
#: signature for every long operation (indexing, preparing routes, benches).
Progress = Callable[[int, int, str], None]

# OpenAI's auto-epoch rule (fine-tuning data preparation cookbook): aim at 3
# epochs, but keep the examples seen in training between 100 and 25,000.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25

#: The local trainer's default ``max_length`` (tokens per example; longer ones
#: are truncated).  Defined here, low in the layers, because the trainer
#: (backends/local) and the estimators that count what it will see
#: (advisor/data, advisor/app) must agree on it.
LOCAL_MAX_LENGTH = 512


def auto_epochs(examples: int) -> int:
    """The epochs OpenAI picks for ``n_epochs="auto"``; the local trainer uses the same rule.

    With no examples nothing is trained, so the target (3) is reported rather
    than the small-set maximum.
    """
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


LOCAL_FT_PREFIX = "local:ft:"
OPENAI_FT_PREFIX = "ft:"
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")
# A name that is safe as one path component: no separators, no "..", no leading dot.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
RefKind = Literal["plain", "local_ft", "openai_ft"]


def safe_name(value: str) -> bool:
    """True when ``value`` can be one path component (letters, digits, ``_.-``, no ``..``)."""
    return bool(_SAFE_NAME.fullmatch(value)) and ".." not in value


def base_of(model: str) -> str:
    """The base model of an OpenAI fine-tuned id, or the id itself (never raises)."""
    if not model.startswith(OPENAI_FT_PREFIX):
        return model
    return model.removeprefix(OPENAI_FT_PREFIX).split(":")[0] or model


@dataclass(frozen=True)
class ModelRef:
    """A parsed model id; ``str(ref)`` prints it back exactly.

    For OpenAI ids the optional parts are None when absent (``ft:base:org``),
    and ``checkpoint`` holds the ``ckpt-step-N`` of a checkpoint model.
    """

    kind: RefKind
    base: str
    suffix: str | None = None
    job_id: str | None = None
    org: str | None = None
    checkpoint: str | None = None

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        if text.startswith(LOCAL_FT_PREFIX):
            return cls._parse_local(text)
        if text.startswith(OPENAI_FT_PREFIX):
            parts = text.removeprefix(OPENAI_FT_PREFIX).split(":")
            if len(parts) > 5 or not parts[0]:
                raise ModelNotFoundError.from_catalog(
                    "core.ids.not_openai_ft", hint_key="core.ids.openai_ft_hint", model=repr(text)
                )
            padded: list[str | None] = [*parts[1:], None, None, None, None]
            org, suffix, job_id, checkpoint = padded[:4]
            return cls("openai_ft", parts[0], suffix, job_id, org, checkpoint)
        return cls("plain", text)

    @classmethod
    def _parse_local(cls, text: str) -> ModelRef:
        parts = text.removeprefix(LOCAL_FT_PREFIX).split(":")
        if len(parts) < 3 or not parts[0]:
            raise ModelNotFoundError.from_catalog(
                "core.ids.not_local_ft", hint_key="core.ids.local_ft_hint", model=repr(text)
            )
        return cls.local(parts[0], ":".join(parts[1:-1]), parts[-1], text=text)

    @classmethod
    def local(cls, base: str, suffix: str, job_id: str, *, text: str | None = None) -> ModelRef:
        """The id of a model the local backend fine-tuned (job ``job_id`` on ``base``)."""
        shown = text or f"{LOCAL_FT_PREFIX}{base}:{suffix}:{job_id}"
        unsafe = (("core.ids.unsafe_job_id", job_id), ("core.ids.unsafe_suffix", suffix))
        for key, value in unsafe:
            if not all(safe_name(piece) for piece in value.split(":")):
                raise ModelNotFoundError.from_catalog(
                    key,
                    hint_key="core.ids.safe_hint",
                    model=repr(shown),
                    value=repr(value),
                )
        return cls("local_ft", base, suffix, job_id)

    @property
    def fine_tuned(self) -> bool:
        return self.kind != "plain"

    @property
    def family(self) -> str:
        """The base model without a snapshot date: gpt-4.1-mini-2025-04-14 -> gpt-4.1-mini."""
        return _SNAPSHOT.sub("", self.base)

    @property
    def backend(self) -> str | None:
        """The backend an id implies (``local``, ``openai``), or None for a plain model."""
        return {"local_ft": "local", "openai_ft": "openai"}.get(self.kind)

    def __str__(self) -> str:
        if self.kind == "plain":
            return self.base
        if self.kind == "local_ft":
            return f"{LOCAL_FT_PREFIX}{self.base}:{self.suffix}:{self.job_id}"
        tail = [self.org, self.suffix, self.job_id, self.checkpoint]
        while tail and tail[-1] is None:
            tail.pop()
        return OPENAI_FT_PREFIX + ":".join([self.base, *(t or "" for t in tail)])
