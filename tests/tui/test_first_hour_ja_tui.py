"""A Japanese-speaking new user's first hour in the wizard (ADVISOR_LANG=ja): what the
screens, dialogs and notifications show stays Japanese and fits 80 columns; the lines
found English or clipped by the wizard's audit (the CLI's: test_first_hour_ja_cli.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from textual.widgets import Footer, Select
from textual.worker import WorkerFailed

from advisor.tui.screens import SCREENS, make_screen
from advisor.tui.screens.compare import CompareScreen
from tests.conftest import FIXTURES
from tests.tui.conftest import SIZES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio


def screen_text(app) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def settle(app, pilot) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_the_japanese_footer_fits(name: str, size: tuple[int, int], make_app) -> None:
    # Japanese takes two cells a character: the Results footer lost its F3 key at 80.
    app = make_app(language="ja")
    async with app.run_test(size=size) as pilot:
        if name != "home":
            app.push_screen(make_screen(name))
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert footer.virtual_size.width <= footer.size.width, screen_text(app).splitlines()[-1]
        assert screen_text(app).splitlines()[-1].rstrip().endswith("EN/JA")


@pytest.mark.parametrize(("name", "title"), [("review", "レビュー"), ("arena", "アリーナ")])
async def test_the_header_names_the_screen_in_japanese(name: str, title: str, make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(make_screen(name))
        await pilot.pause()
        assert app.screen.sub_title == title
        assert f"route advisor — {title}" in screen_text(app)


def options(screen, selector: str) -> list[str]:
    return [str(prompt) for prompt, _ in screen.query_one(selector, Select)._options]


async def test_the_chat_targets_and_sources_in_japanese(make_app) -> None:
    from advisor.rag import KnowledgeBase

    app = make_app(language="ja", knowledge_base="acme", route="rag")
    KnowledgeBase("acme", app.settings).index([FIXTURES / "tui" / "docs"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("chat")
        await app.push_screen(screen)
        await settle(app, pilot)
        assert options(screen, "#target") == [
            "RAG（ナレッジベース acme）",
            "モデル（システムプロンプトのルート）",
        ]
        await app.run_action("toggle_language")
        await pilot.pause()
        assert options(screen, "#target")[0] == "RAG over acme"
        assert screen.query_one("#target", Select).value == "rag"
        await app.run_action("toggle_language")
        await pilot.pause()
        await pilot.press(*"refunds", "enter")
        await settle(app, pilot)
        assert await until(pilot, lambda: "出典:" in screen_text(app)), screen_text(app)
        assert "sources:" not in screen_text(app)


async def test_the_arena_targets_in_japanese(make_app) -> None:
    app = make_app(language="ja", fine_tuned_model="fake:ft:1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("arena")
        await app.push_screen(screen)
        await pilot.pause()
        assert options(screen, "#target-2") == [
            "モデル（システムプロンプトのルート）",
            "ファインチューニング済み fake:ft:1",
        ]
        before = [screen.query_one(f"#target-{n}", Select).value for n in (1, 2)]
        await app.run_action("toggle_language")
        await pilot.pause()
        assert options(screen, "#target-1")[0] == "model (system prompt route)"
        assert [screen.query_one(f"#target-{n}", Select).value for n in (1, 2)] == before


async def test_a_brief_that_cannot_be_written_says_so_in_japanese(make_app, tmp_path) -> None:
    # An OSError was shown as an "unexpected error" to report, in English words.
    from textual.widgets import Input

    from advisor.tui.widgets.dialogs import ErrorDialog

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("results"))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        target = tmp_path / "nosuch" / "brief.md"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message.startswith(f"{target} に書き込めません（")
        assert (
            "予期しない" not in app.screen.message and "FileNotFoundError" not in app.screen.message
        )


async def test_the_results_lists_keep_their_bullet_beside_the_text(make_app) -> None:
    # A Japanese sentence has no space to wrap at: the bullet stood alone on its line.
    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("results"))
        await pilot.pause()
        sections = [str(s.render()) for s in app.screen.query(".section")]
        lines = [line for text in sections for line in text.splitlines()]
        items = [line for line in lines if line.startswith(("・", "•"))]
        assert items and all(line.startswith("・") and len(line) > 1 for line in items), lines


async def test_the_fine_tuning_dialogs_in_japanese(make_app, tmp_path) -> None:
    from textual.widgets import Input

    from advisor.tui.widgets.dialogs import ConfirmDialog, ErrorDialog, PickDialog

    app = make_app(language="ja", route="sft")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("run")
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#train", Input).value = str(tmp_path / "missing.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message == f"学習ファイル {tmp_path / 'missing.jsonl'} が見つかりません"
        await pilot.press("enter")
        screen.query_one("#train", Input).value = str(FIXTURES / "tui" / "train_ok.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        message = app.screen.message
        assert "約 0 秒" in message and "0 s" not in message
        assert "Simulated" not in message and "シミュレーション" in message, message
        await pilot.press("y")
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, PickDialog)
        labels = [label for _, label in app.screen.options]
        assert labels and all("成功" in label and "succeeded" not in label for label in labels)


async def test_the_assistant_is_ready_in_japanese_words(make_app) -> None:
    from textual.widgets import Input, RichLog

    app = make_app(language="ja", route="custom_assistant")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("run")
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#assistant-docs", Input).value = str(FIXTURES / "tui" / "docs")
        screen.query_one("#assistant-instructions", Input).value = "丁寧に答えてください"
        await pilot.press("f5")
        await settle(app, pilot)
        log = screen.query_one("#run-log", RichLog)
        text = "".join(seg.text for line in log.lines for seg in line)
        assert "ナレッジベース assistant-assistant：ファイル 2 件、チャンク 2 件" in text, text
        assert "files" not in text and "chunks" not in text


BENCH_RESULTS = FIXTURES / "tui" / "bench_results.json"


async def compare_loaded(app, pilot, results: Path = BENCH_RESULTS) -> CompareScreen:
    """The Compare screen with ``results`` (a results.json) loaded and shown."""
    screen = CompareScreen()
    await app.push_screen(screen)
    await pilot.pause()
    screen.load_results(results)
    await settle(app, pilot)
    return screen


async def test_the_compare_verdict_on_the_advice_reads_as_japanese(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await compare_loaded(app, pilot)
        outcome = str(screen.query_one("#outcome").render())
        assert outcome.startswith("アドバイザーの推奨（"), outcome
        assert "）：" in outcome and ". " not in outcome


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "ja",
            "RAG（検索拡張生成）の合格率が最も高い（100%）ものの、有意水準 0.05 では"
            "システムプロンプトと区別できません",
        ),
        (
            "en",
            "rag has the highest pass rate (100%) but cannot be told apart from system_prompt",
        ),
    ],
)
async def test_the_compare_verdict_names_the_routes_as_the_wizard_does(
    language, said, make_app
) -> None:
    # The Japanese verdict read "rag の合格率 ... system_prompt と区別できません": route ids.
    app = make_app(language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await compare_loaded(app, pilot)
        verdict = " ".join(str(screen.query_one("#verdict").render()).split())
        assert said in verdict, verdict
        if language == "ja":
            assert "system_prompt" not in verdict and "rag" not in verdict


async def test_f3_says_the_loaded_verdict_in_the_other_language(make_app) -> None:
    # The verdict kept the language the results were loaded in.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await compare_loaded(app, pilot)
        verdict = lambda: " ".join(str(screen.query_one("#verdict").render()).split())  # noqa: E731
        assert "no significant winner" in verdict()
        await pilot.press("f3")
        await pilot.pause()
        assert "有意な勝者はありません: RAG（検索拡張生成）の" in verdict(), verdict()
        outcome = str(screen.query_one("#outcome").render())
        assert outcome.startswith("アドバイザーの推奨（システムプロンプト）"), outcome
        await pilot.press("f3")
        await pilot.pause()
        assert "no significant winner: rag has" in verdict(), verdict()


async def test_a_broken_scenario_in_the_picker_says_why_in_japanese(make_app, monkeypatch) -> None:
    from advisor.bench import scenario
    from advisor.errors import UserInputError

    def broken(path):
        raise UserInputError.from_catalog("tune.no_train", path="x.jsonl")

    monkeypatch.setattr(scenario, "list_scenarios", lambda: [FIXTURES / "bench" / "tiny"])
    monkeypatch.setattr(scenario, "load_scenario", broken)
    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await settle(app, pilot)
        labels = [label for _, label in app.screen.options]
        assert labels == ["tiny: 読み込めません（学習ファイル x.jsonl が見つかりません）"]


async def test_a_finding_about_the_whole_file_opens_whole(make_app) -> None:
    # Its row has no line to open, and the column cut the Japanese message in the middle.
    from textual.widgets import DataTable, Input

    from advisor.tui.widgets.dialogs import TextDialog

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("data")
        await app.push_screen(screen)
        screen.query_one("#file", Input).value = str(FIXTURES / "tui" / "train_bad.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        table = screen.query_one("#issues", DataTable)
        assert str(table.get_row_at(0)[0]) == "-"
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.title_text == "train_bad.jsonl（ファイル全体）"
        message = str(table.get_row_at(0)[3])
        assert app.screen.text == f"too_few_examples\n{message}"
        assert message == "例が 4 件です。ファインチューニングには 10 件以上必要です"


@pytest.mark.parametrize(
    ("name", "japanese"),
    [
        ("data", "JSONL ファイルを選び（ctrl+o）、検査してください（F5）。"),
        ("review", "学習・テスト・下書きのファイルを開いてください。"),
        ("compare", "ベンチマークを実行（F5）するか"),
        ("run", "▊  システムプロンプト ▼"),
        ("chat", "相手 ▊  モデル（システムプロンプトのルート）"),
        ("arena", "比較▊  モデル（システムプロンプトの"),
        ("settings", "既定のモデル fake-model"),
    ],
)
async def test_f3_switches_the_hints_and_chosen_targets_live(name, japanese, make_app) -> None:
    # Started in English, F3: these stayed English until the screen was left.
    app = make_app(fine_tuned_model="fake:ft:1")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen(name))
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert japanese in screen_text(app), screen_text(app)


async def test_f3_on_the_settings_screen_then_apply_keeps_japanese(make_app) -> None:
    # The radio buttons kept English, so Apply switched the language back.
    from textual.widgets import RadioButton

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("settings"))
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen.query_one("#lang-ja", RadioButton).value
        await pilot.press("f10")
        await pilot.pause()
        assert app.session.language == "ja"


async def open_review_editor(app, pilot, tmp_path) -> None:
    """The review screen on a copy of a valid training file, its first line's editor open."""
    import shutil

    from textual.widgets import Button, DataTable, Input

    train = tmp_path / "train.jsonl"
    shutil.copy(FIXTURES / "tui" / "train_ok.jsonl", train)
    screen = make_screen("review")
    await app.push_screen(screen)
    screen.query_one("#review-file", Input).value = str(train)
    screen.query_one("#review-open", Button).press()
    await settle(app, pilot)
    screen.query_one(DataTable).focus()
    await pilot.press("e")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_the_edit_dialog_shows_its_buttons(size, make_app, tmp_path) -> None:
    # At 24 rows the JSON box pushed Save and Cancel out of the dialog.
    from textual.widgets import Button

    from advisor.tui.widgets.edit_dialog import EditDialog

    app = make_app(language="ja")
    async with app.run_test(size=size) as pilot:
        await open_review_editor(app, pilot, tmp_path)
        assert isinstance(app.screen, EditDialog)
        dialog = app.screen.query_one(".dialog").region
        for button in app.screen.query(Button):
            assert dialog.contains_region(button.region), (button.region, dialog)
        assert "保存" in screen_text(app) and "中止" in screen_text(app)


