"""``auto`` hyperparameters follow OpenAI's documented rules."""

from __future__ import annotations

import pytest

from backends.jobs import Hyperparameters
from backends.local.hyperparams import (
    LORA_BASE_LR,
    auto_batch_size,
    auto_epochs,
    auto_lr_multiplier,
    resolve,
)


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [
        (10, 10),
        (20, 5),
        (34, 3),
        (60, 3),
        (1000, 3),
        (8333, 3),
        (8334, 2),
        (10_000, 2),
        (30_000, 1),
        (2, 25),
    ],
)
def test_auto_epochs(examples: int, epochs: int):
    assert auto_epochs(examples) == epochs


@pytest.mark.parametrize(
    ("examples", "batch"), [(10, 1), (500, 1), (501, 2), (5000, 10), (500_000, 256)]
)
def test_auto_batch_size(examples: int, batch: int):
    assert auto_batch_size(examples) == batch


def test_auto_lr_multiplier_grows_with_the_batch():
    assert auto_lr_multiplier(1) == 0.05
    assert auto_lr_multiplier(16) == 0.1
    assert auto_lr_multiplier(128) == 0.2


def test_resolve_mixes_explicit_values_autos_and_local_extras():
    hp = Hyperparameters(
        n_epochs=2, batch_size="auto", learning_rate_multiplier=0.5, max_steps=3, lora_r=4
    )
    resolved = resolve("sft", 40, hp)
    assert (resolved.n_epochs, resolved.batch_size) == (2, 1)
    assert resolved.learning_rate == pytest.approx(0.5 * LORA_BASE_LR)
    assert (resolved.max_steps, resolved.lora_r, resolved.beta) == (3, 4, None)


def test_resolve_gives_dpo_a_beta_and_caps_the_batch_at_the_dataset():
    resolved = resolve("dpo", 3, Hyperparameters(batch_size=8))
    assert resolved.beta == 0.1
    assert resolved.batch_size == 3
    assert resolve("dpo", 3, Hyperparameters(beta=0.3)).beta == 0.3
