"""Small charts: score bars for routes and a live metric line for training jobs."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline, Static

from advisor.tui.i18n import tr


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells filled in proportion to ``value``."""
    if maximum <= 0:
        return "░" * width
    filled = max(0, min(width, round(width * value / maximum)))
    return "█" * filled + "░" * (width - filled)


class ScoreBar(Static):
    """``label  ████░░░░  score`` on one line; the best route is highlighted."""

    def __init__(
        self,
        label: str,
        score: float,
        maximum: float,
        *,
        best: bool = False,
        suffix: str = "",
        label_width: int = 18,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="score-bar best" if best else "score-bar")
        self.label = label
        self.score = score
        self.maximum = maximum
        self.suffix = suffix
        # The bars of one chart share it (their longest label), so that they line up.
        self.label_width = label_width

    def render(self) -> Text:
        tail = f" {self.score:6.1f}" + (f" {self.suffix}" if self.suffix else "")
        # Whole labels where they fit; never more than 40% of the line, then an ellipsis.
        room = max(8, (self.size.width * 2) // 5)
        column = min(self.label_width, room)
        # Widths in terminal cells: a Japanese character takes two (issue 14).
        label = self.label
        if cell_len(label) > column:
            label = set_cell_size(label, column - 1) + "…"
        width = max(8, self.size.width - column - 1 - cell_len(tail))
        text = Text()
        text.append(set_cell_size(label, column) + " ", style="bold")
        text.append(bar(self.score, self.maximum, width))
        text.append(tail)
        return text


class MetricChart(Vertical):
    """A sparkline of a training metric (loss or reward) with its latest value."""

    DEFAULT_CSS = """
    MetricChart { height: auto; }
    MetricChart Sparkline { height: 3; }
    """

    def __init__(self, metric: str = "loss", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.metric = metric
        self.values: list[float] = []
        self.step: int | None = None

    def compose(self) -> ComposeResult:
        yield Label(self._caption(), id="metric-caption")
        yield Sparkline([], summary_function=max)

    def _caption(self) -> str:
        lang = str(getattr(getattr(self.app, "session", None), "language", "en"))
        metric = tr(self.metric, lang)  # the metric's id ("loss", "reward_mean") in words
        if not self.values:
            return tr("{metric}: waiting for the first step", lang).format(metric=metric)
        return tr("{metric}: {value} (step {step}, min {min}, max {max})", lang).format(
            metric=metric,
            value=f"{self.values[-1]:.4f}",
            step=self.step or len(self.values),
            min=f"{min(self.values):.4f}",
            max=f"{max(self.values):.4f}",
        )

    def set_metric(self, metric: str) -> None:
        self.metric = metric
        self.redraw_caption()

    def redraw_caption(self) -> None:
        """The caption in the session's language (F3)."""
        self.query_one("#metric-caption", Label).update(self._caption())

    def add(self, value: float, step: int | None = None) -> None:
        self.values.append(value)
        self.step = step
        self.query_one(Sparkline).data = list(self.values)
        self.query_one("#metric-caption", Label).update(self._caption())

    def reset(self) -> None:
        self.values.clear()
        self.step = None
        self.query_one(Sparkline).data = []
        self.query_one("#metric-caption", Label).update(self._caption())