async def test_an_edit_that_is_not_json_keeps_the_dialog_open(make_app, tmp_path) -> None:
    # The dialog closed (the edit lost) on an error that told to quote a --json option.
    from textual.widgets import TextArea

    from advisor.tui.widgets.edit_dialog import EditDialog

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review_editor(app, pilot, tmp_path)
        app.screen.query_one(TextArea).text = '{"messages": [}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditDialog)
        assert app.screen.query_one(TextArea).text == '{"messages": [}'
        said = notes(app)[-1]
        assert (
            said.startswith("1 行目の編集は JSON として正しくありません（") and "--json" not in said
        )


async def test_a_line_opens_with_its_finding_in_full(make_app) -> None:
    from textual.widgets import DataTable, Input

    from advisor.tui.widgets.dialogs import TextDialog

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("data")
        await app.push_screen(screen)
        screen.query_one("#file", Input).value = str(FIXTURES / "tui" / "train_bad.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        table = screen.query_one("#issues", DataTable)
        row = [str(cell) for cell in table.get_row_at(1)]
        assert row[0] == "2"
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.title_text == "train_bad.jsonl、2 行目"
        assert app.screen.text.startswith(f"{row[2]}\n{row[3]}\n\n")


@pytest.mark.parametrize(
    ("key", "said"), [("t", "投票しました：引き分け。"), ("a", "投票しました：Aが良い。")]
)
async def test_the_arena_vote_is_said_in_japanese(key: str, said: str, make_app) -> None:
    # "投票 tie." mixed the JSON's English word into the sentence.
    from textual.widgets import Static

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("arena")
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press(*"hi", "enter")
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        status = str(screen.query_one("#arena-status", Static).render())
        assert status.startswith(said), status
        assert "tie" not in status and "Voted" not in status


async def test_a_report_folder_that_cannot_be_written_says_so_in_japanese(
    make_app, tmp_path
) -> None:
    from textual.widgets import Input

    from advisor.tui.widgets.dialogs import ErrorDialog

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await compare_loaded(app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(blocker / "reports")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message.startswith(f"{blocker / 'reports'} に書き込めません（")


async def test_f3_switches_the_training_chart_caption(make_app) -> None:
    app = make_app(route="sft")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("run"))
        await pilot.pause()
        assert "loss: waiting for the first step" in screen_text(app)
        await pilot.press("f3")
        await pilot.pause()
        assert "損失: 最初のステップを待っています" in screen_text(app)


@pytest.mark.parametrize("name", ["report.html", "brief.md"])
async def test_the_exported_report_carries_the_checked_files(name, make_app, tmp_path) -> None:
    # The wizard built its report without the evidence it had just measured and shown.
    import yaml
    from textual.widgets import Input

    planted = FIXTURES / "evidence" / "planted"
    stated = yaml.safe_load((planted / "answers.yaml").read_text(encoding="utf-8"))
    app = make_app(language="ja", answers=stated)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("results")
        await app.push_screen(screen)
        await pilot.pause()
        screen.check_files(planted)
        assert await until(pilot, lambda: bool(screen.query("#evidence")))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(tmp_path / name)
        await pilot.press("enter")
        await settle(app, pilot)
        assert await until(pilot, lambda: (tmp_path / name).is_file())
        written = (tmp_path / name).read_text(encoding="utf-8")
        assert "ファイルを測定していません" not in written
        assert ("を測定：例12件" if name.endswith(".html") else "## ファイルとの照合") in written
        assert "200" in written and "12" in written


async def test_checking_one_data_file_says_to_give_its_folder(make_app, tmp_path) -> None:
    # A .jsonl was read as a scenario: "TOML として正しくありません".
    from advisor.tui.widgets.dialogs import ErrorDialog

    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": []}\n', encoding="utf-8")
    app = make_app(language="ja", answers={"example_count": 5})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("results")
        await app.push_screen(screen)
        await pilot.pause()
        screen.check_files(data)
        assert await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        assert "はファイルです" in app.screen.message, app.screen.message
        assert "そのファイルのあるフォルダー" in app.screen.message
        assert "TOML" not in app.screen.message


@pytest.mark.parametrize(
    ("language", "fix"),
    [
        ("ja", "一覧から別のバックエンドを選んでください"),
        ("en", "pick another backend in the list"),
    ],
)
async def test_an_unusable_backend_names_the_wizard_s_fix(language, fix, make_app, monkeypatch):
    # The settings line said "--backend local を選んでください", a command-line option.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ADVISOR_OPENAI__BASE_URL", raising=False)
    app = make_app(language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("settings"))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#backend", Select).value = "openai"
        shown = lambda: str(screen.query_one("#availability").render())  # noqa: E731
        assert await until(pilot, lambda: "OPENAI_API_KEY" in shown()), shown()
        assert fix in shown() and "--backend" not in shown()


@pytest.mark.parametrize(
    ("language", "hint", "last", "recommended", "rival"),
    [
        (
            "ja",
            "ルート（例：rag,sft、all）",
            "$/1000件",
            "システムプロンプト",
            "カスタムアシスタント",
        ),
        ("en", "routes, e.g. rag,sft or all", "$/1k", "System prompt", "custom_assistant"),
    ],
)
async def test_compare_fits_80_columns_and_names_the_routes(
    language, hint, last, recommended, rival, make_app, tmp_path
) -> None:
    # At 80 columns the routes hint, "custom_assista" and the last header were cut, and
    # the Japanese outcome read "system_prompt 50%とcustom_assistant".
    from textual.widgets import Static

    source = BENCH_RESULTS.read_text(encoding="utf-8")
    results = tmp_path / "results.json"
    results.write_text(source.replace('"rag"', '"custom_assistant"'), encoding="utf-8")
    app = make_app(language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await compare_loaded(app, pilot, results)
        shown = screen_text(app)
        assert hint in shown and last in shown, shown
        assert "custom_assistant " in shown  # the table's route, whole
        outcome = str(screen.query_one("#outcome", Static).render())
        assert recommended in outcome and rival in outcome, outcome
        if language == "ja":
            assert "system_prompt" not in outcome and "custom_assistant" not in outcome


@pytest.mark.parametrize(
    ("language", "said", "line"),
    [
        ("ja", "broken.json の 2 行目: JSON として正しくありません（3 列目：名前を", "行"),
        ("en", "broken.json, line 2: not valid JSON (Expecting property name enclosed", "line"),
    ],
)
async def test_a_broken_session_file_says_its_line_once_and_its_column(
    language, said, line, make_app, tmp_path
) -> None:
    # The dialog quoted Python's "Expecting property name enclosed in double quotes", then
    # said the line twice in Japanese: "の 2 行目: ...（2 行 3 列目：...".
    from advisor.tui.widgets.dialogs import ErrorDialog

    broken = tmp_path / "broken.json"
    broken.write_text("{\n  nope", encoding="utf-8")
    app = make_app(language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_session(broken)
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        message = app.screen.message
        assert said in message and message.count(line) == 1, message
        if language == "ja":
            assert "Expecting" not in message


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"language": "fr"}', "language: 'en'、'ja' のどれかを指定してください"),
        ('{"job_ids": "job-1"}', "job_ids: リスト（[…]）を指定してください"),
        ('{"version": "one"}', "version: 整数を指定してください"),
    ],
)
async def test_a_session_file_with_wrong_content_is_said_in_japanese(
    content, said, make_app, tmp_path
) -> None:
    # Valid JSON with a wrong value quoted pydantic's English in the Japanese dialog:
    # "language: Input should be 'en' or 'ja'", with no way out but "open a saved file".
    import re

    from advisor.tui.widgets.dialogs import ErrorDialog

    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_session(bad)
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        message = app.screen.message
        assert said in message, message
        assert "ファイルのその値を直すか、ファイルを削除して" in message, message
        # No English words but the file's path, the field's name and its choices.
        words = set(re.findall(r"[A-Za-z]{3,}", message.replace(str(bad), "")))
        assert words <= {"language", "job_ids", "job", "ids", "version", "ctrl"}, words


