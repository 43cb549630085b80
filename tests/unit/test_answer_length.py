"""The bench's default answer cap comes from the scenario's reference answers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from advisor.app import bench
from advisor.bench.answer_length import CEILING, FLOOR, reference_max_tokens
from advisor.bench.scenario import load_scenario
from advisor.routes.context import estimate_tokens
from advisor.settings import load_settings
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"


def test_the_cap_is_twice_the_longest_reference_within_floor_and_ceiling() -> None:
    brand = load_scenario("brand-voice")  # references of a few sentences
    longest = max(estimate_tokens(i.reference or "") for i in brand.test_items())
    assert reference_max_tokens(brand) == 2 * longest + 32 < CEILING
    assert reference_max_tokens(load_scenario("invoice-total")) == FLOOR  # a bare number
    assert reference_max_tokens(load_scenario("ja-support")) == CEILING  # long Japanese answers


class NoReferences:
    def test_items(self) -> list[object]:
        return [SimpleNamespace(reference=None), SimpleNamespace(reference="")]


def test_a_scenario_without_references_keeps_the_old_cap() -> None:
    assert reference_max_tokens(NoReferences()) == CEILING  # type: ignore[arg-type]


def test_the_bench_plan_uses_the_reference_cap_unless_one_is_given(isolated_state: Path) -> None:
    settings = load_settings(backend="fake")
    plan = bench.plan_benchmark(bench.BenchRequest(scenario=str(TINY)), settings)
    assert plan.options.max_tokens == FLOOR  # tiny's references are a few words
    given = bench.plan_benchmark(bench.BenchRequest(scenario=str(TINY), max_tokens=300), settings)
    assert given.options.max_tokens == 300
