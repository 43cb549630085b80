"""What the local trainer sees of a training file: its tokens, and which of them are labelled.

One implementation for both sides, so that an estimate counts exactly what a
job trains on:

* the local trainer (``backends/local/trainingdata.py``) builds its SFT
  features with :func:`sft_features` from the model's own (transformers)
  tokenizer;
* ``data stats``, ``tune create`` previews and the bench plan count with
  :class:`LightTokenizer`, the same ``tokenizer.json`` and chat template
  without importing transformers (whose import alone takes seconds).

Counting the trainer's way matters for prompt-heavy data: an example longer
than ``max_length`` is cut there, and one whose assistant turn lies beyond the
cut trains nothing and is dropped (on invoice-total at 256 tokens, 34 of 150
examples).  The OpenAI cookbook count of ``advisor.data.tokens`` sees neither,
nor the chat template's own tokens (SmolLM2 adds a default system prompt).

SFT: tokens are the rendered conversation's, truncated at ``max_length``;
labelled tokens are those inside assistant turns not marked ``"weight": 0``.
DPO (TRL's tokenization): prompt + chosen and prompt + rejected, each cut at
``max_length``; the completions are the labelled part; an example whose prompt
alone fills ``max_length`` is dropped.  Neither counts DPO's padding within a
batch nor its one-off reference pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from advisor.ids import LOCAL_MAX_LENGTH

if TYPE_CHECKING:
    from advisor.settings import Settings

#: Methods whose tokens are counted the trainer's way (RFT's time is generation's).
COUNTED_METHODS = ("sft", "dpo")


class ChatTokenizer(Protocol):
    """The part of a transformers tokenizer the features use."""

    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> Any: ...

    def __call__(self, text: Any, **kwargs: Any) -> Any: ...


def message_text(content: Any) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def chat_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """role/content only, with OpenAI's ``developer`` role as ``system`` for local templates."""
    out = []
    for m in messages:
        role = m.get("role", "user")
        role = "system" if role == "developer" else role
        if role == "tool":
            role = "user"  # small local templates have no tool role; keep the text
        out.append(
            {"role": role, "content": message_text(m.get("content")), "weight": m.get("weight")}
        )
    return out


def render(
    tokenizer: ChatTokenizer, messages: list[dict[str, Any]], generation_prompt: bool
) -> str:
    plain = [{"role": m["role"], "content": m["content"]} for m in messages]
    text: str = tokenizer.apply_chat_template(
        plain, tokenize=False, add_generation_prompt=generation_prompt
    )
    return text


def sft_features(
    tokenizer: ChatTokenizer, record: dict[str, Any], max_length: int
) -> dict[str, Any] | None:
    """input_ids and labels for one SFT line; None when nothing in it is trainable."""
    messages = chat_messages(record.get("messages", []))
    full = render(tokenizer, messages, False)
    spans: list[tuple[int, int]] = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant" or message.get("weight") == 0:
            continue
        start = len(render(tokenizer, messages[:i], True)) if i else 0
        end = len(render(tokenizer, messages[: i + 1], False))
        spans.append((start, end))
    if not spans:
        return None
    encoded = tokenizer(
        full, add_special_tokens=False, return_offsets_mapping=True, truncation=False
    )
    ids: list[int] = encoded["input_ids"][:max_length]
    offsets = encoded["offset_mapping"][:max_length]
    labels = [
        token if any(s <= begin and end <= e for s, e in spans) and end > begin else -100
        for token, (begin, end) in zip(ids, offsets, strict=True)
    ]
    if all(label == -100 for label in labels):
        return None
    return {"input_ids": ids, "labels": labels}


@dataclass(frozen=True)
class Seen:
    """Tokens of one example as the trainer sees them (all sequences of it)."""

    tokens: int
    labelled: int


