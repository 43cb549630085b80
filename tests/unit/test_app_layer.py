"""The application layer on the fake backend: one home per use case, for both shells."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.app import assistants, bench, chat, jobs, metrics, routes
from advisor.app.ask import Asked, ask, source_lines
from advisor.app.conversation import Conversation
from advisor.errors import AdvisorError, JobNotFoundError, UserInputError
from advisor.registry import get_backend
from advisor.routes import SourceRef
from advisor.settings import Settings, load_settings
from backends.fake import FakeBackend
from backends.fake_jobs import FakeFineTuning
from backends.jobs import JobEvent, JobRequest
from tests.conftest import FIXTURES


@pytest.fixture
def fake(isolated_state: Path) -> Settings:
    return load_settings(backend="fake", chroma={"embedding_backend": "fake"})


class Recorder:
    """A backend source that records which backend each use case asked for."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.asked: list[str | None] = []

    def __call__(self, name: str | None) -> FakeBackend:
        self.asked.append(name)
        return FakeBackend(self.settings)


# --- routes ----------------------------------------------------------------------------


def test_a_fine_tuned_model_id_picks_its_own_backend(fake: Settings) -> None:
    source = Recorder(fake)
    route = routes.build_route(routes.RouteSpec(model="local:ft:base:x:ftjob-1"), fake, source)
    assert source.asked == ["local"] and route.model == "local:ft:base:x:ftjob-1"
    routes.build_route(routes.RouteSpec(backend="fake", model="local:ft:x"), fake, source)
    assert source.asked[-1] == "fake"  # an explicit backend wins


def test_route_choices_are_checked(fake: Settings) -> None:
    with pytest.raises(UserInputError, match="needs --kb"):
        routes.build_route(routes.RouteSpec(route="rag"), fake)
    with pytest.raises(UserInputError, match="no knowledge base named ghost") as info:
        routes.build_route(routes.RouteSpec(route="rag", kb="ghost"), fake)
    assert info.value.exit_code == 2 and "advisor rag index PATH --kb ghost" in str(info.value)
    with pytest.raises(UserInputError, match="needs --assistant"):
        routes.build_route(routes.RouteSpec(route="custom_assistant"), fake)


def test_an_assistant_runs_on_its_profiles_backend(fake: Settings) -> None:
    draft = assistants.AssistantDraft(name="helper", instructions="Be brief.", backend="fake")
    assistants.create_assistant(draft, fake)
    source = Recorder(fake)
    spec = routes.RouteSpec(route="custom_assistant", assistant="helper")
    route = routes.build_route(spec, fake, source)
    assert source.asked == ["fake"] and route.id == "custom_assistant"
    assert ask(route, "hi").answer.text == "fake reply: hi"


# --- ask and sources ---------------------------------------------------------------------


def ref(source: str, n: int, *, cited: bool = False, distance: float = 0.5) -> SourceRef:
    return SourceRef(
        source=source, chunk_id=f"{source}:{n}", distance=distance, text="t", cited=cited
    )


def test_sources_are_listed_once_per_file_relative_to_the_knowledge_folder() -> None:
    refs = [
        ref("/kb/docs/returns.md", 0, distance=0.4),
        ref("/kb/docs/faq/shipping.md", 2, cited=True),
        ref("/kb/docs/returns.md", 3, cited=True, distance=0.2),
    ]
    lines = source_lines(refs, [Path("/kb/docs")])
    assert [(s.path, s.numbers, s.cited) for s in lines] == [
        ("returns.md", [1, 3], True),
        ("faq/shipping.md", [2], True),
    ]
    assert lines[0].distance == 0.2 and lines[0].label() == "* returns.md [1,3]"
    # No knowledge folder known: relative to the folder the sources share.
    assert [s.path for s in source_lines(refs)] == ["returns.md", "faq/shipping.md"]
    assert source_lines([]) == []


def test_ask_result_has_the_documented_keys(fake: Settings) -> None:
    FakeBackend.queue_replies("PONG.")
    route = routes.build_route(routes.RouteSpec(instructions="Shout."), fake)
    asked = ask(route, "ping")
    assert isinstance(asked, Asked)
    data = asked.result().model_dump()
    assert set(data) == {
        "text", "sources", "usage", "latency_s", "backend", "model", "route", "warnings"
    }  # fmt: skip
    assert data["text"] == "PONG." and data["route"] == "system_prompt"


