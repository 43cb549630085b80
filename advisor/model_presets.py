"""The catalog of local chat model presets (``advisor/models.yaml``).

A preset is a chat model shipped inside a PyPI package as a GGUF file, with
what a user must know before choosing it: languages, licence, size.  The
setting ``local.model`` names a preset by its id; any other value is a local
folder or a hub id.  Conversion and loading live in :mod:`advisor.embedded`.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import ConfigError

CATALOG_FILE = "models.yaml"


class ModelPreset(BaseModel):
    """One entry of ``models.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    languages: list[str] = Field(min_length=1, description="ISO 639-1 codes, e.g. en, ja.")
    instruction_tuned: bool
    licence: str
    licence_url: str
    terms: str | None = Field(
        default=None, description="Shown once before first use; null when none is needed."
    )
    size_mb: int = Field(gt=0, description="Download size of the GGUF package(s).")
    package: str = Field(description="The pip name of the package that ships the GGUF.")
    module: str = Field(description="Its import name (found without executing it).")
    gguf_file: str
    assembled: bool = Field(
        default=False, description="The GGUF comes in chunk packages joined by assemble()."
    )
    chat_template: str | None = Field(
        default=None, description="Jinja chat template; null keeps the tokenizer's own."
    )
    stop_tokens: list[str] = Field(
        default_factory=list, description="Extra tokens that end generation."
    )
    notes: str = ""

    @model_validator(mode="after")
    def _base_models_need_a_template(self) -> ModelPreset:
        # A base model's tokenizer has no chat template: chat and SFT would fail.
        if not self.instruction_tuned and not self.chat_template:
            raise ValueError(f"preset {self.id}: a base model needs a chat_template")
        return self

    def summary(self) -> dict[str, object]:
        """What ``advisor backends list --format json`` shows for it."""
        return self.model_dump(
            include={
                "id",
                "name",
                "languages",
                "licence",
                "licence_url",
                "size_mb",
                "instruction_tuned",
                "package",
                "notes",
            }
        )


class ModelCatalog(BaseModel):
    """The whole ``models.yaml``."""

    model_config = ConfigDict(extra="forbid")

    presets: list[ModelPreset] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ModelCatalog:
        ids = [p.id for p in self.presets]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate preset ids in {ids}")
        return self

    def get(self, preset_id: str) -> ModelPreset | None:
        return next((p for p in self.presets if p.id == preset_id), None)


def parse_catalog(text: str, source: str = CATALOG_FILE) -> ModelCatalog:
    """A catalog from YAML text; a ConfigError names the file and the problem."""
    import yaml  # here: a warm `advisor chat` never reads the catalog

    try:
        return ModelCatalog.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0:3]
        raise ConfigError.from_catalog(
            "core.presets.invalid_catalog",
            hint_key="core.presets.invalid_catalog_hint",
            source=source,
            error=" ".join(first),
        ) from exc


@functools.cache
def catalog() -> ModelCatalog:
    """The shipped catalog (read once per process)."""
    text = files("advisor").joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    return parse_catalog(text)


def find_preset(model: str) -> ModelPreset | None:
    """The preset a ``local.model`` value names, or None for folders and hub ids."""
    return catalog().get(model)
