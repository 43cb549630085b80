"""Inputs read once, outputs written atomically and never over the input; estimates
honour the epochs given."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from advisor.data import io as data_io
from advisor.data.stats import compute_stats
from advisor.data.streams import atomic_output, is_stream, refuse_overwrite, reusable
from advisor.errors import UserInputError
from advisor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "scenarios" / "brand-voice" / "train_sft.jsonl"


class OneShot(io.RawIOBase):
    """A stream that can be read once and never sought: what a pipe is."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        size = min(len(buffer), len(self.data), 5000)  # short reads, as pipes give
        buffer[:size] = self.data[:size]
        self.data = self.data[size:]
        return size


def lines_of(count: int) -> bytes:
    return b"".join(b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * 100) for i in range(count))


@pytest.mark.parametrize("keep_ends", [False, True])
def test_lines_of_a_stream_are_all_read_once(keep_ends: bool):
    data = lines_of(3000)  # well past the 64 KiB sniffed first
    handle = io.BufferedReader(OneShot(data))
    batches = list(data_io.iter_batches(Path("-"), handle=handle, keep_ends=keep_ends))
    got = [line for _, batch in batches for line in batch]
    assert (
        len(got) == 3000 and got[0].startswith(b'{"n": 0,') and got[-1].startswith(b'{"n": 2999,')
    )


def test_records_of_a_stream_in_a_foreign_encoding():
    data = "\n".join(f'{{"q": "質問 {i}"}}' for i in range(2000)).encode("cp932")
    handle = io.BufferedReader(OneShot(data))
    found = list(data_io.read_jsonl(Path("-"), "cp932", handle=handle))
    assert len(found) == 2000 and found[-1][1] == {"q": "質問 1999"}


def test_a_stream_is_copied_once_for_two_passes(monkeypatch: pytest.MonkeyPatch):
    read_fd, write_fd = os.pipe()
    os.write(write_fd, lines_of(100))
    os.close(write_fd)
    monkeypatch.setattr("sys.stdin", os.fdopen(read_fd, "r"))
    with reusable("-") as path:
        assert path.read_bytes() == path.read_bytes() == lines_of(100)
    assert not path.exists()


def test_atomic_output_keeps_the_old_file_on_failure(tmp_path: Path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_refuse_overwrite_sees_hard_links_and_streams(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    twin = tmp_path / "twin.jsonl"
    os.link(src, twin)
    with pytest.raises(UserInputError, match="would be overwritten"):
        refuse_overwrite([src], [twin])
    with pytest.raises(UserInputError, match="must be a file path"):
        refuse_overwrite([src], ["-"])
    refuse_overwrite([src], [tmp_path / "new.jsonl"])
    assert is_stream("-") and not is_stream(src)


def test_stats_estimates_use_the_epochs_given(tmp_path: Path):
    """Issue 19: the tune preview ignored --epochs 1 and predicted three times the tokens."""
    settings = Settings(data_dir=tmp_path)
    auto = compute_stats(BRAND, "sft", model="local", settings=settings)
    one = compute_stats(BRAND, "sft", model="local", settings=settings, epochs=1)
    assert auto.epochs == auto.default_epochs == 3
    assert one.epochs == 1 and one.default_epochs == 3
    assert one.billed_tokens * 3 == auto.billed_tokens
    assert one.local.epochs == 1
    assert one.local.estimated_training_seconds is not None
    assert auto.local.estimated_training_seconds is not None
    assert one.local.estimated_training_seconds < auto.local.estimated_training_seconds / 2


def test_local_tune_preview_uses_the_epochs_given(tmp_path: Path):
    """Issue 19: `tune create --backend local --epochs 1` previewed three epochs."""
    from backends.jobs import Hyperparameters, JobRequest
    from backends.local.service import LocalFineTuning

    service = LocalFineTuning(Settings(data_dir=tmp_path))
    base = {"method": "sft", "training_file": str(BRAND)}
    auto = service.preview(JobRequest(**base))
    one = service.preview(JobRequest(**base, hyperparameters=Hyperparameters(n_epochs=1)))
    assert auto is not None and one is not None
    assert one.billed_tokens is not None and auto.billed_tokens is not None
    assert one.billed_tokens * 3 == auto.billed_tokens