def test_ask_says_its_preparation_warnings_in_the_shell_s_language(fake: Settings) -> None:
    # `advisor ask` printed them in the JSON's English under ADVISOR_LANG=ja.
    from advisor import messages
    from advisor.routes import PrepareReport

    FakeBackend.queue_replies("PONG.")
    answer = ask(routes.build_route(routes.RouteSpec(instructions="Shout."), fake), "ping").answer
    report = PrepareReport(route="rag")
    report.warn(messages.Localized("core.route.knowledge_not_found", {"paths": "a.md"}))
    asked = Asked(answer, report)
    assert asked.warnings_in("ja") == ["ナレッジのファイルが見つかりません：a.md"]
    assert asked.warnings_in("en") == ["knowledge files not found: a.md"]
    assert asked.result().warnings == ["knowledge files not found: a.md"]
    assert Asked(answer).warnings_in("ja") == [] and Asked(answer).result().warnings == []


# --- conversation --------------------------------------------------------------------------


def test_a_conversation_sends_the_earlier_turns(fake: Settings, monkeypatch) -> None:
    sent: list[list[tuple[str, str]]] = []
    chat_of = FakeBackend.chat

    def recording(self, messages, **kwargs):
        sent.append([(m.role, m.content) for m in messages])
        return chat_of(self, messages, **kwargs)

    monkeypatch.setattr(FakeBackend, "chat", recording)
    route = routes.build_route(routes.RouteSpec(instructions="Be brief."), fake)
    conversation = Conversation(route)
    conversation.ask("one")
    assert "".join(conversation.stream("two")) == "fake reply: two"
    assert sent[-1] == [
        ("system", "Be brief."),
        ("user", "one"),
        ("assistant", "fake reply: one"),
        ("user", "two"),
    ]
    assert conversation.history == [("one", "fake reply: one"), ("two", "fake reply: two")]
    conversation.clear()
    conversation.ask("three")
    assert sent[-1] == [("system", "Be brief."), ("user", "three")]


def test_a_rag_conversation_keeps_sources_for_the_new_question_only(
    fake: Settings, tmp_path: Path
) -> None:
    from advisor.rag import KnowledgeBase

    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "tui" / "docs", docs)
    KnowledgeBase("acme", fake).index([docs])
    route = routes.build_route(routes.RouteSpec(route="rag", kb="acme", k=1), fake)
    conversation = Conversation(route)
    FakeBackend.queue_replies("Refunds take 5 days [1].", "Shipping is free [1].")
    first = conversation.ask("How long do refunds take?")
    second = conversation.ask("And shipping?")
    assert first.sources[0].cited and second.route == "rag"
    assert conversation.history[0] == ("How long do refunds take?", "Refunds take 5 days [1].")


# --- chat targets ----------------------------------------------------------------------------


def test_chat_offers_every_knowledge_base_and_puts_the_prepared_route_first() -> None:
    choices = chat.ChatChoices(route="sft", knowledge_base="acme", fine_tuned_model="fake:ft:1")
    targets = chat.chat_targets(choices, ["acme", "handbook"])
    assert [t.value for t in targets] == ["fine_tuned", "model", "rag", "rag:handbook"]
    assert chat.target_spec("rag:handbook", choices).kb == "handbook"
    assert chat.target_spec("rag", choices).kb == "acme"
    spec = chat.target_spec("fine_tuned", choices)
    assert spec.model == "fake:ft:1" and spec.backend is None


# --- metrics ---------------------------------------------------------------------------------


def test_metric_points_read_every_services_names() -> None:
    local = metrics.MetricPoint.from_data({"step": 3, "total_steps": 9, "loss": 1.5})
    openai = metrics.MetricPoint.from_data({"step": 3, "train_loss": 1.5, "valid_loss": 1.7})
    rft = metrics.MetricPoint.from_data({"step": 2, "train_reward_mean": 0.25, "loss": 0.9})
    assert local is not None and local.loss == 1.5 and local.total_steps == 9
    assert openai is not None and (openai.loss, openai.eval_loss) == (1.5, 1.7)
    assert rft is not None and rft.headline(reward=True) == ("reward_mean", 0.25)
    assert rft.headline() == ("loss", 0.9)
    assert metrics.MetricPoint.from_data({"note": "x", "flag": True}) is None
    step_only = metrics.MetricPoint.from_data({"step": 1})
    assert step_only is not None and step_only.headline() is None
    event = JobEvent(id="e", message="m", type="metrics", data={"loss": 2})
    assert metrics.MetricPoint.from_event(event) == metrics.MetricPoint(loss=2.0)


# --- jobs --------------------------------------------------------------------------------------


