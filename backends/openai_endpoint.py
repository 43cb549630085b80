"""Where an OpenAI-shaped API lives: api.openai.com, a compatible server, or Azure OpenAI.

The backend (:class:`backends.openai_backend.OpenAIBackend`) is one class; what
differs between OpenAI, OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LM
Studio) and Azure OpenAI is data held here: the settings section, the key
variable, how models are named and how the SDK client is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.errors import ConfigError
from backends.base import Availability

if TYPE_CHECKING:
    from openai import OpenAI

    from advisor.azure_settings import AzureSettings
    from advisor.section_settings import OpenAISettings
    from advisor.settings import Settings

# Servers such as vLLM or Ollama accept any key; the SDK insists on one.
KEYLESS_PLACEHOLDER = "no-key-required"


@dataclass
class Endpoint:
    """An OpenAI-shaped endpoint: the part of a backend that is configuration, not code."""

    backend: ClassVar[str]
    description: ClassVar[str]
    description_ja: ClassVar[str]
    key_variable: ClassVar[str]
    #: Azure imports uploads before fine-tuning may use them; OpenAI needs no wait.
    waits_for_file_import: ClassVar[bool] = False
    supports_moderation: ClassVar[bool] = True

    section: OpenAISettings | AzureSettings

    @classmethod
    def of(cls, settings: Settings) -> Endpoint:
        """The endpoint as ``settings`` configure it."""
        raise NotImplementedError

    @property
    def api_key(self) -> str | None:
        key = self.section.api_key
        return key.get_secret_value() if key else None

    @property
    def label(self) -> str:
        """How messages name the server."""
        raise NotImplementedError

    @property
    def compatible_server(self) -> bool:
        """True for a non-OpenAI server (it understands only older request fields)."""
        return False

    def availability(self) -> Availability:
        raise NotImplementedError

    def default_model(self) -> str | None:
        raise NotImplementedError

    def default_embedding_model(self) -> str | None:
        raise NotImplementedError

    def resolve_model(self, model: str | None) -> str:
        raise NotImplementedError

    def resolve_embedding_model(self, model: str | None) -> str:
        raise NotImplementedError

    def build_client(self, http_client: Any) -> OpenAI:
        raise NotImplementedError


@dataclass
class OpenAIEndpoint(Endpoint):
    """api.openai.com, or any OpenAI-compatible server at ``openai.base_url``."""

    backend: ClassVar[str] = "openai"
    description: ClassVar[str] = "OpenAI API, or any OpenAI-compatible server via openai.base_url."
    description_ja: ClassVar[str] = (
        "OpenAI API、または openai.base_url で指定する OpenAI 互換サーバー。"
    )
    key_variable: ClassVar[str] = "OPENAI_API_KEY"

    section: OpenAISettings

    @classmethod
    def of(cls, settings: Settings) -> OpenAIEndpoint:
        return cls(settings.openai)

    @property
    def label(self) -> str:
        return self.section.base_url or "api.openai.com"

    @property
    def compatible_server(self) -> bool:
        return bool(self.section.base_url)

    def availability(self) -> Availability:
        if self.api_key or self.section.base_url:
            return Availability(usable=True)
        return Availability.unusable("core.backend.no_openai_key")

    def default_model(self) -> str | None:
        return self.section.chat_model

    def default_embedding_model(self) -> str | None:
        return self.section.embedding_model

    def resolve_model(self, model: str | None) -> str:
        return model or self.section.chat_model

    def resolve_embedding_model(self, model: str | None) -> str:
        return model or self.section.embedding_model

    def build_client(self, http_client: Any) -> OpenAI:
        import openai

        cfg = self.section
        return openai.OpenAI(
            api_key=self.api_key or KEYLESS_PLACEHOLDER,
            base_url=cfg.base_url,
            organization=cfg.organization,
            project=cfg.project,
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            http_client=http_client,
        )


@dataclass
class AzureEndpoint(Endpoint):
    """An Azure OpenAI resource; models are deployment names."""

    backend: ClassVar[str] = "azure"
    description: ClassVar[str] = (
        "Azure OpenAI (deployments as models) through the SDK's AzureOpenAI client."
    )
    description_ja: ClassVar[str] = (
        "SDK の AzureOpenAI クライアントを通した Azure OpenAI（デプロイをモデルとして使います）。"
    )
    key_variable: ClassVar[str] = "AZURE_OPENAI_API_KEY"
    waits_for_file_import: ClassVar[bool] = True
    supports_moderation: ClassVar[bool] = False  # Azure filters content itself

    section: AzureSettings

    @classmethod
    def of(cls, settings: Settings) -> AzureEndpoint:
        return cls(settings.azure)

    @property
    def label(self) -> str:
        return self.section.endpoint or "Azure OpenAI"

    def availability(self) -> Availability:
        if not self.api_key:
            return Availability.unusable("core.backend.no_azure_key")
        if not self.section.endpoint:
            return Availability.unusable("core.backend.no_azure_endpoint")
        return Availability(usable=True)

    def default_model(self) -> str | None:
        # Azure addresses models by deployment; empty until one is configured.
        return self.section.deployment or ""

    def default_embedding_model(self) -> str | None:
        return self.section.embedding_deployment

    def resolve_model(self, model: str | None) -> str:
        name = model or self.section.deployment
        if not name:
            raise ConfigError.from_catalog(
                "core.azure.no_deployment", hint_key="core.azure.no_deployment_hint"
            )
        return name

    def resolve_embedding_model(self, model: str | None) -> str:
        name = model or self.section.embedding_deployment
        if not name:
            raise ConfigError.from_catalog(
                "core.azure.no_embedding_deployment",
                hint_key="core.azure.no_embedding_deployment_hint",
            )
        return name

    def build_client(self, http_client: Any) -> OpenAI:
        import openai

        cfg = self.section
        return openai.AzureOpenAI(
            api_key=self.api_key,
            azure_endpoint=cfg.endpoint or "",
            api_version=cfg.api_version,
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            http_client=http_client,
        )
