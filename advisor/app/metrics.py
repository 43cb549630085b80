"""Typed metric points from a job's events, whatever the service called the figures.

The local trainer and the fake service write ``loss`` and ``reward_mean``;
OpenAI's events say ``train_loss``, ``valid_loss`` and ``train_reward_mean``.
One model reads them all, so a chart or a progress bar never guesses key names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from backends.jobs import JobEvent

# Our name -> the names services write it under, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "loss": ("loss", "train_loss"),
    "eval_loss": ("eval_loss", "valid_loss", "validation_loss"),
    "reward_mean": ("reward_mean", "train_reward_mean", "mean_reward", "reward", "score"),
    "learning_rate": ("learning_rate",),
    "tokens_per_second": ("tokens_per_second",),
}


class MetricPoint(BaseModel):
    """One metrics record of a training job (every figure optional)."""

    step: int | None = None
    total_steps: int | None = None
    epoch: float | None = None
    loss: float | None = None
    eval_loss: float | None = None
    reward_mean: float | None = None
    learning_rate: float | None = None
    tokens_per_second: float | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> MetricPoint | None:
        """The point in an event's data; None when it holds no step and no figure."""
        data = data or {}
        values: dict[str, Any] = {}
        for name, keys in ALIASES.items():
            found = next((data[k] for k in keys if _number(data.get(k))), None)
            if found is not None:
                values[name] = float(found)
        for name in ("step", "total_steps"):
            if isinstance(data.get(name), int) and not isinstance(data.get(name), bool):
                values[name] = data[name]
        if _number(data.get("epoch")):
            values["epoch"] = float(data["epoch"])
        return cls(**values) if values else None

    @classmethod
    def from_event(cls, event: JobEvent) -> MetricPoint | None:
        return cls.from_data(event.data)

    def headline(self, *, reward: bool = False) -> tuple[str, float] | None:
        """The figure to chart: the loss, or for RFT the mean reward (the other as fallback)."""
        order = ("reward_mean", "loss") if reward else ("loss", "reward_mean")
        for name in order:
            value = getattr(self, name)
            if value is not None:
                return name, value
        return None

    def figures(self) -> dict[str, float]:
        """The figures present, for a one-line summary."""
        names = ("loss", "eval_loss", "reward_mean")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
