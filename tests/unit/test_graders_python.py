"""The python grader runs user code in a sandbox (hostile code: tests/faults)."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

import pytest

from advisor.errors import GraderError
from advisor.graders import Sample, load_grader


def python_grader(source: str, **limits):
    return load_grader({"type": "python", "name": "py", "source": source, **limits})


def test_grade_receives_sample_and_item_and_batches_in_one_process():
    grader = python_grader(
        "def grade(sample, item):\n"
        "    return 1.0 if sample['output_text'].strip() == item['answer'] else 0.25\n"
    )
    results = grader.grade_batch(
        [Sample(output_text="42"), Sample(output_text="41")], [{"answer": "42"}, {"answer": "42"}]
    )
    assert [r.score for r in results] == [1.0, 0.25]
    assert [r.passed for r in results] == [True, False]


def test_syntax_errors_fail_at_load_time_without_running_anything():
    with pytest.raises(GraderError, match="syntax error"):
        python_grader("def grade(sample, item) return 1")


def test_missing_grade_function_scores_zero_with_a_reason():
    result = python_grader("x = 1\n").grade(Sample(output_text="a"), {})
    assert result.score == 0.0
    assert "grade" in result.details["error"]


def test_an_endless_loop_is_stopped_by_the_time_limit():
    grader = python_grader(
        "def grade(sample, item):\n    while True:\n        pass\n", timeout_s=0.5
    )
    result = grader.grade(Sample(output_text="a"), {})
    assert result.score == 0.0
    assert result.details["error"].startswith("timeout")


def test_an_endless_loop_that_swallows_the_alarm_is_killed_by_the_parent():
    source = (
        "def grade(sample, item):\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:\n"
        "            pass\n"
    )
    result = python_grader(source, timeout_s=0.5).grade(Sample(output_text="a"), {})
    assert result.score == 0.0
    assert "timeout" in result.details["error"]


def test_allocating_too_much_memory_is_refused():
    grader = python_grader(
        "def grade(sample, item):\n    block = bytearray(2 * 1024 ** 3)\n    return 1.0\n",
        memory_mb=256,
    )
    result = grader.grade(Sample(output_text="a"), {})
    assert result.score == 0.0
    assert "memory" in result.details["error"]


def test_the_network_is_blocked():
    # A real listener on loopback: the grader must not reach it.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted: list[object] = []
    server.settimeout(3)
    thread = threading.Thread(target=lambda: _accept(server, accepted), daemon=True)
    thread.start()
    source = (
        "import socket\n"
        "def grade(sample, item):\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    return 1.0\n"
    )
    result = python_grader(source).grade(Sample(output_text="a"), {})
    thread.join(5)
    server.close()
    assert result.score == 0.0
    assert "Error" in result.details["error"]  # the connection fails: no network in the sandbox
    assert accepted == []


def _accept(server: socket.socket, accepted: list[object]) -> None:
    with contextlib.suppress(OSError):
        accepted.append(server.accept())


def test_writes_outside_the_temporary_folder_are_blocked(tmp_path: Path):
    target = tmp_path / "escaped.txt"
    source = f"def grade(sample, item):\n    open({str(target)!r}, 'w').write('x')\n    return 1\n"
    result = python_grader(source).grade(Sample(output_text="a"), {})
    assert result.score == 0.0
    assert not target.exists()
    inside = "def grade(sample, item):\n    open('scratch.txt', 'w').write('x')\n    return 1\n"
    assert python_grader(inside).grade(Sample(output_text="a"), {}).score == 1.0


def test_subprocesses_are_blocked():
    source = "import os\ndef grade(sample, item):\n    return float(os.system('true') == 0)\n"
    assert python_grader(source).grade(Sample(output_text="a"), {}).score == 0.0
    source = (
        "import subprocess\ndef grade(sample, item):\n    subprocess.run(['true'])\n    return 1\n"
    )
    result = python_grader(source).grade(Sample(output_text="a"), {})
    assert result.score == 0.0 and "Error" in result.details["error"]


def test_environment_secrets_are_not_visible(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    source = (
        "import os\ndef grade(sample, item):\n    return float('OPENAI_API_KEY' in os.environ)\n"
    )
    assert python_grader(source).grade(Sample(output_text="a"), {}).score == 0.0


@pytest.fixture
def no_bubblewrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for bwrap in an empty folder, as on a machine without it."""
    from advisor.graders import sandbox

    monkeypatch.setattr(sandbox, "BWRAP_SEARCH_PATH", str(tmp_path / "empty"))


def test_without_bubblewrap_code_graders_are_refused_in_one_sentence(no_bubblewrap: None):
    from advisor.errors import ConfigError

    grader = python_grader("def grade(sample, item):\n    return 1.0\n")
    with pytest.raises(ConfigError) as refused:
        grader.grade(Sample(output_text="a"), {})
    assert refused.value.exit_code == 2
    message = str(refused.value)
    assert "bubblewrap (bwrap) is not installed" in message
    assert "ADVISOR_GRADERS__ALLOW_UNSANDBOXED=1" in message and "\n" not in message


