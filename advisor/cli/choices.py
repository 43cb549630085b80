"""Option choices that several commands offer, spelled once (Typer needs an Enum)."""

from __future__ import annotations

from enum import StrEnum


class DeploySku(StrEnum):
    """The deployment types of :data:`backends.deployments.SKUS`."""

    developer = "developer"
    standard = "standard"


class Method(StrEnum):
    """The training methods of :data:`advisor.ids.METHODS`, as a command-line choice."""

    sft = "sft"
    dpo = "dpo"
    rft = "rft"
