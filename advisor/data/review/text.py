"""One-line previews of examples, for the CLI listing and the wizard's table."""

from __future__ import annotations

from typing import Any

from advisor.data.review.models import ReviewRow


def _text(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, list):
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    if content is None and message.get("tool_calls"):
        return "(tool call)"
    return " ".join(str(content or "").split())


def _last(messages: Any, roles: tuple[str, ...]) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") in roles:
            return _text(message)
    return ""


def prompt_and_answer(example: dict[str, Any]) -> tuple[str, str]:
    """The last prompt and the answer to learn (the preferred one for DPO)."""
    if isinstance(example.get("input"), dict):
        prompt = _last(example["input"].get("messages"), ("user",))
        return prompt, _last(example.get("preferred_output"), ("assistant",))
    messages = example.get("messages")
    return _last(messages, ("user", "tool")), _last(messages, ("assistant",))


def preview(row: ReviewRow, width: int = 100) -> str:
    """``prompt → answer`` in at most ``width`` characters."""
    if row.example is None:
        text = (row.raw or "").strip() or "(blank line)"
    else:
        prompt, answer = prompt_and_answer(row.example)
        text = f"{prompt} → {answer}" if answer else prompt or "(no messages)"
    return text if len(text) <= width else text[: width - 1] + "…"