async def test_a_review_edit_that_is_not_json_says_where_in_japanese(make_app, tmp_path) -> None:
    from textual.widgets import TextArea

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review_editor(app, pilot, tmp_path)
        app.screen.query_one(TextArea).text = '{\n  "messages": [}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        said = notes(app)[-1]
        assert "（2 行 16 列目：値がありません" in said, said
        assert "Expecting" not in said


async def test_the_assistant_s_skipped_files_are_said_in_japanese(make_app, tmp_path) -> None:
    # "warning: <path>: no text" came in the index's English.
    import shutil

    from textual.widgets import Input, RichLog

    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "tui" / "docs", docs)
    (docs / "empty.md").write_text("", encoding="utf-8")
    app = make_app(language="ja", route="custom_assistant")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = make_screen("run")
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#assistant-docs", Input).value = str(docs)
        screen.query_one("#assistant-instructions", Input).value = "丁寧に答えてください"
        await pilot.press("f5")
        await settle(app, pilot)
        log = screen.query_one("#run-log", RichLog)
        text = "".join(seg.text for line in log.lines for seg in line)
        assert "empty.md：" in text, text
        assert "テキストが見つかりません" in text and "no text" not in text


async def test_the_japanese_brackets_and_words_of_the_audit(make_app, tmp_path) -> None:
    # "(既定値: いいえ)" in ASCII brackets, "… の理由" with a space, "(.jsonl)" and "(sft)".
    import shutil

    from textual.widgets import Button, Input

    app = make_app(language="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(make_screen("interview"))
        await pilot.pause()
        help_text = str(app.screen.query_one("#question-help").render())
        assert "（既定値：" in help_text and "(既定値" not in help_text, help_text
        await app.push_screen(make_screen("results"))
        await pilot.pause()
        assert " の理由" not in screen_text(app) and "の理由" in screen_text(app)
        train = tmp_path / "train.jsonl"
        shutil.copy(FIXTURES / "tui" / "train_ok.jsonl", train)
        screen = make_screen("review")
        await app.push_screen(screen)
        await pilot.pause()
        field = screen.query_one("#review-file", Input)
        assert str(field.placeholder) == "レビューするファイル（.jsonl）"
        field.value = str(train)
        screen.query_one("#review-open", Button).press()
        await settle(app, pilot)
        summary = str(screen.query_one("#review-summary").render())
        assert summary.startswith("train.jsonl（sft）·"), summary


def test_the_wizard_strings_refuse_a_key_given_twice() -> None:
    # "route" was ルート and, further down, 手法: the later silently won for both screens.
    import yaml

    from advisor.tui.i18n import _catalog, load_strings

    with pytest.raises(yaml.YAMLError, match="'route' is given twice"):
        load_strings("ja:\n  route: ルート\n  pass: 合格\n  route: 手法\n")
    _catalog.cache_clear()
    assert _catalog()["ja"]["route"] == "手法"  # the shipped catalog loads, as displayed