def _ids(tokenizer: ChatTokenizer, messages: list[dict[str, Any]], prompt: bool) -> list[int]:
    ids: list[int] = tokenizer(render(tokenizer, messages, prompt), add_special_tokens=False)[
        "input_ids"
    ]
    return ids


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def dpo_seen(tokenizer: ChatTokenizer, record: dict[str, Any], max_length: int) -> Seen | None:
    """TRL's DPO tokenization of one line (see the module docstring); None: dropped."""
    data = record.get("input")
    prompt = chat_messages(data.get("messages", []) if isinstance(data, dict) else [])
    outputs = []
    for key in ("preferred_output", "non_preferred_output"):
        value = record.get(key)
        answers = value if isinstance(value, list) else []
        outputs.append(
            [{"role": "assistant", "content": message_text(m.get("content"))} for m in answers]
        )
    prompt_ids = _ids(tokenizer, prompt, True)
    full = [_ids(tokenizer, prompt + answer, False) for answer in outputs]
    start = min(_common_prefix(prompt_ids, ids) for ids in full)
    if start >= max_length:
        return None
    tokens = sum(min(len(ids), max_length) for ids in full)
    return Seen(tokens=tokens, labelled=tokens - start * len(full))


def seen(
    tokenizer: ChatTokenizer, record: dict[str, Any], method: str, max_length: int
) -> Seen | None:
    """What the trainer trains on in one line of ``method``; None: the trainer drops it."""
    if method == "dpo":
        return dpo_seen(tokenizer, record, max_length)
    features = sft_features(tokenizer, record, max_length)
    if features is None:
        return None
    labelled = sum(1 for label in features["labels"] if label != -100)
    return Seen(tokens=len(features["input_ids"]), labelled=labelled)


@dataclass
class TrainerView:
    """Running totals of what the local trainer sees of a file, line by line."""

    tokenizer: ChatTokenizer
    method: str
    max_length: int
    examples: int = 0
    tokens: int = 0
    labelled: int = 0

    def add(self, record: dict[str, Any]) -> None:
        try:
            found = seen(self.tokenizer, record, self.method, self.max_length)
        except Exception:  # a line the template cannot render: validation reports it
            found = None
        if found is not None:
            self.examples += 1
            self.tokens += found.tokens
            self.labelled += found.labelled

    @classmethod
    def for_model(
        cls, model: str, method: str, settings: Settings, max_length: int | None
    ) -> TrainerView | None:
        """A view for a local model's SFT or DPO job; None otherwise or without its tokenizer."""
        from advisor.data.calibration import local_model_name
        from advisor.data.tokens import is_local_model
        from advisor.embedded import resolve_chat_model

        if method not in COUNTED_METHODS or not is_local_model(model, settings):
            return None
        try:
            folder = resolve_chat_model(local_model_name(model, settings), settings)
            tokenizer = light_tokenizer(str(folder))
        except Exception:  # an estimate only: fall back to the OpenAI count
            return None
        return cls(tokenizer, method, max_length or LOCAL_MAX_LENGTH)


class LightTokenizer:
    """A model folder's ``tokenizer.json`` and chat template, without transformers.

    The template is rendered in a Jinja sandbox set up as transformers sets it up
    (trim_blocks, lstrip_blocks, loop controls, ``raise_exception``,
    ``strftime_now``, a non-escaping ``tojson``) with the special tokens as
    variables; a test checks that it renders and tokenizes as transformers does.
    """

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        template_file = folder / "chat_template.jinja"
        source = (
            template_file.read_text(encoding="utf-8")
            if template_file.is_file()
            else config.get("chat_template")
        )
        if not isinstance(source, str):
            raise ValueError(f"{folder} has no chat template")
        self._template = _environment().from_string(source)
        self._specials = {
            key: _token_text(value)
            for key, value in config.items()
            if key.endswith("_token") and _token_text(value) is not None
        }

    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> str:
        prompt = bool(kwargs.get("add_generation_prompt", False))
        text: str = self._template.render(
            messages=conversation,
            tools=None,
            documents=None,
            add_generation_prompt=prompt,
            **self._specials,
        )
        return text

    def __call__(self, text: Any, **kwargs: Any) -> dict[str, Any]:
        encoding = self._tokenizer.encode(str(text), add_special_tokens=False)
        return {"input_ids": list(encoding.ids), "offset_mapping": list(encoding.offsets)}


def _token_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    return None


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise jinja2.exceptions.TemplateError(message)

    def tojson(
        x: Any,
        ensure_ascii: bool = False,
        indent: int | None = None,
        separators: Any = None,
        sort_keys: bool = False,
    ) -> str:
        return json.dumps(
            x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
        )

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


@lru_cache(maxsize=4)
def light_tokenizer(folder: str) -> LightTokenizer:
    return LightTokenizer(Path(folder))
