"""Settings: environment (``ADVISOR_`` prefix, ``__`` for nesting) over ``advisor.toml``.

Sources, strongest first:

1. keyword arguments (tests, the TUI's settings screen),
2. environment variables, e.g. ``ADVISOR_DATA_DIR`` or ``ADVISOR_OPENAI__BASE_URL``,
3. ``advisor.toml`` in the working directory,
4. ``advisor.toml`` in the user config directory,
5. the defaults below.

API keys are read only from the environment (``OPENAI_API_KEY``,
``AZURE_OPENAI_API_KEY``); they are held as :class:`~pydantic.SecretStr`, never
written anywhere, and masked by :meth:`Settings.public_dump`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import platformdirs
from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from advisor.azure_settings import AzureSettings
from advisor.local_settings import LocalSettings
from advisor.section_settings import (
    ChromaSettings,
    FakeSettings,
    GraderSettings,
    OpenAISettings,
    SettingsProblem,
    declared_model,
    plugin_section,
)

if TYPE_CHECKING:
    from advisor.messages import Worded

APP_NAME = "advisor"
CONFIG_FILE_NAME = "advisor.toml"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


class Settings(BaseSettings):
    """Every setting of the product; see ``advisor config show`` for the effective values."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_nested_delimiter="__",
        # Sections of plugin backends arrive as extras; _backend_sections types them
        # with the model their backend declares and refuses anything else.
        extra="allow",
        validate_default=True,
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description=(
            "All state: knowledge-base indexes, the job store, generation caches, trained "
            "adapters, assistant profiles. One variable moves or isolates everything."
        ),
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description=(
            "Rebuildable files: the embedded chat model converted from GGUF to safetensors. "
            "Safe to delete. Unset while data_dir is set: <data_dir>/cache, so that one "
            "variable moves everything."
        ),
    )
    backend: str = Field(default="local", description="Backend used when --backend is not given.")
    language: Literal["en", "ja"] = Field(default="en", description="Language of the advisor.")
    offline: bool = Field(
        default=True,
        description=(
            "Keep Hugging Face libraries offline (HF_HUB_OFFLINE). Turn off only to use "
            "hub model ids on a machine that reaches the hub."
        ),
    )
    local: LocalSettings = Field(default_factory=LocalSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    azure: AzureSettings = Field(default_factory=AzureSettings)
    fake: FakeSettings = Field(default_factory=FakeSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    graders: GraderSettings = Field(default_factory=GraderSettings)

    @field_validator("data_dir", "cache_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        value = value.expanduser()
        if value.exists() and not value.is_dir():
            # Caught here, not as a traceback from the first mkdir under it.
            raise SettingsProblem("core.settings.file_not_folder", path=value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _plugin_environment(cls, data: Any) -> Any:
        """``ADVISOR_<BACKEND>__<FIELD>`` for plugin backends, as for the built-in ones."""
        from advisor import plugins

        if not isinstance(data, dict):
            return data
        for backend in plugins.installed():
            if backend in cls.model_fields:
                continue  # built-in sections: pydantic-settings reads their variables
            prefix = f"ADVISOR_{backend.upper()}__"
            found = {
                k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)
            }
            if found:
                section = data.get(backend)
                data[backend] = {**(section if isinstance(section, dict) else {}), **found}
        return data

    @model_validator(mode="after")
    def _backend_sections(self) -> Settings:
        for name, value in (self.__pydantic_extra__ or {}).items():
            self.__pydantic_extra__[name] = plugin_section(name, value)  # type: ignore[index]
        return self

    def section(self, backend: str) -> BaseModel | None:
        """The typed settings of ``backend`` (its ``[backend]`` section), or None."""
        if backend in type(self).model_fields:
            value = getattr(self, backend)
            return value if isinstance(value, BaseModel) else None
        extra = (self.__pydantic_extra__ or {}).get(backend)
        if extra is None:
            model = declared_model(backend)
            return model() if model is not None else None
        return extra if isinstance(extra, BaseModel) else None

    @model_validator(mode="after")
    def _keys_from_environment(self) -> Settings:
        # Keys come from the vendors' usual variables, never from a file.
        if self.openai.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.openai.api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        if self.azure.api_key is None and os.environ.get("AZURE_OPENAI_API_KEY"):
            self.azure.api_key = SecretStr(os.environ["AZURE_OPENAI_API_KEY"])
        if self.azure.endpoint is None and os.environ.get("AZURE_OPENAI_ENDPOINT"):
            self.azure.endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]
        if self.openai.base_url is None and os.environ.get("OPENAI_BASE_URL"):
            self.openai.base_url = os.environ["OPENAI_BASE_URL"]
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _KeylessToml(settings_cls, config_files()),
        )

    # --- derived locations: one place decides where each kind of state lives ---

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def adapters_dir(self) -> Path:
        return self.data_dir / "adapters"

    @property
    def jobs_db(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def knowledge_dir(self) -> Path:
        return self.data_dir / "knowledge"

    @property
    def assistants_dir(self) -> Path:
        return self.data_dir / "assistants"

    @property
    def generation_cache_db(self) -> Path:
        return self.data_dir / "generation-cache.sqlite3"

    def public_dump(self) -> dict[str, Any]:
        """The effective settings as plain data, with secrets masked."""
        data = self.model_dump(mode="json")
        data["openai"]["api_key"] = _mask(self.openai.api_key)
        data["azure"]["api_key"] = _mask(self.azure.api_key)
        data["config_files"] = [str(p) for p in config_files() if p.is_file()]
        return data


class _Quoted(NamedTuple):
    """pydantic's words for a problem (English, as printed before); a settings check's
    own sentence in the reader's language when it is one."""

    english: str
    problem: SettingsProblem | None

    def __str__(self) -> str:
        return self.english

    def localized(self, lang: str) -> str:
        return self.english if self.problem is None else self.problem.localized(lang)


def _problem(first: Any, english: str) -> _Quoted | Worded:
    """A settings check's own sentence, else pydantic's English with the catalog's Japanese
    for it (pydantic words its problems in English only)."""
    from advisor.errors import pydantic_problem
    from advisor.messages import Worded

    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, SettingsProblem):
        return _Quoted(english, cause)
    return Worded(english, pydantic_problem(first).ja)


def _mask(secret: SecretStr | None) -> str | None:
    if secret is None:
        return None
    value = secret.get_secret_value()
    return "****" + value[-4:] if len(value) > 12 else "****"


def config_files() -> list[Path]:
    """``advisor.toml`` candidates, strongest first: working directory, then user config."""
    return [
        Path.cwd() / CONFIG_FILE_NAME,
        Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME,
    ]


class _KeylessToml(TomlConfigSettingsSource):
    """A TOML source that refuses API keys, so that secrets never live on disk."""

    def __init__(self, settings_cls: type[BaseSettings], files: list[Path]) -> None:
        # pydantic-settings merges later files over earlier ones; we want the
        # working directory to win, so it goes last.
        super().__init__(settings_cls, toml_file=list(reversed(files)))

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        for section, key in (("openai", "api_key"), ("azure", "api_key"), ("azure", "arm_token")):
            if isinstance(data.get(section), dict) and key in data[section]:
                from advisor.errors import ConfigError

                raise ConfigError.from_catalog(
                    "core.settings.secret_in_file",
                    hint_key="core.settings.secret_in_file_hint",
                    file=CONFIG_FILE_NAME,
                    section=section,
                    setting=key,
                )
        return data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation errors into one clear :class:`ConfigError`."""
    from advisor.errors import ConfigError

    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a whole-settings check: a backend's section, an unknown one
            detail = str(first["msg"]).removeprefix("Value error, ")
            raise ConfigError.from_catalog(
                "core.settings.invalid",
                hint_key="core.settings.invalid_hint",
                error=_problem(first, detail),
                file=CONFIG_FILE_NAME,
            ) from exc
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        env = "ADVISOR_" + "__".join(str(p) for p in first["loc"]).upper()
        raise ConfigError.from_catalog(
            "core.settings.invalid_setting",
            hint_key="core.settings.invalid_setting_hint",
            where=where,
            error=_problem(first, first["msg"]),
            env=env,
            file=CONFIG_FILE_NAME,
        ) from exc
    except ValueError as exc:  # malformed TOML
        raise ConfigError.from_catalog(
            "core.settings.unreadable", file=CONFIG_FILE_NAME, error=exc
        ) from exc
    _cache_follows_data_dir(settings, overrides)
    return settings


def _cache_follows_data_dir(settings: Settings, overrides: dict[str, Any]) -> None:
    """A data directory set by the user (environment, advisor.toml) holds the cache too.

    ``ADVISOR_DATA_DIR`` is documented as moving all state: the 517 MB converted
    model must not stay behind in ``~/.cache/advisor`` (issue 19). An explicit
    cache directory wins; a data directory passed as a keyword (tests and
    benchmarks isolating their state in a temporary folder) keeps the shared
    cache, so that they do not convert the model again.
    """
    chosen = settings.model_fields_set
    if "data_dir" in chosen and "data_dir" not in overrides and "cache_dir" not in chosen:
        settings.cache_dir = settings.data_dir / "cache"
