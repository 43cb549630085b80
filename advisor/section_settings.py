"""The sections of the settings: ``[openai]``, ``[fake]``, ``[chroma]``, ``[graders]``,
and a plugin backend's ``[name]``, typed by the model its backend declares.

They live apart from :mod:`advisor.settings` only to keep that module short (as
:mod:`advisor.azure_settings` and :mod:`advisor.local_settings` do);
:class:`~advisor.settings.Settings` holds each under its section's name, so they
read as ``[chroma] retrieval = "dense"`` or ``ADVISOR_CHROMA__RETRIEVAL=dense``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError


class OpenAISettings(BaseModel):
    """The ``openai`` backend, and any OpenAI-compatible server through ``base_url``."""

    api_key: SecretStr | None = Field(
        default=None,
        description="Read from OPENAI_API_KEY only; never stored.",
        exclude=True,
    )
    base_url: str | None = Field(
        default=None,
        description=(
            "Endpoint of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio), "
            "e.g. http://localhost:11434/v1. Unset means api.openai.com."
        ),
    )
    organization: str | None = Field(default=None, description="OpenAI organization id.")
    project: str | None = Field(default=None, description="OpenAI project id.")
    chat_model: str = Field(default="gpt-4.1-mini", description="Default chat model.")
    embedding_model: str = Field(
        default="text-embedding-3-small", description="Default embedding model."
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Timeout of every API call.")
    max_retries: int = Field(
        default=3, ge=0, description="SDK retries with backoff on 429, 5xx and connection errors."
    )
    concurrency: int = Field(
        default=4, ge=1, description="Conversations in flight at once in batch chat (benchmarks)."
    )


class FakeSettings(BaseModel):
    """The ``fake`` backend: deterministic, for tests and docs."""

    replies: list[str] = Field(
        default_factory=list,
        description=(
            "Replies returned in order; when they run out the backend echoes the last "
            'user message. Set as JSON: ADVISOR_FAKE__REPLIES=\'["a", "b"]\'.'
        ),
    )
    dimensions: int = Field(default=64, ge=8, description="Size of the fake embedding vectors.")


class ChromaSettings(BaseModel):
    """Where knowledge bases live."""

    url: str | None = Field(
        default=None,
        description=(
            "URL of a Chroma server (chroma run --path DIR --port P), e.g. "
            "http://127.0.0.1:8000. Unset means embedded Chroma under the data directory."
        ),
    )
    embedding_backend: str = Field(
        default="local",
        description=(
            "Backend that embeds chunks and questions: local (embedded MiniLM), openai, "
            "azure or fake. A knowledge base records it and refuses queries with another."
        ),
    )
    embedding_model: str | None = Field(
        default=None,
        description="Embedding model of that backend; unset uses the backend's default.",
    )
    quantize: bool = Field(
        default=False,
        description=(
            "Embed with an int8 copy of the local model (CPU; faster, vectors differ "
            "slightly, so the knowledge base records it as another model)."
        ),
    )
    chunk_tokens: int = Field(
        default=200, ge=16, le=2000, description="Target chunk size in (WordPiece) tokens."
    )
    chunk_overlap: int = Field(
        default=40,
        ge=0,
        le=500,
        description="Tokens of trailing sentences repeated in the next chunk.",
    )
    retrieval: Literal["dense", "lexical", "hybrid"] = Field(
        default="hybrid",
        description=(
            "How chunks are found: dense (embedding similarity), lexical (BM25 over words, "
            "Japanese included) or hybrid (both, fused by reciprocal rank)."
        ),
    )
    lexical_tokenizer: Literal["bigram", "mecab", "sudachi"] = Field(
        default="sudachi",
        description=(
            "How the lexical index splits Japanese into words: sudachi (character pairs plus "
            "Sudachi's normalized words and synonym ids), bigram (character pairs only, no "
            "dictionary) or mecab (fugashi with unidic-lite: pip install 'advisor[ja]')."
        ),
    )


class GraderSettings(BaseModel):
    """Graders shared by benchmarks and RFT."""

    allow_unsandboxed: bool = Field(
        default=False,
        description=(
            "Run python (code) graders without the bubblewrap sandbox where it is "
            "unavailable. Only for code you trust: it then runs as you, with your files "
            "and network (docs/security.md)."
        ),
    )


class SettingsProblem(ValueError):
    """A settings check's sentence for pydantic (which wants a ValueError), from the
    catalog: :func:`~advisor.settings.load_settings` quotes it in the reader's language."""

    def __init__(self, key: str, **values: Any) -> None:
        from advisor import messages

        self.key, self.values = key, values
        super().__init__(messages.text(key, "en", **values))

    def localized(self, lang: str) -> str:
        from advisor import messages

        return messages.text(self.key, lang, **self.values)


def declared_model(backend: str) -> type[BaseModel] | None:
    """The settings model a registered backend declares (``settings_model``), if any."""
    from advisor import plugins
    from advisor.errors import AdvisorError

    if backend not in plugins.installed():
        return None
    try:
        model = getattr(plugins.load(backend), "settings_model", None)
    except AdvisorError:
        return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def plugin_section(name: str, value: Any) -> BaseModel:
    """``[name]`` validated by the model of the backend called ``name``; else a clear refusal."""
    from advisor import plugins
    from advisor.errors import first_worded

    if name not in plugins.installed():
        raise SettingsProblem("core.settings.unknown_section", name=repr(name))
    model = declared_model(name)
    if model is None:
        raise SettingsProblem("core.settings.no_settings_model", name=name)
    if isinstance(value, model):
        return value
    if not isinstance(value, dict):
        raise SettingsProblem("core.settings.not_a_table", name=name)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        loc, problem = first_worded(exc)
        where = ".".join(p for p in (name, loc) if p)
        raise SettingsProblem("core.settings.plugin_invalid", where=where, error=problem) from None
