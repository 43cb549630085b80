"""The bench's, the settings' and the report writer's errors: the English they always
printed, and the same sentence in Japanese (from messages_core_errors_bench.yaml)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest

from advisor.bench.report_i18n import route_error, route_status
from advisor.bench.results_io import read_results
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.bench.schema import Preparation, RouteResult
from advisor.errors import AdvisorError, ConfigError, DataFileError, RateLimitError
from advisor.settings import Settings, load_settings
from backends.base import Capabilities
from backends.fake import FakeBackend
from backends.types import ChatMessage, ChatResult, GenerationParams
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "bench-invoice-total" / "results.json"


def both(error: AdvisorError) -> tuple[str, str]:
    return str(error), error.localized("ja")


@pytest.mark.parametrize(
    ("toml", "english", "japanese"),
    [
        pytest.param(
            '[openai]\napi_key = "sk-secret"\n',
            "advisor.toml must not hold [openai] api_key: "
            "remove it and export the key as an environment variable instead",
            "advisor.toml に [openai] api_key を書いてはいけません。"
            "その行を削除し、代わりにキーを環境変数として export してください",
            id="a secret",
        ),
        pytest.param(
            "[bogus]\nx = 1\n",
            "invalid settings: unknown setting or section 'bogus' (no installed backend is "
            "called 'bogus'): check advisor.toml and the ADVISOR_ variables",
            "設定が正しくありません: 不明な設定またはセクション 'bogus' です（'bogus' という名前の"
            "バックエンドはインストールされていません）。"
            "advisor.toml と ADVISOR_ で始まる環境変数を確認してください",
            id="an unknown section",
        ),
    ],
)
def test_a_config_file_is_refused_in_both_languages(toml: str, english: str, japanese: str) -> None:
    Path("advisor.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert both(caught.value) == (english, japanese)
    assert caught.value.exit_code == 2


def test_an_invalid_setting_names_its_variable_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADVISOR_LOCAL__MAX_NEW_TOKENS", "many")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    problem = "Input should be a valid integer, unable to parse string as an integer"
    assert both(caught.value) == (
        f"invalid setting local.max_new_tokens: {problem}: "
        "check ADVISOR_LOCAL__MAX_NEW_TOKENS or advisor.toml",
        "設定 local.max_new_tokens が正しくありません: 整数を指定してください。"
        "ADVISOR_LOCAL__MAX_NEW_TOKENS か advisor.toml を確認してください",
    )  # pydantic's words in English; the catalog's for them in Japanese


def test_a_data_dir_that_is_a_file_is_refused_in_both_languages() -> None:
    Path("f").write_text("not a folder")
    with pytest.raises(ConfigError) as caught:
        load_settings(data_dir=Path("f"))
    assert both(caught.value) == (
        "invalid setting data_dir: Value error, f is a file, not a folder; point it at a "
        "folder: check ADVISOR_DATA_DIR or advisor.toml",
        "設定 data_dir が正しくありません: f はフォルダーではなくファイルです。"
        "フォルダーを指定してください。ADVISOR_DATA_DIR か advisor.toml を確認してください",
    )  # the settings' own check (a ValueError for pydantic) follows the language too


def test_a_missing_results_file_is_said_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    with pytest.raises(DataFileError) as caught:
        read_results(path)
    assert both(caught.value) == (
        f"{path}: results file not found: check the path; "
        "`advisor bench ... --out DIR` writes DIR/results.json",
        f"{path}: 結果ファイルが見つかりません。パスを確認してください。"
        "`advisor bench ... --out DIR` が DIR/results.json を書き出します",
    )


def test_a_results_file_of_another_kind_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("[1]")
    with pytest.raises(DataFileError) as caught:
        read_results(path)
    assert both(caught.value) == (
        f"{path}: not a bench results file (top level: Input should be an object): "
        "pass the results.json written by `advisor bench`",
        f"{path}: ベンチマークの結果ファイルではありません（最上位: "
        "JSON のオブジェクト（名前と値の組）を指定してください）。"
        "`advisor bench` が書いた results.json を指定してください",
    )


def test_a_results_file_of_a_later_major_version_is_refused_in_both_languages(
    tmp_path: Path,
) -> None:
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["schema_version"] = "2.0"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataFileError) as caught:
        read_results(path)
    assert both(caught.value) == (
        f"{path}: results schema 2.0 is not readable by this version (reads 1.x)",
        f"{path}: 結果のスキーマ 2.0 はこのバージョンでは読めません（読めるのは 1.x です）",
    )


def test_routes_advisor_without_answers_is_refused_in_both_languages() -> None:
    from advisor.bench.selection import advisor_routes

    scenario = load_scenario(TINY)
    scenario.answers = {}
    with pytest.raises(AdvisorError) as caught:
        advisor_routes(scenario)
    assert both(caught.value) == (
        f"scenario {scenario.name} has no answers for the advisor, so --routes advisor has "
        "nothing to run: add an [answers] table to its scenario.toml, or name the routes",
        f"シナリオ {scenario.name} にはアドバイザーへの回答がないため、--routes advisor では"
        "実行するものがありません。scenario.toml に [answers] テーブルを加えるか、"
        "ルートを指定してください",
    )


def test_a_report_folder_that_cannot_be_written_is_said_in_both_languages(
    tmp_path: Path,
) -> None:
    from advisor.decision_report.bundle import ReportBundle
    from advisor.decision_report.output import write_report

    taken = tmp_path / "report"
    taken.write_text("a file, not a folder")
    with pytest.raises(AdvisorError) as caught:  # the folder fails before the bundle is read
        write_report(cast(ReportBundle, None), taken)
    assert both(caught.value) == (
        f"cannot write the report into {taken} (File exists): give --out a folder you can write to",
        f"{taken} にレポートを書き込めません（File exists）。"
        "--out には書き込めるフォルダーを指定してください",
    )


# --- a failed route in results.json and the Japanese report ------------------------------


class Refusing(FakeBackend):
    """A remote backend that refuses every request: the route fails, it does not score 0%."""

    name = "refusing"
    capabilities = Capabilities(supports_embeddings=True, runs_locally=False)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        raise RateLimitError("rate limited")

    def chat_batch(self, conversations: Any, *, model: Any = None, params: Any = None) -> Any:
        assert len(conversations) == 1  # remote: one by one through the pool
        return [self.chat(conversations[0], model=model, params=params)]


def test_a_failed_route_keeps_its_error_in_japanese_for_the_report(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    results = run_bench(
        scenario, Refusing(settings), settings, BenchOptions(routes=["system_prompt"], repeats=1)
    )
    route = results.routes["system_prompt"]
    assert route.status == "failed"
    assert route.error == "every request failed (rate limited)"  # as results.json always held
    assert route.error_ja == "すべてのリクエストが失敗しました（rate limited）"
    assert route_status(route, "ja") == "失敗: すべてのリクエストが失敗しました（rate limited）"
    assert route_status(route, "en") == "failed: every request failed (rate limited)"
    # The wizard's Compare table shows the reason alone, from the same function.
    assert route_error(route, "ja") == "すべてのリクエストが失敗しました（rate limited）"
    assert route_error(route, "en") == "every request failed (rate limited)"


def test_a_route_error_without_japanese_stays_as_stored() -> None:
    # A results.json before 1.3, or an error the product did not word (a library's).
    route = RouteResult(
        route="rag",
        backend="fake",
        model="m",
        status="failed",
        error="chromadb exploded",
        preparation=Preparation(kind="none"),
    )
    assert route.error_ja is None
    assert route_status(route, "ja") == "失敗: chromadb exploded"
    assert route_status(route, "en") == "failed: chromadb exploded"
