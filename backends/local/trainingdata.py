"""OpenAI fine-tuning JSONL turned into what the TRL trainers take.

* SFT: tokenized ``input_ids`` and ``labels`` built here, not by TRL, so that
  the loss covers assistant turns only and skips turns marked ``"weight": 0``
  (OpenAI's convention; TRL's ``assistant_only_loss`` cannot skip single turns).
  Assistant spans are found by rendering the chat template for each prefix of
  the conversation and mapping character offsets to tokens, which works with
  any template that renders a conversation as the concatenation of its turns.
  The features come from :mod:`advisor.data.trainview`, which the training-time
  estimates count with, so an estimate sees the tokens a job trains on.
* DPO: TRL's conversational preference rows (prompt, chosen, rejected).
* RFT: conversational prompts plus the whole line as ``advisor_item`` (JSON),
  which the reward function hands to the graders as ``item``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.data.trainview import chat_messages, message_text, sft_features
from advisor.errors import DataFileError

__all__ = ["chat_messages", "dpo_row", "read_examples", "rft_row", "sft_features"]


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
                raise DataFileError.from_catalog(
                    "core.local.not_json_line", path=str(path), line=number
                ) from exc
    return rows


def dpo_row(record: dict[str, Any]) -> dict[str, Any]:
    prompt = chat_messages(record["input"]["messages"])
    return {
        "prompt": [{"role": m["role"], "content": m["content"]} for m in prompt],
        "chosen": [_assistant(m) for m in record["preferred_output"]],
        "rejected": [_assistant(m) for m in record["non_preferred_output"]],
    }


def _assistant(message: dict[str, Any]) -> dict[str, str]:
    return {"role": "assistant", "content": message_text(message.get("content"))}


def rft_row(record: dict[str, Any]) -> dict[str, Any]:
    messages = chat_messages(record["messages"])
    while messages and messages[-1]["role"] == "assistant":
        messages.pop()  # the policy writes the answer
    return {
        "prompt": [{"role": m["role"], "content": m["content"]} for m in messages],
        "advisor_item": json.dumps(record, ensure_ascii=False),
    }
