"""The thread policy: cores actually free, cgroup quota, load, one override."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor import threads
from advisor.settings import Settings


@pytest.mark.parametrize(
    ("cpus", "quota", "load", "expected"),
    [
        (2, None, 0.0, 2),  # idle 2-core machine: both cores
        (2, None, 0.4, 2),
        (2, None, 1.5, 1),  # another busy process: one thread, no waiting behind it
        (2, None, 8.0, 1),  # heavily loaded: never fewer than one
        (16, None, 3.2, 13),
        (16, 1.5, 0.0, 2),  # docker --cpus 1.5 on a 16-core host
        (16, 0.5, 0.0, 1),
        (4, 8.0, 0.0, 4),  # a quota above the affinity set does not add cores
        (8, None, 7.6, 1),
    ],
)
def test_choose_threads(cpus: int, quota: float | None, load: float, expected: int) -> None:
    assert threads.choose_threads(cpus, quota, load) == expected


def test_cgroup_v2_quota(tmp_path: Path) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert threads.cgroup_quota(cpu_max, tmp_path / "x", tmp_path / "y") == 1.5
    cpu_max.write_text("max 100000\n")
    assert threads.cgroup_quota(cpu_max, tmp_path / "x", tmp_path / "y") is None


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    (tmp_path / "quota").write_text("200000\n")
    (tmp_path / "period").write_text("100000\n")
    missing = tmp_path / "cpu.max"
    assert threads.cgroup_quota(missing, tmp_path / "quota", tmp_path / "period") == 2.0
    (tmp_path / "quota").write_text("-1\n")  # v1's "no quota"
    assert threads.cgroup_quota(missing, tmp_path / "quota", tmp_path / "period") is None


def test_policy_reads_affinity_quota_and_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(threads, "cgroup_quota", lambda: None)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (2.2, 0.0, 0.0))
    assert threads.policy_threads(Settings()) == 2
    monkeypatch.setattr(threads, "cgroup_quota", lambda: 1.0)
    assert threads.policy_threads(Settings()) == 1


def test_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (50.0, 0.0, 0.0))
    monkeypatch.setenv("ADVISOR_LOCAL__THREADS", "3")
    assert threads.policy_threads(Settings()) == 3


def test_use_thread_policy_sets_passive_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setattr(threads, "_applied", {})
    n = threads.use_thread_policy(Settings(local={"threads": 1}))
    assert n == 1
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_training_workers_spin_briefly_where_the_policy_was_ours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.setattr(threads, "_applied", {})
    monkeypatch.setattr(threads, "_own_wait_policy", set())
    threads.use_thread_policy(Settings(local={"threads": 1}))
    env = threads.training_environment(os.environ)
    assert env["OMP_WAIT_POLICY"] == "ACTIVE"
    assert env["GOMP_SPINCOUNT"] == str(threads.TRAINING_SPINCOUNT)
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"  # this process keeps its own
    assert threads.training_environment({})["OMP_WAIT_POLICY"] == "ACTIVE"


def test_training_workers_keep_the_users_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # set by the user, before us
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.setattr(threads, "_applied", {})
    monkeypatch.setattr(threads, "_own_wait_policy", set())
    threads.use_thread_policy(Settings(local={"threads": 1}))
    env = threads.training_environment(os.environ)
    assert env["OMP_WAIT_POLICY"] == "PASSIVE" and "GOMP_SPINCOUNT" not in env
    theirs = threads.training_environment({"GOMP_SPINCOUNT": "5"})
    assert theirs == {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": "5"}


_PROBE = textwrap.dedent(
    """
    import json, os, sys
    seen = {}

    class Probe:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" and not seen:
                seen["wait"] = os.environ.get("OMP_WAIT_POLICY")
                seen["threads"] = os.environ.get("OMP_NUM_THREADS")
            return None

    sys.meta_path.insert(0, Probe())
    from backends.local import worker
    try:
        worker.main(["no-such-job"])
    except BaseException:
        pass
    print(json.dumps(seen))
    """
)


@pytest.mark.timeout(120)
def test_worker_sets_policy_before_torch_loads(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "ADVISOR_"))}
    env["ADVISOR_DATA_DIR"] = str(tmp_path)
    env["ADVISOR_LOCAL__THREADS"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=110
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen, "the worker never imported torch: the probe saw nothing"
    assert seen == {"wait": "PASSIVE", "threads": "1"}
