"""Answering through a LoRA adapter is measured by the local backend's own load path."""

from __future__ import annotations

import pytest

from advisor.app.calibration import measure_generation
from advisor.registry import get_backend
from backends.local import backend as local_backend

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]


def test_the_adapter_figure_is_measured_through_a_peft_model(settings) -> None:
    settings = settings.model_copy(
        update={"local": settings.local.model_copy(update={"batch_size": 4})}
    )
    backend = get_backend("local", settings)
    rate = measure_generation(backend, settings.local.model, settings)
    adapter = rate.adapter
    assert adapter is not None and adapter.lora_r == 16  # the trainer's default rank
    assert adapter.tokens_per_second is not None and adapter.tokens_per_second > 0
    assert adapter.prompt_tokens_per_second is not None and adapter.prompt_tokens_per_second > 0
    assert adapter.setup_seconds is not None and adapter.setup_seconds > 0
    # Loaded as a job's adapter is (LocalBackend.load -> PeftModel.from_pretrained) ...
    from peft import PeftModel

    lent = [
        loaded
        for key, loaded in local_backend._models.items()
        if key.adapter_dir is not None and "calibration-" in key.adapter_dir
    ]
    assert lent and isinstance(lent[0].model, PeftModel)
    # ... and removed afterwards: no adapter of the calibration's is left behind.
    assert not list(settings.adapters_dir.glob("calibration-*"))