def test_a_multi_grader_with_code_is_refused_early(no_bubblewrap: None):
    from advisor.errors import ConfigError
    from advisor.graders import check_runnable

    multi = load_grader(
        {
            "type": "multi",
            "name": "both",
            "graders": {"code": {"type": "python", "source": "def grade(s, i):\n    return 1\n"}},
            "calculate_output": "code",
        }
    )
    with pytest.raises(ConfigError, match="bubblewrap"):
        check_runnable(multi)


def test_opting_in_runs_trusted_code_unsandboxed_with_the_same_checks(
    no_bubblewrap: None, monkeypatch: pytest.MonkeyPatch
):
    from advisor.settings import load_settings

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    monkeypatch.setenv("ADVISOR_GRADERS__ALLOW_UNSANDBOXED", "1")
    source = (
        "import os\n"
        "def grade(sample, item):\n"
        "    if item.get('bad'):\n"
        "        return float('nan')\n"
        "    return 0.5 if 'OPENAI_API_KEY' not in os.environ else 0.0\n"
    )
    grader = python_grader(source)
    results = grader.grade_batch([Sample(output_text="a")] * 2, [{}, {"bad": True}])
    assert results[0].score == 0.5  # ran, without the product's environment
    assert results[1].score == 0.0 and "finite" in results[1].details["error"]
    monkeypatch.delenv("ADVISOR_GRADERS__ALLOW_UNSANDBOXED")
    settings = load_settings(graders={"allow_unsandboxed": True})
    from_settings = load_grader(
        {"type": "python", "name": "py", "source": source}, settings=settings
    )
    assert from_settings.grade(Sample(output_text="a"), {}).score == 0.5


def test_sources_over_openais_256_kb_limit_are_refused_at_load():
    with pytest.raises(GraderError, match="256 kB"):
        python_grader("x = 1\n" + "#" * 256 * 1024 + "\ndef grade(s, i):\n    return 1\n")


def test_a_worker_that_exits_mid_batch_loses_only_its_own_case():
    source = (
        "import os\n"
        "def grade(sample, item):\n"
        "    if item['die']:\n"
        "        os._exit(0)\n"
        "    return 1\n"
    )
    results = python_grader(source).grade_batch(
        [Sample(output_text="a")] * 3, [{"die": False}, {"die": True}, {"die": False}]
    )
    assert [r.score for r in results] == [1.0, 0.0, 1.0]
    assert results[1].details["error"] == "the grader process died"


def test_grader_code_cannot_kill_or_interrupt_its_harness():
    # The harness is pid 1 of the sandbox: signals from inside without a handler are dropped.
    source = (
        "import os, signal\n"
        "def grade(sample, item):\n"
        "    os.kill(os.getppid(), signal.SIGINT)\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "    return 1\n"
    )
    results = python_grader(source).grade_batch([Sample(output_text="a")] * 2, [{}, {}])
    assert [r.score for r in results] == [1.0, 1.0]


def test_a_local_rft_job_with_a_code_grader_is_refused_before_it_starts(
    no_bubblewrap: None, settings
):
    from advisor.errors import ConfigError
    from backends.jobs import JobRequest
    from backends.local.service import LocalFineTuning
    from tests.conftest import FIXTURES

    request = JobRequest(
        method="rft",
        training_file=str(FIXTURES / "jobs" / "rft_small.jsonl"),
        grader={"type": "python", "name": "code", "source": "def grade(s, i):\n    return 1\n"},
    )
    service = LocalFineTuning(settings)
    with pytest.raises(ConfigError, match="bubblewrap"):
        service.create(request)
    assert service.list() == []


def test_what_a_failing_grader_printed_is_kept_as_its_output():
    source = "def grade(sample, item):\n    print('looking at', item['x'])\n    return item['y']\n"
    result = python_grader(source).grade(Sample(output_text="a"), {"x": "case-7"})
    assert result.score == 0.0 and result.details["error"] == "KeyError: 'y'"
    assert "looking at case-7" in result.details["output"]


def test_grader_code_cannot_reach_the_harness_memory_or_descriptors():
    source = (
        "import os\n"
        "def reached(path, flags):\n"
        "    try:\n"
        "        os.close(os.open(path, flags))\n"
        "        return True\n"
        "    except OSError:\n"
        "        return False\n"
        "def grade(sample, item):\n"
        "    try:\n"
        "        fds = os.listdir('/proc/1/fd')\n"
        "    except OSError:\n"
        "        fds = []\n"
        "    paths = ['/proc/1/mem', '/proc/1/environ'] + [f'/proc/1/fd/{n}' for n in fds]\n"
        "    flags = [os.O_RDWR, os.O_RDONLY] + [os.O_WRONLY] * len(fds)\n"
        "    return 0.0 if any(map(reached, paths, flags)) else 1.0\n"
    )
    result = python_grader(source).grade(Sample(output_text="a"), {})
    assert result.score == 1.0, result.details
