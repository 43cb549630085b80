"""The report's strings: one data file, English and Japanese (strings.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("en", "ja")


@cache
def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("advisor.decision_report").joinpath("strings.yaml").read_text("utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    return data


class Strings:
    """``t("key", name=value)``: the string in one language, placeholders filled."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: Any) -> str:
        text = catalog()[key][self.lang]
        return text.format(**values) if values else text
