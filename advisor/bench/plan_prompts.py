"""How many prompt tokens each bench route sends per request, before anything runs.

The bench plan times a route's answers as prompt tokens over the calibrated
prefill rate plus answer tokens over the decode rate; on a CPU the prompt is
far from free (a RAG prompt of five retrieved chunks is ten times a system
prompt).  The prompt is built by the routes' own code: the system-prompt
route's conversation (with the few-shot route's chosen examples, or the
``_short`` routes' minimal prompt) and the RAG prompt of
:func:`advisor.rag.prompt.build_messages`.  Only which chunks retrieval would
pick is unknown without an index, so every question gets ``k`` chunks of the
scenario's own documents, cut by the indexing chunker, taken in turn: over the
test set that is the mean chunk.  Tokens are counted as everywhere in the
core, by :func:`advisor.routes.context.estimate_tokens` (no tokenizer), and
the chat template's few tokens per message are not counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.routes.context import estimate_tokens

if TYPE_CHECKING:
    from advisor.bench.routespec import RouteSpec
    from advisor.bench.scenario import Scenario
    from advisor.rag.models import Hit
    from advisor.routes.few_shot import Example
    from advisor.settings import Settings
    from backends.base import Backend
    from backends.types import ChatMessage


def message_tokens(messages: list[ChatMessage]) -> int:
    return sum(estimate_tokens(m.content or "") for m in messages)


def knowledge_chunks(scenario: Scenario, settings: Settings) -> list[Hit]:
    """The scenario's documents as the index would hold them (as retrieval hits).

    The indexing chunker needs only the ``tokenizers`` WordPiece vocabulary, no
    model; a document it cannot load is left out, as indexing leaves it out.
    """
    from advisor.rag.chunking import Chunker
    from advisor.rag.loaders import LoadError, load
    from advisor.rag.models import Hit

    chunker = Chunker(settings.chroma.chunk_tokens, settings.chroma.chunk_overlap)
    hits: list[Hit] = []
    for path in scenario.knowledge_files():
        try:
            document = load(path)
        except LoadError:
            continue
        for n, chunk in enumerate(chunker.chunk(document)):
            metadata = {"file_name": path.name, "heading": chunk.heading, "page": chunk.page}
            hits.append(
                Hit(
                    source=str(path),
                    chunk_id=f"{path.name}:{n}",
                    distance=0.0,
                    text=chunk.text,
                    metadata=metadata,
                )
            )
    return hits


class PromptSizer:
    """Mean prompt tokens per request of any route of one scenario (chunks built once)."""

    def __init__(
        self,
        scenario: Scenario,
        backend: Backend,
        model: str,
        settings: Settings,
        questions: list[str],
        max_tokens: int | None,
    ) -> None:
        self.scenario = scenario
        self.backend = backend
        self.model = model
        self.settings = settings
        self.questions = questions or [""]
        self.max_tokens = max_tokens
        self._chunks: list[Hit] | None = None

    def tokens(self, spec: RouteSpec) -> float:
        """Mean estimated prompt tokens of ``spec``'s requests (see the module doc)."""
        from advisor.bench.prepare_routes import few_shot_examples, minimal_prompt
        from advisor.routes.assistant import AssistantProfile
        from advisor.routes.rag import DEFAULT_K
        from advisor.routes.system_prompt import SystemPromptRoute

        instructions = self.scenario.system_prompt
        knowledge = bool(self.scenario.knowledge_files())
        if spec.inference == "rag" and knowledge:
            return self._retrieving(DEFAULT_K)
        if spec.inference == "custom_assistant" and knowledge:
            return self._retrieving(AssistantProfile.model_fields["k"].default)
        examples: list[Example] = []
        if spec.inference == "short":
            instructions = minimal_prompt(instructions)
        elif spec.inference == "few_shot":
            examples = few_shot_examples(self.scenario, self.backend, self.model, self.max_tokens)
        route = SystemPromptRoute(self.backend, self.model, instructions)
        sizes = [message_tokens(route.messages_with(q, examples)) for q in self.questions]
        return sum(sizes) / len(sizes)

    def _retrieving(self, k: int) -> float:
        from advisor.rag.prompt import build_messages
        from advisor.routes.system_prompt import read_instructions

        if self._chunks is None:
            self._chunks = knowledge_chunks(self.scenario, self.settings)
        chunks = self._chunks
        instructions = read_instructions(self.scenario.system_prompt) or None
        sizes = []
        for n, question in enumerate(self.questions):
            taken = min(k, len(chunks))  # retrieval returns at most what the index holds
            hits = [chunks[(n * taken + i) % len(chunks)] for i in range(taken)]
            sizes.append(message_tokens(build_messages(question, hits, instructions)))
        return sum(sizes) / len(sizes)
