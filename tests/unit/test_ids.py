"""The one vocabulary: model references, route ids, the auto-epoch rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import ModelNotFoundError
from advisor.ids import (
    INFERENCE_ROUTE_IDS,
    METHODS,
    ModelRef,
    auto_epochs,
    safe_name,
)
from advisor.settings import Settings

NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}", fullmatch=True)
BASE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,30}", fullmatch=True)


@pytest.mark.parametrize(
    ("text", "kind", "base", "family", "backend"),
    [
        ("gpt-4.1-mini", "plain", "gpt-4.1-mini", "gpt-4.1-mini", None),
        ("gpt-4.1-mini-2025-04-14", "plain", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini", None),
        ("ft:gpt-4o-mini-2024-07-18:acme:tag:abc123", "openai_ft", "gpt-4o-mini-2024-07-18",
         "gpt-4o-mini", "openai"),
        ("ft:gpt-4o-mini:acme::abc123:ckpt-step-88", "openai_ft", "gpt-4o-mini", "gpt-4o-mini",
         "openai"),
        ("local:ft:SmolLM2-135M:sft:ftjob-1a2b", "local_ft", "SmolLM2-135M", "SmolLM2-135M",
         "local"),
    ],
)  # fmt: skip
def test_parse_and_print(text: str, kind: str, base: str, family: str, backend: str | None):
    ref = ModelRef.parse(text)
    assert (ref.kind, ref.base, ref.family, ref.backend) == (kind, base, family, backend)
    assert str(ref) == text


def test_local_parts() -> None:
    ref = ModelRef.parse("local:ft:HuggingFaceTB/SmolLM2-135M:my-tag:ftjob-9")
    assert (ref.base, ref.suffix, ref.job_id) == ("HuggingFaceTB/SmolLM2-135M", "my-tag", "ftjob-9")


@given(base=BASE, suffix=NAME, job=NAME)
def test_local_round_trip(base: str, suffix: str, job: str) -> None:
    ref = ModelRef.local(base, suffix, job)
    assert ModelRef.parse(str(ref)) == ref


@given(base=BASE, org=NAME, suffix=st.one_of(st.just(""), NAME), job=NAME)
def test_openai_round_trip(base: str, org: str, suffix: str, job: str) -> None:
    text = f"ft:{base}:{org}:{suffix}:{job}"
    assert str(ModelRef.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "local:ft:base:sft:/etc",
        "local:ft:base:sft:../../outside",
        "local:ft:base:sft:..",
        "local:ft:base:../x:ftjob-1",
        "local:ft:base:sft:.hidden",
        "local:ft:base:sft:a\\b",
        "local:ft:base:sft:",
        "local:ft:base",
    ],
)
def test_local_ids_refuse_path_tricks(text: str) -> None:
    with pytest.raises(ModelNotFoundError):
        ModelRef.parse(text)


def test_local_backend_never_loads_an_adapter_outside_its_folder(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.local import LocalBackend

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "adapter_config.json").write_text("{}")
    loaded: list[object] = []
    monkeypatch.setattr(LocalBackend, "_load_uncached", lambda self, *a: loaded.append(a))
    backend = LocalBackend(settings)
    relative = Path("..") / ".." / outside.relative_to(tmp_path)
    for job_id in (str(outside), str(settings.adapters_dir / relative)):
        with pytest.raises(ModelNotFoundError):
            backend.load(f"local:ft:SmolLM2-135M:sft:{job_id}")
    assert loaded == []


@given(st.text(max_size=12))
def test_safe_names_stay_one_path_component(value: str) -> None:
    if safe_name(value):
        assert "/" not in value and "\\" not in value and ".." not in value
        assert Path(value).name == value and not value.startswith(".")


def test_bench_route_ids_are_built_from_the_one_vocabulary() -> None:
    from advisor.bench.routespec import ROUTE_IDS, parse_route

    assert METHODS == ("sft", "dpo", "rft")
    assert set(INFERENCE_ROUTE_IDS + METHODS) <= set(ROUTE_IDS)
    for route in ROUTE_IDS:  # every documented id parses, and prints as itself
        assert parse_route(route).id == route


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(0, 3), (1, 25), (2, 25), (10, 10), (34, 3), (8333, 3), (8334, 2), (30_000, 1)],
)
def test_one_auto_epoch_rule(examples: int, epochs: int) -> None:
    from advisor.data.prices import default_epochs
    from backends.jobs import Hyperparameters
    from backends.local.hyperparams import resolve

    assert auto_epochs(examples) == epochs == default_epochs(examples)
    assert resolve("sft", examples, Hyperparameters()).n_epochs == epochs
