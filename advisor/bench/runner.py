"""``advisor bench``'s engine: prepare routes, answer N times, grade, measure, compare.

Generation goes through the routes' own interface, so what is benchmarked is
exactly what a user would run.  Local backends get whole batches
(``Route.answer_iter`` -> ``chat_batch_iter``, streamed as each answer finishes
where the backend batches continuously); remote ones get a bounded thread
pool of single requests.  Every answer passes through the generation cache.
Training jobs are submitted before any route answers, so that they train while
the routes before them answer (advisor/bench/early.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from advisor import __version__, messages
from advisor.bench import compare, metrics
from advisor.bench.cache import GenerationCache, cache_key, route_fingerprint
from advisor.bench.early import EarlyTraining, start_early
from advisor.bench.grading import Graders, grade, load_graders
from advisor.bench.prepare import PreparedRoute, TrainingSettings
from advisor.bench.prepare_routes import prepare_spec
from advisor.bench.pricing import chat_price
from advisor.bench.routespec import RouteSpec
from advisor.bench.schema import (
    BenchConfig,
    BenchResults,
    CacheStats,
    Preparation,
    PromptRecord,
    RouteResult,
    SampleRecord,
    ScenarioInfo,
)
from advisor.bench.selection import available_routes, resolve_routes, skip_reason
from advisor.data.texts import Label
from advisor.errors import AdvisorError, BackendError, CancelledError, UserInputError
from advisor.ids import Progress

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario, TestItem
    from advisor.routes.base import Route, RouteAnswer
    from advisor.settings import Settings
    from backends.base import Backend
    from backends.types import GenerationParams

DEFAULT_MAX_TOKENS = 256


@dataclass
class BenchOptions:
    # Route ids (see advisor.bench.routespec) or "advisor"; None: every route the scenario supports.
    routes: list[str] | None = None
    backend: str | None = None
    model: str | None = None
    repeats: int = 1
    temperature: float = 0.0
    max_examples: int | None = None
    max_tokens: int | None = DEFAULT_MAX_TOKENS
    use_cache: bool = True
    concurrency: int = 4
    alpha: float = 0.05
    training: TrainingSettings = field(default_factory=TrainingSettings)


class BenchRunner:
    """One benchmark run of a scenario; :meth:`run` returns the results."""

    def __init__(
        self,
        scenario: Scenario,
        backend: Backend,
        settings: Settings,
        options: BenchOptions,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        if options.repeats < 1:
            raise UserInputError.from_catalog("core.bench.repeats_too_small")
        self.scenario = scenario
        self.backend = backend
        self.settings = settings
        self.options = options
        self.model = options.model or backend.default_model
        self.progress = progress
        self.cancel = cancel
        self.cache = GenerationCache(settings.generation_cache_db)
        self.cache_stats = CacheStats()
        self.notes: list[str] = []
        self._no_recommendation: str | None = None
        self._early = EarlyTraining()

    # --- public -------------------------------------------------------------------------

    def run(self) -> BenchResults:
        began = time.perf_counter()
        items = self.scenario.test_items()
        if self.options.max_examples is not None:
            items = items[: self.options.max_examples]
        if not items:
            raise UserInputError.from_catalog("core.bench.no_prompts", scenario=self.scenario.name)
        requested = resolve_routes(self.scenario, self.backend, self.options.routes)
        paraphrases = self.scenario.paraphrases()
        graders = load_graders(self.scenario, self.backend, self.settings)
        embed = self._embedder()
        references = {i.id: i.reference for i in items if i.reference}
        sources = {
            i.id: str(i.fields()["source"])
            for i in items
            if isinstance(i.fields().get("source"), str)
        }
        results: dict[str, RouteResult] = {}
        self._early = start_early(
            requested, self.scenario, self.backend, self.model, self.settings, self.options.training
        )
        try:
            for spec in requested:
                self._check_cancel()
                results[spec.id] = self._run_route(
                    spec, items, paraphrases, graders, embed, references, sources
                )
        except BaseException:  # cancelled or broken: no job trains on for a run that stopped
            self._early.cancel_unfinished(self.backend)
            raise
        comparisons = compare.compare_routes(
            results, repeats=self.options.repeats, alpha=self.options.alpha
        )
        recommended = self._recommended()
        verdict = compare.decide(
            results,
            comparisons,
            recommended=recommended,
            alpha=self.options.alpha,
            no_recommendation=self._no_recommendation,
        )
        return BenchResults(
            tool_version=__version__,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            duration_s=time.perf_counter() - began,
            scenario=ScenarioInfo(
                name=self.scenario.name,
                title=self.scenario.title,
                kind=self.scenario.kind,
                language=self.scenario.language,
                path=str(self.scenario.root),
            ),
            config=BenchConfig(
                backend=self.backend.name,
                model=self.model,
                routes=list(results),
                repeats=self.options.repeats,
                temperature=self.options.temperature,
                max_examples=self.options.max_examples,
                max_tokens=self.options.max_tokens,
                use_cache=self.options.use_cache,
                alpha=self.options.alpha,
            ),
            prompts=[PromptRecord(id=i.id, prompt=i.prompt, reference=i.reference) for i in items],
            routes=results,
            comparisons=comparisons,
            verdict=verdict,
            cache=self.cache_stats,
            notes=self.notes,
        )

    # --- one route ----------------------------------------------------------------------

    def _run_route(
        self,
        spec: RouteSpec,
        items: list[TestItem],
        paraphrases: dict[str, list[str]],
        graders: Graders,
        embed: metrics.Embedder | None,
        references: dict[str, str],
        sources: dict[str, str],
    ) -> RouteResult:
        route_id = spec.id
        skip = skip_reason(spec, self.scenario, self.backend)
        if skip:
            return RouteResult(
                route=route_id,
                backend=self.backend.name,
                model=self.model,
                status="skipped",
                error=skip,
                preparation=Preparation(kind="none"),
            )
        try:
            prepared = self._prepare(spec)
            self._stage(Label("progress.bench_preparing", route=route_id), 1, 1)
            samples, paraphrase_answers = self._answer_route(
                route_id, prepared.route, items, paraphrases, graders
            )
            if samples and all(s.error for s in samples):
                # Not a 0% pass rate: nothing was answered, so nothing was measured.
                raise BackendError.from_catalog("core.bench.all_failed", error=samples[0].error)
        except (CancelledError, KeyboardInterrupt):
            raise
        except AdvisorError as exc:
            return RouteResult(
                route=route_id,
                backend=self.backend.name,
                model=self.model,
                status="failed",
                error=str(exc),
                # The report's sentence: only an error from the catalog has one.
                error_ja=exc.localized("ja") if exc.key is not None else None,
                error_sentence=exc.stored_sentence(),
                preparation=Preparation(kind="none"),
            )
        route_metrics = metrics.route_metrics(
            samples,
            references=references,
            expected_sources=sources,
            embed=embed,
            paraphrase_answers=paraphrase_answers,
            price=chat_price(self.backend, prepared.route.model),
        )
        return RouteResult(
            route=route_id,
            backend=self.backend.name,
            model=prepared.route.model,
            status="ok",
            preparation=prepared.preparation,
            metrics=route_metrics,
            samples=samples,
        )

    def _prepare(self, spec: RouteSpec) -> PreparedRoute:
        self._stage(Label("progress.bench_preparing", route=spec.id), 0, 0)
        failed = self._early.errors.get(spec.id)
        if failed is not None:  # its job could not be created when the run began
            raise failed
        return prepare_spec(
            spec,
            self.scenario,
            self.backend,
            self.model,
            self.settings,
            self.options.training,
            max_tokens=self.options.max_tokens,
            progress=self.progress,
            cancel=self.cancel,
            early=self._early.by_key,
        )

    def _params(self) -> GenerationParams:
        from backends.types import GenerationParams

        return GenerationParams(
            temperature=self.options.temperature, max_tokens=self.options.max_tokens
        )

    def _answer_route(
        self,
        route_id: str,
        route: Route,
        items: list[TestItem],
        paraphrases: dict[str, list[str]],
        graders: Graders,
    ) -> tuple[list[SampleRecord], dict[str, list[str]] | None]:
        """Graded samples (each prompt per repeat) and, where the scenario has paraphrases,
        the answers to each prompt and its paraphrases (first repeat), grouped by prompt.

        Both go out as one stream of requests: a continuously batching backend keeps
        its slots full across them, where two phases would each end on a part-empty
        batch (the last 16 of 80 answers and 13 of 77 paraphrases, on ja-support).
        """
        jobs = [(item, repeat) for repeat in range(self.options.repeats) for item in items]
        wanted = [(i.id, text) for i in items for text in paraphrases.get(i.id, [])]
        label = Label(
            "progress.bench_answering_paraphrases" if wanted else "progress.bench_answering"
        )
        answers = self._generate(
            route_id,
            route,
            [(item.prompt, repeat) for item, repeat in jobs] + [(text, 0) for _, text in wanted],
            label,
        )
        samples = [
            grade(item, repeat, answer, cached, error, graders, self.notes)
            for (item, repeat), (answer, cached, error) in zip(
                jobs, answers[: len(jobs)], strict=True
            )
        ]
        if not wanted:
            return samples, None
        groups: dict[str, list[str]] = {
            s.prompt_id: [s.text] for s in samples if s.repeat == 0 and s.error is None
        }
        for (prompt_id, _), (answer, _, error) in zip(wanted, answers[len(jobs) :], strict=True):
            if answer is not None and error is None and prompt_id in groups:
                groups[prompt_id].append(answer.text)
        return samples, groups

    # --- generation with the cache ---------------------------------------------------------

    def _generate(
        self, route_id: str, route: Route, requests: list[tuple[str, int]], label: str
    ) -> list[tuple[RouteAnswer | None, bool, str | None]]:
        """(answer, from cache, error) per (prompt, repeat), in order."""
        from advisor.routes.base import RouteAnswer

        params = self._params()
        fingerprint = route_fingerprint(self.scenario, route_id, route)
        engine = self.backend.generation_engine_for(route.model)
        keys = [
            cache_key(
                backend=self.backend.name,
                model=route.model,
                route=fingerprint,
                prompt=prompt,
                params=params.model_dump(mode="json"),
                repeat=repeat,
                engine=engine,
            )
            for prompt, repeat in requests
        ]
        cached = self.cache.get_many(keys) if self.options.use_cache else {}
        out: list[tuple[RouteAnswer | None, bool, str | None]] = [
            (RouteAnswer.model_validate(cached[k]), True, None)
            if k in cached
            else (None, False, None)
            for k in keys
        ]
        self.cache_stats.hits += len(cached)
        missing = [i for i, k in enumerate(keys) if k not in cached]
        self.cache_stats.misses += len(missing)
        total = len(requests)
        done = total - len(missing)
        self._stage(Label("progress.bench_route", route=route_id, item=label), done, total)
        for index, answer, error in self._fresh(route, [requests[i][0] for i in missing], params):
            position = missing[index]
            out[position] = (answer, False, error)
            if answer is not None:
                self.cache.put_many({keys[position]: answer.model_dump(mode="json")})
            done += 1
            self._stage(Label("progress.bench_route", route=route_id, item=label), done, total)
        return out

    def _fresh(self, route: Route, prompts: list[str], params: GenerationParams) -> Any:
        """Yield (index, answer, error) as answers arrive: batches locally, a pool remotely."""
        if not prompts:
            return
        if self.backend.capabilities.runs_locally:
            yield from self._local(route, prompts, params)
            return
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.concurrency))
        try:
            futures = [pool.submit(route.answer, p, params) for p in prompts]
            for index, future in enumerate(futures):
                self._check_cancel()
                try:
                    yield index, future.result(), None
                except BackendError as exc:  # one failed request is a data point, not a crash
                    yield index, None, str(exc)
        finally:
            # On Ctrl+C or an error, drop queued requests instead of sending them all.
            pool.shutdown(wait=True, cancel_futures=True)

    def _local(self, route: Route, prompts: list[str], params: GenerationParams) -> Any:
        """Yield (index, answer, None) per answer: all prompts at once where the backend
        streams a batch (its slots do the batching), else fixed ``local.batch_size`` chunks."""
        streaming = self.backend.capabilities.supports_streaming_batch
        size = len(prompts) if streaming else max(1, self.settings.local.batch_size)
        for start in range(0, len(prompts), size):
            self._check_cancel()
            answers = route.answer_iter(prompts[start : start + size], params)
            try:
                for offset, answer in answers:
                    yield start + offset, answer, None
                    self._check_cancel()
            finally:
                answers.close()  # on cancel: stop generating now, not after the batch

    # --- grading -------------------------------------------------------------------------

    # --- helpers -------------------------------------------------------------------------

    def _embedder(self) -> Callable[[list[str]], list[list[float]]] | None:
        if not self.backend.capabilities.supports_embeddings:
            self.notes.append(
                f"the {self.backend.name} backend has no embeddings: similarity not measured"
            )
            return None
        backend = self.backend
        if not backend.default_embedding_model:  # e.g. Azure without an embedding deployment
            self.notes.append(
                f"no embedding model is set for the {backend.name} backend: similarity not measured"
            )
            return None
        namespace = f"{backend.name}:{backend.default_embedding_model}"

        def compute(texts: list[str]) -> list[list[float]]:
            vectors: list[list[float]] = []
            for start in range(0, len(texts), 256):
                vectors += backend.embed(texts[start : start + 256]).vectors
            return vectors

        def embed(texts: list[str]) -> list[list[float]]:
            return self.cache.embed_cached(namespace, texts, compute)

        return embed

    def _recommended(self) -> str | None:
        if not self.scenario.answers:
            return None
        try:
            from advisor.criteria import assess

            assessment = assess(self.scenario.answers, lang=self.scenario.language)
        except ImportError:
            self._no_recommendation = messages.text("core.verdict.no_advisor", "en")
            return None
        except (AdvisorError, ValueError) as exc:
            self._no_recommendation = messages.text("core.verdict.advisor_failed", "en", error=exc)
            return None
        primary: str | None = assessment.recommendation.primary
        return primary

    def _stage(self, label: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(done, total, label)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise CancelledError.from_catalog("core.bench.cancelled")


def run_bench(
    scenario: Scenario,
    backend: Backend,
    settings: Settings,
    options: BenchOptions,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> BenchResults:
    """Run a benchmark; see :class:`BenchRunner`."""
    return BenchRunner(scenario, backend, settings, options, progress=progress, cancel=cancel).run()


__all__: Sequence[str] = [
    "BenchOptions",
    "BenchRunner",
    "available_routes",
    "run_bench",
]
