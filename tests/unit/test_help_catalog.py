"""The Japanese help catalog covers the whole command tree; wrapping counts terminal cells."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
import typer.main
from rich.cells import cell_len

from advisor import messages
from advisor.cli import help_catalog
from advisor.cli.app import app
from advisor.cli.help_i18n import LocalizedCommand, LocalizedGroup, short_help, wrap

HELP_OPTION = "Show this message and exit."  # Click's own --help text


def tree() -> Iterator[tuple[str, Any]]:
    """Every command of the app as (path, Click command), the root as ``""``."""

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}".strip())

    yield from walk(typer.main.get_command(app), "")


def test_every_command_and_option_has_a_japanese_help_text() -> None:
    catalog = help_catalog.catalog()
    missing = []
    for path, command in tree():
        assert isinstance(command, (LocalizedCommand, LocalizedGroup)), path
        if command.help and path not in catalog.commands:
            missing.append(f"command {path!r}")
        for param in command.params:
            text = getattr(param, "help", None)
            if text and text not in catalog.options:
                missing.append(f"{path!r} {param.name}: {text!r}")
    assert missing == [], "add these to advisor/cli/help_ja.yaml"


def test_the_catalog_has_no_entry_that_nothing_uses() -> None:
    paths, texts = set(), {HELP_OPTION}
    for path, command in tree():
        paths.add(path)
        texts |= {p.help for p in command.params if getattr(p, "help", None)}
    catalog = help_catalog.catalog()
    assert sorted(set(catalog.commands) - paths) == []
    assert sorted(set(catalog.options) - texts) == []


def test_click_templates_keep_their_placeholders() -> None:
    catalog = help_catalog.catalog()
    for section in (catalog.headings, catalog.extras, catalog.errors):
        for english, japanese in section.items():
            assert messages.placeholders(english) == messages.placeholders(japanese), english
    assert messages.placeholders(catalog.try_help) == {"command", "option"}


def test_usage_errors_translate_whole_and_nested() -> None:
    translate = help_catalog.translate
    assert translate("Missing option '--method' / '-m'.") == (
        "オプション '--method' / '-m' が指定されていません。"
    )
    assert translate("Invalid value for '--port': Input should be less than or equal to 9") == (
        "'--port' の値が正しくありません: 9 以下の値を指定してください。"
    )
    assert translate("No such command 'dat'. Did you mean 'data'?") == (
        "コマンド 'dat' はありません。'data' のことですか？"
    )
    assert translate("something Click will say one day") == "something Click will say one day"
    assert translate("default: text", "extras") == "既定: text"


def test_wrapping_counts_full_width_characters_as_two_cells() -> None:
    text = "ジョブを始める前に全行を検査します。エラーがあれば終了コード 1。" * 3
    lines = wrap(text, 30, "  ", "  ")
    assert len(lines) > 3
    assert all(cell_len(line) <= 30 for line in lines)
    # nothing is lost and ASCII words are never cut
    joined = "".join(line.strip() for line in lines)
    assert joined.replace(" ", "") == text.replace(" ", "")
    assert wrap("あ" * 11 + "advisor data", 30) == ["あ" * 11 + "advisor", "data"]
    assert wrap("あ" * 12 + "advisor data", 30) == ["あ" * 12, "advisor data"]


def test_a_closing_mark_never_starts_a_line() -> None:
    lines = wrap("バックエンド名（`advisor backends list` を参照）。", 46)
    assert lines == ["バックエンド名（`advisor backends list` を参", "照）。"]
    assert not any(line[0] in "、。）」" for line in wrap("あいうえおかきく。。。", 8))


def test_an_ascii_colon_in_japanese_text_stays_on_its_line() -> None:
    # `data stats --max-length` at 80 columns broke as "（既定" / ": 学習側の既定値 512）".
    text = "ローカルの学習が各例を切り詰めるトークン数（既定: 学習側の既定値 512）。"
    for width in range(12, 60):
        lines = wrap(text, width)
        assert not any(line.lstrip()[0] in ":;,.)]!?" for line in lines), (width, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_short_help_is_the_first_sentence_cut_in_cells() -> None:
    assert short_help("一覧します。詳しくは後で。", 40) == "一覧します。"
    cut = short_help("あ" * 30 + "。", 20)
    assert cut.endswith("...") and cell_len(cut) <= 20


def test_a_declined_confirmation_reads_cancelled_in_japanese(monkeypatch) -> None:
    from typer.testing import CliRunner

    from advisor.cli.help_i18n import localize

    small = typer.Typer(rich_markup_mode=None)  # as the product

    @small.command()
    def delete() -> None:
        typer.confirm("Delete?", abort=True)

    @small.command()
    def other() -> None:  # two commands: Typer builds a group
        pass

    localize(small)
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    result = CliRunner().invoke(small, ["delete"], input="n\n")
    assert result.exit_code == 1
    assert "中止しました。" in result.output and "Aborted" not in result.output
    monkeypatch.setenv("ADVISOR_LANG", "en")
    result = CliRunner().invoke(small, ["delete"], input="n\n")
    assert result.exit_code == 1 and "Aborted!" in result.output
