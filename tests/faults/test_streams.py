"""Piped inputs, outputs over inputs, odd paths and huge lines: nothing is lost silently.

The commands run as a user runs them, in a subprocess with a real pipe (an
in-process runner's stdin is no stream: the original loss needed a pipe that
cannot be reopened or sought).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "scenarios" / "brand-voice"


def advisor(
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    environ = os.environ | {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        input=stdin,
        capture_output=True,
        env=environ,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def alpaca_lines(count: int) -> bytes:
    # More than the 64 KiB the format sniffer reads ahead: the first records were lost.
    rows = (
        {"instruction": f"question {i} " + "x" * 60, "input": "", "output": f"answer {i}"}
        for i in range(count)
    )
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def sft_lines(count: int) -> bytes:
    rows = (
        {
            "messages": [
                {"role": "user", "content": f"q {i}"},
                {"role": "assistant", "content": f"a {i}"},
            ]
        }
        for i in range(count)
    )
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_convert_from_a_pipe_keeps_every_record(tmp_path: Path, name: str):
    out = tmp_path / "out.jsonl"
    done = advisor(
        "data",
        "convert",
        name,
        "--from",
        "alpaca",
        "--to",
        "sft",
        "-o",
        str(out),
        stdin=alpaca_lines(2000),
    )
    assert done.returncode == 0, done.stderr
    lines = out.read_bytes().splitlines()
    assert len(lines) == 2000
    assert b"question 0 " in lines[0] and b"question 1999 " in lines[-1]


def test_split_from_a_pipe_writes_every_line(tmp_path: Path):
    done = advisor("data", "split", "/dev/stdin", "-o", str(tmp_path / "s"), stdin=sft_lines(500))
    assert done.returncode == 0, done.stderr
    train = (tmp_path / "s" / "train.jsonl").read_bytes().splitlines()
    validation = (tmp_path / "s" / "validation.jsonl").read_bytes().splitlines()
    assert len(train) + len(validation) == 500 and validation


def test_split_from_a_named_pipe(tmp_path: Path):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-m", "advisor", "data", "split", str(fifo), "-o", str(tmp_path / "s")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    with open(fifo, "wb") as writer:
        writer.write(sft_lines(300))
    _, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    counted = sum(
        len((tmp_path / "s" / f).read_bytes().splitlines())
        for f in ("train.jsonl", "validation.jsonl")
    )
    assert counted == 300


def test_validate_and_stats_read_a_pipe():
    data = (BRAND / "train_sft.jsonl").read_bytes()
    done = advisor("data", "validate", "-", "-m", "sft", "--format", "json", stdin=data)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["examples"] == 150
    stats = advisor(
        "data",
        "stats",
        "/dev/stdin",
        "-m",
        "sft",
        "--model",
        "local",
        "--format",
        "json",
        stdin=data,
    )
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["examples"] == 150


def test_clean_reads_a_pipe(tmp_path: Path):
    out = tmp_path / "clean.jsonl"
    done = advisor(
        "data",
        "clean",
        "-",
        "-o",
        str(out),
        "--no-moderation",
        stdin=(BRAND / "train_sft.jsonl").read_bytes(),
    )
    assert done.returncode == 0, done.stderr
    assert len(out.read_bytes().splitlines()) >= 140


def test_split_refuses_to_overwrite_its_input(tmp_path: Path):
    folder = tmp_path / "d"
    folder.mkdir()
    src = folder / "train.jsonl"
    src.write_bytes(sft_lines(50))
    before = src.read_bytes()
    done = advisor("data", "split", str(src), "-o", str(folder))
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr and b"overwritten" in done.stderr
    assert src.read_bytes() == before


def test_clean_and_convert_refuse_their_input_through_a_link(tmp_path: Path):
    src = tmp_path / "a.jsonl"
    src.write_bytes(sft_lines(20))
    link = tmp_path / "b.jsonl"
    link.symlink_to(src)
    before = src.read_bytes()
    for args in (
        ("data", "clean", str(src), "-o", str(link), "--no-moderation"),
        (
            "data",
            "clean",
            str(src),
            "-o",
            str(tmp_path / "c.jsonl"),
            "-r",
            str(src),
            "--no-moderation",
        ),
        ("data", "convert", str(src), "--from", "openai", "--to", "sft", "-o", str(link)),
    ):
        done = advisor(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert b"Traceback" not in done.stderr
    assert src.read_bytes() == before


@pytest.mark.parametrize("command", ["convert", "validate", "clean", "split", "stats"])
@pytest.mark.parametrize("target", ["missing.jsonl", "folder"])
def test_missing_file_or_folder_is_one_sentence(tmp_path: Path, command: str, target: str):
    (tmp_path / "folder").mkdir()
    tail = {
        "convert": ["--from", "alpaca", "--to", "sft", "-o", "out.jsonl"],
        "validate": ["-m", "sft"],
        "clean": ["-o", "out.jsonl", "--no-moderation"],
        "split": ["-o", "out"],
        "stats": ["-m", "sft", "--model", "local"],
    }[command]
    done = advisor("data", command, target, *tail, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    message = done.stderr.decode().strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert ("no such file" in message) if target == "missing.jsonl" else ("folder" in message)


def test_a_data_dir_that_is_a_file_is_one_sentence(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    done = advisor(
        "data",
        "stats",
        str(BRAND / "train_sft.jsonl"),
        "-m",
        "sft",
        env={"ADVISOR_DATA_DIR": str(blocker)},
    )
    assert done.returncode == 2
    message = done.stderr.decode().strip()
    assert "Traceback" not in message and "ADVISOR_DATA_DIR" in message and "folder" in message


def test_a_million_character_message_is_counted_not_a_traceback(tmp_path: Path):
    huge = {
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "word " * 220_000},
        ]
    }
    src = tmp_path / "huge.jsonl"
    src.write_bytes(json.dumps(huge).encode() + b"\n" + sft_lines(12))
    stats = advisor(
        "data", "stats", str(src), "-m", "sft", "--model", "gpt-4.1-mini", "--format", "json"
    )
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["example_tokens"]["max"] > 200_000
    validate = advisor(
        "data", "validate", str(src), "-m", "sft", "--max-tokens", "1000", "--format", "json"
    )
    assert validate.returncode == 1, validate.stderr
    errors = json.loads(validate.stdout)["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [(1, "too_long")]


@pytest.mark.parametrize("command", ["clean", "convert", "split", "clean-report"])
def test_an_output_folder_that_is_a_file_is_one_sentence(tmp_path: Path, command: str):
    (tmp_path / "blocker").write_text("x")
    src = str(BRAND / "train_sft.jsonl")
    args = {
        "clean": ["clean", src, "-o", "blocker/out.jsonl", "--no-moderation"],
        "clean-report": ["clean", src, "-o", "ok.jsonl", "-r", "blocker/r.json", "--no-moderation"],
        "convert": ["convert", src, "--from", "openai", "--to", "sft", "-o", "blocker/out.jsonl"],
        "split": ["split", src, "-o", "blocker/sub"],
    }[command]
    done = advisor("data", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    message = done.stderr.decode().strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert "cannot create the folder" in message
    assert not (tmp_path / "ok.jsonl").exists()  # refused before any work
