"""advisor tune create / jobs / graders through the CLI, on the fake backend's simulated jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from advisor.cli.app import main
from backends.fake_jobs import FakeFineTuning
from tests.conftest import FIXTURES

JOBS = FIXTURES / "jobs"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


_capsys: pytest.CaptureFixture[str] | None = None


@pytest.fixture(autouse=True)
def fresh_fake_jobs(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    global _capsys
    _capsys = capsys
    FakeFineTuning.reset()
    yield
    FakeFineTuning.reset()
    _capsys = None


def invoke(*args: str) -> Result:
    """Run ``advisor ARGS`` through main(), as the console script does."""
    assert _capsys is not None
    _capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = _capsys.readouterr()
    return Result(int(exit_info.value.code or 0), out, err)


def create(*extra: str):
    result = invoke(
        "tune",
        "create",
        "--method",
        "sft",
        "--train",
        str(JOBS / "sft_small.jsonl"),
        "--backend",
        "fake",
        "--yes",
        "--format",
        "json",
        *extra,
    )
    return result


def test_create_returns_the_job_as_json_and_it_lists_shows_and_logs():
    result = create("--suffix", "demo", "--epochs", "2")
    assert result.exit_code == 0, result.output
    job = json.loads(result.stdout)
    assert job["status"] == "succeeded"
    assert job["hyperparameters"]["n_epochs"] == 2
    assert job["fine_tuned_model"].endswith(f":demo:{job['id']}")

    listed = json.loads(invoke("jobs", "list", "--format", "json").stdout)
    assert [j["id"] for j in listed] == [job["id"]]
    shown = invoke("jobs", "show", job["id"])
    assert "succeeded" in shown.stdout and job["fine_tuned_model"] in shown.stdout
    events = json.loads(invoke("jobs", "events", job["id"], "--format", "json").stdout)
    metrics = [e for e in events if e["type"] == "metrics"]
    assert len(metrics) == 8 and metrics[-1]["data"]["step"] == 8
    checkpoints = json.loads(invoke("jobs", "checkpoints", job["id"], "--format", "json").stdout)
    assert [c["step"] for c in checkpoints] == [4, 8]


def test_jobs_show_and_list_read_in_japanese():
    """The status, the estimate's basis and the durations follow --lang; the list's columns
    stay aligned though a Japanese status is twice as wide per character."""
    from rich.cells import cell_len

    job = json.loads(create().stdout)
    shown = invoke("--lang", "ja", "jobs", "show", job["id"]).stdout
    assert f"{job['id']}  成功" in shown, shown
    assert "時間 見積もり " in shown and "（シミュレーション）、実際 " in shown, shown
    assert "succeeded" not in shown and "estimated" not in shown and "simulated" not in shown
    english = invoke("jobs", "list").stdout.splitlines()[0]
    japanese = invoke("--lang", "ja", "jobs", "list").stdout.splitlines()[0]
    assert "succeeded" in english and "成功" in japanese
    column = cell_len(english.split(" fake ")[0])
    assert cell_len(japanese.split(" fake ")[0]) == column, (english, japanese)


def test_wait_follows_a_paced_job_to_the_end():
    FakeFineTuning.pace = 3
    job = json.loads(create().stdout)
    assert job["status"] == "running"
    result = invoke("jobs", "wait", job["id"], "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "succeeded"


def test_a_failing_job_makes_wait_exit_1_and_resume_finishes_it():
    FakeFineTuning.fail_next("out of memory (simulated)")
    result = create("--wait")
    assert result.exit_code == 1
    job = json.loads(result.stdout)
    assert job["status"] == "failed"
    assert job["error"]["message"] == "out of memory (simulated)"
    resumed = invoke("jobs", "resume", job["id"], "--wait", "--format", "json")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["status"] == "succeeded"


def test_the_fail_suffix_fails_across_processes_too():
    job = json.loads(create("--suffix", "fail").stdout)
    assert job["status"] == "failed"


def test_cancel_stops_a_running_job():
    FakeFineTuning.pace = 1
    job = json.loads(create().stdout)
    result = invoke("jobs", "cancel", job["id"], "--format", "json")
    assert json.loads(result.stdout)["status"] == "cancelled"
    again = invoke("jobs", "cancel", job["id"])  # a finished job stays as it is
    assert again.exit_code == 0 and "cancelled" in again.stdout


def test_text_mode_wait_prints_the_summary():
    job = json.loads(create().stdout)
    result = invoke("jobs", "wait", job["id"])
    assert result.exit_code == 0
    assert "fine-tuned model fake:ft:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--method", "rft"), "needs a grader"),
        (("--method", "sft", "--grader", str(JOBS / "rft_grader.json")), "RFT jobs only"),
        (("--method", "sft", "--beta", "0.2"), "DPO jobs only"),
        (("--method", "sft", "--epochs", "zero"), "--epochs must be"),
        (("--method", "sft", "--lr-multiplier", "-1"), "--lr-multiplier must be"),
        (("--method", "sft", "--merge"), "local backend only"),
    ],
)
def test_bad_options_exit_2_with_one_sentence(args: tuple[str, ...], message: str):
    result = invoke(
        "tune",
        "create",
        "--train",
        str(JOBS / "sft_small.jsonl"),
        "--backend",
        "fake",
        "--yes",
        *args,
    )
    assert result.exit_code == 2
    assert message in result.output


def test_missing_training_file_and_unknown_job_exit_2(tmp_path):
    result = invoke(
        "tune",
        "create",
        "--method",
        "sft",
        "--train",
        str(tmp_path / "none.jsonl"),
        "--backend",
        "fake",
    )
    assert result.exit_code == 2 and "not found" in result.output
    assert invoke("jobs", "show", "ftjob-nope").exit_code == 2


def test_graders_run_passes_and_fails_with_exit_codes():
    grader = str(JOBS / "rft_grader.json")
    ok = invoke(
        "graders",
        "run",
        "--grader",
        grader,
        "--sample",
        "CATEGORY: LOGIN",
        "--item",
        '{"label": "LOGIN"}',
        "--format",
        "json",
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["score"] == 1.0
    bad = invoke(
        "graders",
        "run",
        "--grader",
        grader,
        "--sample",
        "CATEGORY: BILLING",
        "--item",
        '{"label": "LOGIN"}',
    )
    assert bad.exit_code == 1 and "failed" in bad.stdout


def test_graders_run_takes_inline_json_and_rejects_bad_items():
    inline = '{"type": "regex", "name": "digits", "pattern": "^\\\\d+$"}'
    assert invoke("graders", "run", "--grader", inline, "--sample", "123").exit_code == 0
    bad = invoke("graders", "run", "--grader", inline, "--sample", "1", "--item", "[1]")
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [("int", "auto", "auto"), ("int", "3", 3), ("float", "0.5", 0.5), ("float", "auto", "auto")],
)
def test_auto_numbers_parse(parse: str, value: str, expected: object) -> None:
    from advisor.cli import tune

    assert getattr(tune, f"_auto_{parse}")(value, "--x") == expected


@pytest.mark.parametrize(
    ("parse", "value", "words"),
    [
        ("int", "0", "positive whole number"),
        ("int", "1.5", "positive whole number"),
        ("float", "0", "positive number"),
        ("float", "x", "positive number"),
    ],
)
def test_auto_numbers_refuse_with_one_sentence(parse: str, value: str, words: str) -> None:
    from advisor.cli import tune
    from advisor.errors import UserInputError

    with pytest.raises(UserInputError, match=f"--x must be a {words} or auto, not '{value}'"):
        getattr(tune, f"_auto_{parse}")(value, "--x")


def test_the_cli_method_choice_is_the_vocabulary() -> None:
    from advisor.cli.choices import Method
    from advisor.ids import METHODS

    assert tuple(m.value for m in Method) == METHODS
