"""Nothing clipped at 80 and 120 columns: footers, labels, bars (issue 19, first hour)."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from advisor.tui.screens import SCREENS, make_screen
from tests.tui.conftest import SIZES

pytestmark = pytest.mark.anyio


def screen_text(app) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_the_footer_fits(name: str, size: tuple[int, int], make_app) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        if name != "home":
            app.push_screen(make_screen(name))
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert footer.virtual_size.width <= footer.size.width, screen_text(app)[-1]


@pytest.mark.parametrize("size", SIZES)
async def test_route_names_on_the_results_bars_are_whole(size: tuple[int, int], make_app) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.push_screen(make_screen("results"))
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "Custom assistant (GPTs-style)" in text.replace("\n  ", " ") or (
            "Custom assistant ░" in text or "Custom assistant █" in text
        ), text
        assert "Custom assistant ( " not in text
