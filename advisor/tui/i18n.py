"""The wizard's own labels in the session's language (F3), from ``strings.yaml``.

A small catalog keyed by the English text, so a label missing from it simply
stays English.  Footer keys are translated by rewriting the descriptions of a
screen's (and the app's) bindings; each node keeps its English originals, so
switching back and forth never compounds.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


class _UniqueKeys(yaml.SafeLoader):
    """YAML whose mappings refuse a key given twice: PyYAML keeps the later value
    silently, so one screen's label changed another's ("route" was ルート, then 手法)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading the wizard's strings",
                    node.start_mark,
                    f"the key {key!r} is given twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_strings(text: str) -> dict[str, dict[str, str]]:
    """The catalog in ``text`` (language -> English -> words); a key given twice is an error.

    Raises:
        yaml.YAMLError: bad YAML, or a key given twice in one mapping.
    """
    data: dict[str, dict[str, str]] = yaml.load(text, Loader=_UniqueKeys)
    return data


@cache
def _catalog() -> dict[str, dict[str, str]]:
    return load_strings(files("advisor.tui").joinpath("strings.yaml").read_text(encoding="utf-8"))


def tr(text: str, lang: str) -> str:
    """``text`` in ``lang``; English, or a text the catalog lacks, comes back unchanged."""
    if lang == "en":
        return text
    return _catalog().get(lang, {}).get(text, text)


def item(text: str, lang: str, mark: str = "•") -> str:
    """One line of a list.  A Japanese sentence has no space to wrap at: after "• " it went
    whole to the next line, leaving the bullet alone; joined to its mark it wraps beside it."""
    if lang == "ja":
        return ("・" if mark == "•" else mark) + text
    return f"{mark} {text}"


def translate_bindings(node: Any, lang: str) -> None:
    """Rewrite the footer descriptions of ``node``'s bindings (a screen or the app)."""
    key_to_bindings = node._bindings.key_to_bindings
    originals = node.__dict__.setdefault(
        "_english_bindings", {key: list(bindings) for key, bindings in key_to_bindings.items()}
    )
    for key, bindings in originals.items():
        key_to_bindings[key] = [replace(b, description=tr(b.description, lang)) for b in bindings]


@cache
def _english_of() -> dict[str, str]:
    """Each translation back to its English key (a widget's text in any language)."""
    return {ja: en for en, ja in _catalog().get("ja", {}).items()}


def retr(text: str, lang: str) -> str:
    """``text`` (English or already translated) in ``lang``."""
    return tr(_english_of().get(text, text), lang)


def retranslate_widgets(node: Any, lang: str) -> None:
    """F3 on a screen that is already drawn: its buttons, labels, placeholders, selects,
    table headers, tab titles and the Statics of class ``retr`` (a hint or a field's name)
    follow the language (texts the catalog lacks are left alone)."""
    from textual.widgets import Button, DataTable, Input, Label, Select, Tab

    for button in node.query(Button):
        label = retr(str(button.label), lang)
        if label != str(button.label):
            button.label = label
            button.refresh(layout=True)  # a longer label needs a wider button
    for label in node.query(Label):
        label.update(retr(str(label.content), lang))
    for static in node.query(".retr"):  # hints that stay until the screen's work replaces them
        text = str(static.content)
        if retr(text, lang) != text:
            static.update(retr(text, lang))
    for tab in node.query(Tab):  # a TabbedContent's titles
        title = retr(tab.label.plain, lang)
        if title != tab.label.plain:
            tab.label = title
    for box in node.query(Input):
        box.placeholder = retr(box.placeholder, lang)
    for select in node.query(Select):
        _retranslate_prompt(select, lang)
        old = [(str(prompt), value) for prompt, value in select._options if value != select.NULL]
        new = [(retr(prompt, lang), value) for prompt, value in old]
        if new != old:
            relabel_select(select, new)
    for table in node.query(DataTable):
        for column in table.columns.values():
            column.label = type(column.label)(retr(str(column.label), lang))
        table.refresh()


def relabel_select(select: Any, options: list[tuple[str, Any]]) -> None:
    """New labels for a Select's options, its choice kept and no Changed posted.

    ``set_options`` picks the first option; when that was the choice already, the value
    does not change and the box went on showing the old label: it is redrawn here.
    """
    from textual.widgets import Select
    from textual.widgets._select import SelectCurrent

    value = select.value
    with select.prevent(Select.Changed):
        select.set_options(options)
        select.value = value
    shown = next((prompt for prompt, v in options if v == value), None)
    if shown is not None:
        select.query_one(SelectCurrent).update(shown)


def _retranslate_prompt(select: Any, lang: str) -> None:
    """A Select's prompt (shown while nothing is picked): Textual reads it only when composing."""
    from textual.widgets._select import SelectCurrent

    prompt = retr(select.prompt, lang)
    if prompt == select.prompt:
        return
    select.prompt = prompt
    current = select.query_one(SelectCurrent)
    current.placeholder = prompt
    current.update(current.label)
