"""`advisor --lang ja` for export, data review, data grow and arena (issue 14 item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backends.fake import FakeBackend
from tests.cli.bilingual import run
from tests.conftest import FIXTURES


def test_export_prints_its_summary_in_japanese(capsys, tmp_path, monkeypatch) -> None:
    from advisor.app import export as app_export
    from advisor.export.manifest import ExportManifest, FileRecord

    def fake_export(request, settings, progress=None):  # no model is loaded
        record = FileRecord(path="model.gguf", bytes=12345, sha256="ab" * 32)
        return ExportManifest(model=request.model, format="gguf", base_model="x", files=[record])

    monkeypatch.setattr(app_export, "export_model", fake_export)
    out_dir = tmp_path / "out"
    args = ("export", "m", "--format", "gguf", "--out", str(out_dir))
    code, out, _ = run(capsys, "--lang", "ja", *args)
    assert code == 0
    assert f"m を gguf 形式で {out_dir} に書き出しました" in out
    assert "model.gguf  12,345 バイト  sha256 abababababab" in out
    assert "マニフェスト: " in out and "Exported" not in out
    code, out, _ = run(capsys, *args, "--json")
    assert json.loads(out)["files"][0]["bytes"] == 12345  # JSON stays as it is


@pytest.fixture
def review_files(tmp_path: Path) -> tuple[str, str]:
    for name in ("drafts100.jsonl", "train20.jsonl"):
        shutil.copy(FIXTURES / "review" / name, tmp_path / name)
    return str(tmp_path / "drafts100.jsonl"), str(tmp_path / "train20.jsonl")


def test_review_speaks_japanese(capsys, review_files) -> None:
    drafts, train = review_files
    code, out, _ = run(capsys, "--lang", "ja", "data", "review", drafts, "--accept", "1-50")
    assert code == 0 and "50 行を承認しました" in out and "未確認 50、承認 50" in out
    run(capsys, "data", "review", drafts, "--reject", "51")
    code, out, _ = run(capsys, "--lang", "ja", "data", "review", drafts, "--undo")
    assert "取り消しました: 51 行目の却下" in out
    code, out, _ = run(capsys, "--lang", "ja", "data", "review", drafts, "--into", train, "--save")
    assert code == 0 and f"{train} に 50 行追加" in out and "を保存しました" in out
    code, out, _ = run(
        capsys, "--lang", "ja", "data", "review", drafts, "--list", "--page-size", "2"
    )
    assert "1/" in out and " ページ: 未確認 " in out
    code, _, err = run(capsys, "--lang", "ja", "data", "review", drafts, "--edit", "3")
    assert code == 2
    assert "--edit と --json は一緒に指定してください" in err and "go together" not in err


def test_grow_reports_its_drafts_in_japanese(capsys, tmp_path) -> None:
    out_file = tmp_path / "drafts.jsonl"
    train = str(FIXTURES / "grow" / "train20.jsonl")
    code, out, _ = run(
        capsys, "--lang", "ja", "data", "grow", train, "-o", str(out_file), "-b", "fake", "-n", "12"
    )
    assert code == 0
    assert f"12 件中 12 件を下書きしました -> {out_file}（言い換え 12 件）" in out
    assert "学習に使う前に下書きを確認してください" in out and "drafted" not in out


def test_arena_votes_and_tally_in_japanese(capsys, tmp_path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("first question\nsecond question\n", encoding="utf-8")
    for n in range(2):
        FakeBackend.queue_replies(f"plain {n}", f"tuned {n}")
    votes = tmp_path / "votes.txt"
    votes.write_text("a\n", encoding="utf-8")
    pairs = tmp_path / "pairs.jsonl"
    code, out, _ = run(
        capsys, "--lang", "ja", "arena", str(prompts), "--a", "system_prompt",
        "--b", "model:fake-tuned", "--backend", "fake", "--pairs", str(pairs),
        "--votes", str(votes), "--reveal",
    )  # fmt: skip
    assert code == 0
    assert "A は " in out and "1 組のペアを追記しました" in out
    assert "残り 1 件のプロンプト" in out
    assert "投票 1 件（どちらも不可 0、未投票 1）" in out and "が選ばれた割合 100%" in out
    code, out, _ = run(capsys, "--lang", "ja", "arena", "tally", str(pairs))
    assert code == 0 and "1 勝 0 敗 0 分" in out and "votes" not in out
    code, _, err = run(capsys, "--lang", "ja", "arena", str(prompts))
    assert code == 2 and "arena には --a TARGET" in err and "例: advisor arena" in err


def test_tune_calibrate_prints_its_measurements_in_japanese(capsys) -> None:
    code, out, err = run(
        capsys, "--lang", "ja", "tune", "calibrate", "--backend", "fake", "--no-indexing"
    )
    assert code == 0, err
    assert "学習（1 例 256 トークン、バッチ 4）: " in out and " トークン/秒（バッチ " in out
    assert "に保存しました" in out and "training at" not in out


def test_tune_deploy_prints_the_deployment_in_japanese(capsys, monkeypatch) -> None:
    from advisor.app import deploy as app_deploy
    from backends.deployments import Deployment

    def fake_deploy(settings, job_id, *, name, sku, progress):  # no provider is called
        progress(0, 1, "creating")
        return Deployment(name="ft-x", backend="azure", model="ft:m", sku="DeveloperTier",
                          state="succeeded", job_id=job_id)  # fmt: skip

    monkeypatch.setattr(app_deploy, "deploy_job", fake_deploy)
    code, out, err = run(capsys, "--lang", "ja", "tune", "deploy", "ftjob-1")
    assert code == 0, err
    assert "ft:m を ft-x としてデプロイしました（DeveloperTier）。" in out
    assert "ベンチマーク: advisor bench SCENARIO --backend azure（ジョブ ftjob-1）" in out
    code, out, _ = run(capsys, "tune", "deploy", "ftjob-1", "--format", "json")
    assert json.loads(out)["name"] == "ft-x"  # JSON stays as it is
