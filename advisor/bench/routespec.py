"""Bench route ids and their grammar: the one place ``advisor bench`` learns them.

A bench route is an optional *training chain* (``sft``, ``dpo``, ``rft``, or
``sft>dpo`` / ``sft>rft``: preference or reinforcement tuning continued from
the SFT adapter) and one *inference* form (the system prompt, retrieval, few-shot
examples, a custom assistant, or a minimal prompt).  Parts join with ``+`` at
inference time: ``sft+rag`` is the fine-tuned model answering with retrieved
context.  :func:`parse_route` turns an id into a :class:`RouteSpec` once; the
rest of the bench reads the spec, never the string.

The words (methods, inference route names) come from :mod:`advisor.ids`; this
module adds only the bench's grammar over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor import messages
from advisor.errors import UserInputError
from advisor.ids import METHODS, Method

Inference = Literal["system_prompt", "rag", "few_shot", "custom_assistant", "short"]
#: Inference forms usable on their own (``short`` needs a tuned model: ``sft_short``).
INFERENCE_IDS = ("system_prompt", "rag", "few_shot", "custom_assistant")
#: Training chains ``>`` may build: continued from the SFT adapter.
CHAINS: tuple[tuple[Method, ...], ...] = (("sft", "dpo"), ("sft", "rft"))
#: Every documented bench route id (docs/benchmarks.md); combinations parse too.
ROUTE_IDS = (
    "system_prompt",
    "few_shot",
    "rag",
    "custom_assistant",
    "sft",
    "dpo",
    "rft",
    "sft_short",
    "sft+rag",
    "dpo+rag",
    "rft+rag",
    "sft>dpo",
    "sft>rft",
)
#: Keywords of ``--routes`` that stand for a list of routes.
KEYWORDS = ("all", "advisor")
SHORT = "_short"


@dataclass(frozen=True)
class RouteSpec:
    """A parsed bench route: what to train (in order), then how to ask."""

    training: tuple[Method, ...] = ()
    inference: Inference = "system_prompt"

    @property
    def id(self) -> str:
        """The canonical id: training chain first, then ``+inference``."""
        if not self.training:
            return self.inference
        chain = ">".join(self.training)
        if self.inference == "short":
            return chain + SHORT
        if self.inference == "system_prompt":
            return chain
        return f"{chain}+{self.inference}"

    @property
    def method(self) -> Method | None:
        """The last training method (the model that answers), if any."""
        return self.training[-1] if self.training else None

    @property
    def parent(self) -> RouteSpec | None:
        """The route whose model this one continues from (``sft`` for ``sft>dpo``)."""
        if len(self.training) < 2:
            return None
        return RouteSpec(training=self.training[:-1])

    @property
    def retrieves(self) -> bool:
        return self.inference in ("rag", "custom_assistant")

    def __str__(self) -> str:
        return self.id


def _invalid(route: str, why: str, **values: str) -> UserInputError:
    """``route`` is not valid for the catalog's reason ``why`` (a ``core.routespec.*`` key)."""
    return UserInputError.from_catalog(
        "core.routespec.invalid",
        hint_key="core.routespec.valid_ids",
        route=repr(route),
        why=messages.Localized(why, values),
        ids=", ".join(ROUTE_IDS),
    )


def _training_part(route: str, part: str) -> tuple[tuple[Method, ...], bool]:
    """``sft>dpo`` or ``sft_short`` -> (chain, short)."""
    short = part.endswith(SHORT)
    steps = part.removesuffix(SHORT).split(">")
    unknown = [s for s in steps if s not in METHODS]
    if unknown:
        raise UserInputError.from_catalog(
            "core.routespec.unknown_in" if unknown[0] != route else "core.routespec.unknown",
            hint_key="core.routespec.valid_ids",
            name=repr(unknown[0]),
            route=repr(route),
            ids=", ".join(ROUTE_IDS),
        )
    chain: tuple[Method, ...] = tuple(steps)  # type: ignore[arg-type]
    if len(chain) > 1 and chain not in CHAINS:
        raise _invalid(route, "core.routespec.chains")
    return chain, short


def parse_route(value: str) -> RouteSpec:
    """One route id -> :class:`RouteSpec`; raises :class:`UserInputError` naming valid ids."""
    route = value.strip()
    parts = [p.strip() for p in route.split("+")]
    if not route or any(not p for p in parts):
        raise _invalid(route, "core.routespec.empty_part")
    training: tuple[Method, ...] = ()
    short = False
    inference: list[str] = []
    for part in parts:
        if part in INFERENCE_IDS:
            inference.append(part)
            continue
        chain, is_short = _training_part(route, part)
        if training:
            raise _invalid(route, "core.routespec.two_trained")
        training, short = chain, is_short
    if len(inference) > 1:
        raise _invalid(route, "core.routespec.two_inference")
    if inference and inference[0] == "system_prompt" and training:
        plain = ">".join(training)
        raise _invalid(route, "core.routespec.tuned_system_prompt", plain=plain)
    if short and inference:
        raise _invalid(route, "core.routespec.short_inference")
    if inference and not training:
        return RouteSpec(inference=inference[0])  # type: ignore[arg-type]
    if short:
        return RouteSpec(training=training, inference="short")
    return RouteSpec(training=training, inference=inference[0] if inference else "system_prompt")  # type: ignore[arg-type]


def parse_routes(value: str | None) -> list[RouteSpec] | str | None:
    """``--routes`` -> specs, a keyword (``"advisor"``), or None (``all`` or unset)."""
    if value is None:
        return None
    keyword = value.strip().lower()
    if keyword in ("all", ""):  # a blank field (the wizard's) means all, as before
        return None
    if keyword == "advisor":
        return "advisor"
    items = [r for r in value.split(",") if r.strip()]
    specs = [parse_route(r) for r in items]
    return list({s.id: s for s in specs}.values())


def combination_spec(routes: list[str]) -> RouteSpec | None:
    """The bench route for an advisor combination (catalog ids, primary first).

    Fine-tuning methods become the training chain (SFT first); retrieval or a
    custom assistant becomes the inference part; a system prompt on top of a
    tuned model is what the tuned route does anyway.
    """
    methods = [m for m in METHODS if m in routes]
    if len(methods) > 1:
        methods = ["sft", methods[-1]] if methods[-1] != "sft" else ["sft"]
    inference = next((r for r in ("custom_assistant", "rag") if r in routes), None)
    if not methods:
        return RouteSpec(inference=inference) if inference else None
    chain = ">".join(methods)
    return parse_route(f"{chain}+{inference}" if inference else chain)


def advisor_route_ids(primary: str, combination: list[str], runner_up: str | None) -> list[str]:
    """``--routes advisor``: the recommendation, its combination, the runner-up, the baseline."""
    specs = [parse_route(primary)]
    combined = combination_spec(combination)
    if combined is not None:
        specs.append(combined)
    if runner_up:
        specs.append(parse_route(runner_up))
    specs.append(RouteSpec())
    return list(dict.fromkeys(s.id for s in specs))
