"""OpenAI fine-tuning JSONL turned into what the TRL trainers take.

* SFT: tokenized ``input_ids`` and ``labels`` built here, not by TRL, so that
  the loss covers assistant turns only and skips turns marked ``"weight": 0``
  (OpenAI's convention; TRL's ``assistant_only_loss`` cannot skip single turns).
  Assistant spans are found by rendering the chat template for each prefix of
  the conversation and mapping character offsets to tokens, which works with
  any template that renders a conversation as the concatenation of its turns.
* DPO: TRL's conversational preference rows (prompt, chosen, rejected).
* RFT: conversational prompts plus the whole line as ``advisor_item`` (JSON),
  which the reward function hands to the graders as ``item``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.errors import DataFileError


def read_examples(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file (validation has already vetted them)."""
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise DataFileError("not valid JSON", path=str(path), line=number) from exc
    return rows


def _text(content: Any) -> str:
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
        out.append({"role": role, "content": _text(m.get("content")), "weight": m.get("weight")})
    return out


def _render(tokenizer: Any, messages: list[dict[str, Any]], generation_prompt: bool) -> str:
    plain = [{"role": m["role"], "content": m["content"]} for m in messages]
    text: str = tokenizer.apply_chat_template(
        plain, tokenize=False, add_generation_prompt=generation_prompt
    )
    return text


def sft_features(tokenizer: Any, record: dict[str, Any], max_length: int) -> dict[str, Any] | None:
    """input_ids and labels for one SFT line; None when nothing in it is trainable."""
    messages = chat_messages(record.get("messages", []))
    full = _render(tokenizer, messages, False)
    spans: list[tuple[int, int]] = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant" or message.get("weight") == 0:
            continue
        start = len(_render(tokenizer, messages[:i], True)) if i else 0
        end = len(_render(tokenizer, messages[: i + 1], False))
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


def dpo_row(record: dict[str, Any]) -> dict[str, Any]:
    prompt = chat_messages(record["input"]["messages"])
    return {
        "prompt": [{"role": m["role"], "content": m["content"]} for m in prompt],
        "chosen": [_assistant(m) for m in record["preferred_output"]],
        "rejected": [_assistant(m) for m in record["non_preferred_output"]],
    }


def _assistant(message: dict[str, Any]) -> dict[str, str]:
    return {"role": "assistant", "content": _text(message.get("content"))}


def rft_row(record: dict[str, Any]) -> dict[str, Any]:
    messages = chat_messages(record["messages"])
    while messages and messages[-1]["role"] == "assistant":
        messages.pop()  # the policy writes the answer
    return {
        "prompt": [{"role": m["role"], "content": m["content"]} for m in messages],
        "advisor_item": json.dumps(record, ensure_ascii=False),
    }
