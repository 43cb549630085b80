"""The durations both shells print (the CLI and the wizard used to round differently)."""

import pytest

from advisor.app.text import duration_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0 s"), (100, "100 s"), (119, "119 s"), (120, "2 min"), (5400, "90 min"), (7200, "2.0 h")],
)
def test_duration_text(seconds: float, shown: str) -> None:
    assert duration_text(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"), [(100, "100 秒"), (5400, "90 分"), (7200, "2.0 時間")]
)
def test_duration_text_in_japanese(seconds: float, shown: str) -> None:
    assert duration_text(seconds, "ja") == shown


def test_job_statuses_in_both_languages() -> None:
    from advisor.app.text import job_status_text
    from backends import jobs

    known = {jobs.VALIDATING_FILES, jobs.QUEUED, jobs.RUNNING, jobs.PAUSED}
    for status in known | jobs.TERMINAL_STATUSES:
        assert job_status_text(status, "en") == status  # the services' own word
        assert job_status_text(status, "ja").isascii() is False, status
    assert job_status_text("succeeded", "ja") == "成功"
    assert job_status_text("new_in_2027", "ja") == "new_in_2027"  # passed through, not lost


def test_the_wizard_uses_the_shared_wording() -> None:
    import advisor.tui.screens.data as screen

    assert not hasattr(screen, "_duration"), "the wizard keeps its own copy again"
