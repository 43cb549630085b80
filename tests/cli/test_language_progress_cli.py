"""Progress labels from the core follow `advisor --lang` (issue 14 item 4)."""

from __future__ import annotations

from tests.cli.bilingual import run


def test_tune_calibrate_shows_its_progress_labels_in_japanese(capsys) -> None:
    args = ("tune", "calibrate", "--backend", "fake", "--no-indexing")
    code, _, err = run(capsys, "--lang", "ja", *args)
    assert code == 0, err
    assert "[0/3] 学習: 256 トークンで LoRA を 3 ステップ" in err.splitlines()
    assert "[3/3] 較正しました" in err.splitlines()
    code, _, english = run(capsys, *args)
    assert code == 0
    assert english.splitlines()[:2] == [
        "[0/3] training: 3 LoRA steps at 256 tokens",
        "[1/3] answering: one batch of 32",
    ]


def test_tune_deploy_shows_the_deploying_label_in_japanese(capsys, monkeypatch) -> None:
    from advisor.app import deploy as app_deploy
    from advisor.data.texts import Label
    from backends.deployments import Deployment

    def fake_deploy(settings, job_id, *, name, sku, progress):  # no provider is called
        progress(0, 0, Label("progress.deploying", name="ft-x", state="Creating"))
        return Deployment(name="ft-x", backend="azure", model="ft:m", sku="DeveloperTier",
                          state="succeeded", job_id=job_id)  # fmt: skip

    monkeypatch.setattr(app_deploy, "deploy_job", fake_deploy)
    code, _, err = run(capsys, "--lang", "ja", "tune", "deploy", "ftjob-1")
    assert code == 0, err
    assert "ft-x をデプロイ中: Creating" in err
    code, _, err = run(capsys, "tune", "deploy", "ftjob-1")
    assert "deploying ft-x: Creating" in err
