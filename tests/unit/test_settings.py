from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import ConfigError
from advisor.settings import load_settings


def test_defaults_use_the_embedded_models(settings):
    assert settings.backend == "local"
    assert settings.local.model == "smollm2-135m-instruct"
    assert settings.local.embedding_model == "all-MiniLM-L6-v2"
    assert settings.offline is True


def test_data_dir_moves_all_state(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "elsewhere"))
    s = load_settings()
    for path in (
        s.jobs_db,
        s.adapters_dir,
        s.knowledge_dir,
        s.assistants_dir,
        s.generation_cache_db,
    ):
        assert path.is_relative_to(tmp_path / "elsewhere")


def test_nested_environment_variables(monkeypatch):
    monkeypatch.setenv("ADVISOR_OPENAI__BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("ADVISOR_LOCAL__MAX_NEW_TOKENS", "32")
    s = load_settings()
    assert s.openai.base_url == "http://127.0.0.1:11434/v1"
    assert s.local.max_new_tokens == 32


def test_toml_in_working_directory_is_read_and_environment_wins(monkeypatch, tmp_path):
    Path("advisor.toml").write_text('backend = "fake"\n[local]\nmax_new_tokens = 12\n')
    assert load_settings().backend == "fake"
    assert load_settings().local.max_new_tokens == 12
    monkeypatch.setenv("ADVISOR_BACKEND", "openai")
    assert load_settings().backend == "openai"


def test_api_key_in_toml_is_refused():
    Path("advisor.toml").write_text('[openai]\napi_key = "sk-secret"\n')
    with pytest.raises(ConfigError, match="environment variable"):
        load_settings()


def test_api_key_comes_from_environment_and_is_masked(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890abcdef")
    s = load_settings()
    assert s.openai.api_key is not None
    dump = s.public_dump()
    assert dump["openai"]["api_key"] == "****cdef"
    assert "sk-test" not in str(dump)
    assert "sk-test" not in s.model_dump_json()


def test_invalid_value_is_one_clear_config_error(monkeypatch):
    monkeypatch.setenv("ADVISOR_LOCAL__MAX_NEW_TOKENS", "many")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "local.max_new_tokens" in str(info.value)
    assert "ADVISOR_LOCAL__MAX_NEW_TOKENS" in str(info.value)


def test_every_field_is_documented():
    from pydantic import BaseModel

    from advisor.settings import Settings

    def walk(model: type[BaseModel], prefix: str = "") -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                missing += walk(annotation, f"{prefix}{name}.")
            elif not field.description:
                missing.append(prefix + name)
        return missing

    assert walk(Settings) == []


def test_data_dir_moves_the_cache_too(isolated_state, monkeypatch, tmp_path) -> None:
    # Issue 19: ADVISOR_DATA_DIR left the 517 MB converted model in ~/.cache/advisor.
    monkeypatch.delenv("ADVISOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "state"))
    settings = load_settings()
    assert settings.cache_dir == tmp_path / "state" / "cache"
    assert settings.models_dir == tmp_path / "state" / "cache" / "models"


def test_an_explicit_cache_dir_wins(isolated_state, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "models-cache"))
    assert load_settings().cache_dir == tmp_path / "models-cache"


def test_without_data_dir_the_cache_stays_in_the_user_cache(isolated_state, monkeypatch) -> None:
    monkeypatch.delenv("ADVISOR_DATA_DIR", raising=False)
    monkeypatch.delenv("ADVISOR_CACHE_DIR", raising=False)
    settings = load_settings()
    assert settings.cache_dir.name == "advisor"
    assert settings.cache_dir != settings.data_dir / "cache"


def test_a_data_dir_passed_as_keyword_keeps_the_shared_cache(isolated_state, tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path / "bench")
    assert settings.cache_dir != tmp_path / "bench" / "cache"
