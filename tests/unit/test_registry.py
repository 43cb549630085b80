from __future__ import annotations

import pytest

from advisor.errors import BackendNotFoundError
from advisor.registry import backend_for_model, backend_names, get_backend


def test_builtin_backends_register_through_entry_points():
    assert {"local", "openai", "azure", "fake"} <= set(backend_names())


def test_unknown_backend_lists_the_installed_ones(settings):
    with pytest.raises(BackendNotFoundError) as info:
        get_backend("nope", settings)
    assert "fake" in str(info.value) and "local" in str(info.value)


def test_model_ids_imply_their_backend(settings):
    assert backend_for_model("local:ft:smollm2:demo:ftjob-1", settings) == "local"
    assert backend_for_model("ft:gpt-4.1-mini:org::abc", settings) == "openai"
    assert backend_for_model("gpt-4.1-mini", settings) is None


def test_construction_is_cheap_and_offline(settings):
    for name in backend_names():
        backend = get_backend(name, settings)
        assert backend.name == name
        assert backend.availability().usable in (True, False)
