"""Trainer builders refuse what cannot train before any model work starts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from advisor.errors import JobError, UserInputError
from backends.jobs import Hyperparameters, JobRequest
from backends.local.hyperparams import resolve
from backends.local.trainer import TrainerInputs, build_trainer, training_args

MUTED = {
    "messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": "y", "weight": 0},
    ]
}


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings

    return AutoTokenizer.from_pretrained(
        resolve_chat_model("smollm2-135m-instruct", load_settings())
    )


def inputs(method, examples, settings, tmp_path, tokenizer=None, **request) -> TrainerInputs:
    hp = resolve(method, len(examples), Hyperparameters())
    args = training_args(hp, tmp_path, 0, settings, False)
    job = JobRequest(method=method, training_file="train.jsonl", **request)
    # No model: each of these must fail before one is needed.
    return TrainerInputs(None, tokenizer, examples, [], hp, args, job, settings)


def test_sft_with_nothing_to_train_is_a_job_error(settings, tmp_path, tokenizer):
    with pytest.raises(JobError, match="no example has a trainable assistant turn"):
        build_trainer("sft", inputs("sft", [MUTED, MUTED], settings, tmp_path, tokenizer))


def test_rft_without_a_grader_says_how_to_pass_one(settings, tmp_path):
    with pytest.raises(UserInputError) as caught:
        build_trainer("rft", inputs("rft", [{"messages": []}], settings, tmp_path))
    assert caught.value.hint == "pass --grader FILE"


def test_records_with_nothing_to_train_are_left_out_of_the_datasets(settings, tmp_path, tokenizer):
    from backends.local.trainingdata import sft_features

    plain = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
    run = inputs("sft", [MUTED, plain], settings, tmp_path, tokenizer)
    run = replace(run, validation=[MUTED])
    kwargs = run.trainer_kwargs(lambda record: sft_features(tokenizer, record, 64))
    assert len(kwargs["train_dataset"]) == 1
    assert kwargs["eval_dataset"] is None  # a validation file with nothing trainable


@pytest.mark.parametrize("config", ["SFTConfig", "DPOConfig"])
def test_training_arguments_turn_checkpointing_off_without_a_deprecation_warning(
    config, settings, tmp_path
):
    import warnings

    import trl

    hp = resolve("sft", 10, Hyperparameters())
    args = training_args(hp, tmp_path, 0, settings, False)
    with warnings.catch_warnings():
        # transformers 5 warns about the `gradient_checkpointing` alias in every job's log.
        warnings.simplefilter("error", FutureWarning)
        built = getattr(trl, config)(**args)
    assert built.activation_checkpointing is False