def test_a_job_is_followed_through_the_backend_that_owns_it(fake: Settings) -> None:
    FakeFineTuning.pace = 4
    job = (
        get_backend("fake", fake)
        .fine_tuning()
        .create(JobRequest(method="sft", training_file=str(FIXTURES / "tui" / "train_ok.jsonl")))
    )
    source = Recorder(fake)
    updates = list(jobs.Jobs(fake, source).follow(job.id, interval_s=0.01))
    assert set(source.asked) == {"fake"}  # never the default, never another backend
    assert updates[-1].settled and updates[-1].job.status == "succeeded"
    points = [p for u in updates for _, p in u.points if p is not None and p.loss is not None]
    assert len(points) == 12 and points[0].loss > points[-1].loss
    with pytest.raises(JobNotFoundError):
        jobs.Jobs(fake).retrieve("ftjob-nope")
    FakeFineTuning.reset()


def test_following_stops_when_asked(fake: Settings) -> None:
    FakeFineTuning.pace = 1
    job = (
        get_backend("fake", fake)
        .fine_tuning()
        .create(JobRequest(method="sft", training_file=str(FIXTURES / "tui" / "train_ok.jsonl")))
    )
    updates = jobs.Jobs(fake).follow(job.id, interval_s=0.01, stop=lambda: True)
    assert list(updates) == []
    assert jobs.Jobs(fake).cancel(job.id).status == "cancelled"
    FakeFineTuning.reset()


# --- assistants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ({"instructions": None}, "exactly one of"),
        ({"instructions": "x", "instructions_file": Path("rules.md")}, "exactly one of"),
        ({"knowledge": [Path("nowhere")]}, "knowledge not found: nowhere"),
        ({"backend": "nosuch"}, "unknown backend 'nosuch'"),
        ({"name": "Bad Name"}, "invalid assistant"),
    ],
)
def test_an_assistant_is_checked_before_it_is_saved(
    fake: Settings, draft: dict, message: str
) -> None:
    fields = {"name": "helper", "instructions": "Be brief.", **draft}
    with pytest.raises(UserInputError, match=message):
        assistants.create_assistant(assistants.AssistantDraft(**fields), fake)
    assert not fake.assistants_dir.exists()


def test_an_existing_assistant_is_replaced_only_when_asked(fake: Settings) -> None:
    draft = assistants.AssistantDraft(name="helper", instructions="One.")
    assistants.create_assistant(draft, fake)
    with pytest.raises(UserInputError, match="already exists"):
        assistants.create_assistant(draft, fake)
    profile, path = assistants.create_assistant(
        draft.model_copy(update={"instructions": "Two."}), fake, overwrite=True
    )
    assert profile.instructions == "Two." and path.is_file()


# --- bench -----------------------------------------------------------------------------------


def test_one_default_route_list_and_report_folder(fake: Settings) -> None:
    from advisor.bench.scenario import load_scenario

    scenario = load_scenario("brand-voice")
    assert bench.default_routes(scenario, None) == ["system_prompt", "sft"]
    assert bench.default_routes(scenario, "") == ["system_prompt", "sft"]
    assert bench.default_routes(scenario, "all") is None
    assert bench.default_routes(scenario, "rag") == ["rag"]
    assert bench.default_out_dir("brand-voice") == Path("bench-results") / "brand-voice"
    plan = bench.plan_benchmark(bench.BenchRequest(scenario=str(FIXTURES / "bench" / "tiny")), fake)
    assert plan.out_dir == Path("bench-results") / "tiny" and plan.options.repeats == 2
    with pytest.raises(UserInputError, match="unknown route 'nope'"):
        bench.plan_benchmark(bench.BenchRequest(scenario="brand-voice", routes="nope"), fake)


def test_a_run_without_answers_is_an_error(fake: Settings, tmp_path: Path) -> None:
    request = bench.BenchRequest(
        scenario=str(FIXTURES / "bench" / "tiny"), routes="system_prompt", repeats=1,
        out=tmp_path / "out",
    )  # fmt: skip
    run = bench.run_benchmark(bench.plan_benchmark(request, fake), fake)
    bench.require_answers(run.results)  # answers: fine
    assert run.paths["html"].is_file()
    failed = run.results.model_copy(
        update={
            "routes": {
                name: r.model_copy(update={"status": "failed", "error": "down"})
                for name, r in run.results.routes.items()
            }
        }
    )
    with pytest.raises(AdvisorError, match=r"no route produced answers \(first error: down\)"):
        bench.require_answers(failed)
