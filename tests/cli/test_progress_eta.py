"""Progress bars show an ETA from measured throughput (issue 19, first hour)."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from advisor.cli.output import progress_bar


def test_the_progress_bar_estimates_the_time_left() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)
    with progress_bar(console=console) as bar:
        task = bar.add_task("sft: answering", total=10)
        for done in range(1, 4):
            time.sleep(0.05)
            bar.update(task, completed=done)
        bar.refresh()
        text = bar.get_renderable()
    console.print(text)
    rendered = out.getvalue()
    assert "3/10" in rendered
    assert re.search(r"eta \d\d:\d\d", rendered)  # estimated from the 3 answers measured
