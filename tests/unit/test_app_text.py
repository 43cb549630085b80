"""The wording both shells print: job statuses (durations: test_messages_wording.py)."""


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
