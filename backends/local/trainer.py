"""The local trainer: TRL + PEFT LoRA for SFT, DPO and RFT (GRPO).

Runs inside the worker process (:mod:`backends.local.worker`), or under
``accelerate launch`` on several GPUs or machines; only the main process writes
to the job store.  Design choices, each for speed on small machines:

* LoRA on every linear layer of the frozen base: small checkpoints, fast steps,
  and an adapter in the layout vLLM's LoRA serving loads.
* On a CPU that trains in bf16 (``local.dtype``), the frozen base is held in
  bfloat16, so autocast does not cast float32 weights at every step; the LoRA
  weights and the optimizer stay float32 (:func:`frozen_base_dtype`).
* SFT: our own tokenization (assistant-only loss, ``weight: 0`` honoured) with
  padding-free batches, so no compute goes to padding, and attention within each
  packed example only (:mod:`backends.local.packed_attention`); no gradient
  checkpointing (TRL's default), which only trades speed for memory.
* Under bf16 autocast the LoRA layers take their input in bfloat16, as autocast
  would cast it anyway (:mod:`backends.local.lora_inputs`).
* DPO: the reference is the base model with the adapter disabled (no second
  copy) and its log-probabilities are computed once before training; the LM
  head scores completion tokens only (:mod:`backends.local.completion_scoring`).
* RFT: GRPO with rewards from the job's grader; the dataset line is the item.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import JobError, UserInputError
from advisor.precision import BFLOAT16, FLOAT32, Dtype, model_dtype, torch_dtype
from advisor.settings import Settings
from advisor.threads import ThreadGovernor, use_thread_policy
from backends.job_store import JobStore
from backends.jobs import PARENT_JOB_KEY, FineTuneJob, JobRequest, said_event
from backends.local.backend import ADAPTER_INFO
from backends.local.hyperparams import Resolved, resolve
from backends.local.lm_head import labelled_positions_only
from backends.local.lora_inputs import keep_lora_inputs
from backends.local.packed_attention import use_packed_attention
from backends.local.train_callback import Controls, StoreCallback, emit
from backends.local.trainingdata import dpo_row, read_examples, rft_row, sft_features

HUB_IDS = {"smollm2-135m-instruct": "HuggingFaceTB/SmolLM2-135M-Instruct"}


@dataclass
class Outcome:
    status: str  # "succeeded" | "cancelled" | "paused"
    adapter_dir: Path | None
    trained_tokens: int
    steps: int


def device_setup(settings: Settings) -> dict[str, Any]:
    """TrainingArguments for the best device present: CUDA (bf16 when supported) or CPU.

    On a CPU, bf16 autocast where :func:`advisor.precision.model_dtype` says the CPU
    computes it (``local.dtype``): the LoRA weights and optimizer stay float32.
    """
    import torch

    if not _on_cuda(settings):
        bf16 = model_dtype(settings, "cpu") == BFLOAT16
        return {"use_cpu": True, "bf16": bf16, "fp16": False}
    bf16 = torch.cuda.is_bf16_supported()
    return {"use_cpu": False, "bf16": bf16, "fp16": not bf16}


def _on_cuda(settings: Settings) -> bool:
    import torch

    wanted = settings.local.device
    return (torch.cuda.is_available() and wanted in ("auto", "cuda")) or wanted.startswith("cuda")


def frozen_base_dtype(settings: Settings) -> Dtype:
    """The format the frozen base is loaded in for training.

    bfloat16 on a CPU that trains with bf16 autocast: its matmuls run in bf16
    either way, and a float32 base would be cast again at every step (1.10x the
    trained tokens/s, the adapter's held-out loss unchanged:
    ``benchmarks/bench_train_base_dtype.py``, docs/performance.md).  float32
    elsewhere, and on CUDA, where mixed precision keeps float32 master weights.
    """
    if _on_cuda(settings):
        return FLOAT32
    return model_dtype(settings, "cpu")


def load_for_training(base: str, settings: Settings) -> tuple[Any, Any]:
    """The base model (in :func:`frozen_base_dtype`) and its tokenizer, as a job,
    a calibration and the training benchmarks load them.

    Raises:
        UserInputError: ``base`` names a fine-tuned model, not a base model.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from advisor.embedded import configure_offline, resolve_chat_model

    configure_offline(settings)
    if base.startswith("local:"):
        raise UserInputError.from_catalog(
            "core.local.not_a_base_model",
            hint_key="core.local.not_a_base_model_hint",
            model=repr(base),
        )
    path = resolve_chat_model(base, settings)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(
        path, dtype=torch_dtype(frozen_base_dtype(settings))
    )
    return model, tokenizer


def continue_adapter(model: Any, adapter_dir: Path) -> Any:
    """``model`` with the parent job's LoRA adapter loaded trainable.

    The result is still one adapter over the base model, so serving loads it like
    any other.  For DPO, TRL copies the loaded adapter as the reference, so the
    reference model is the parent (SFT) model, as in the usual SFT-then-DPO recipe.

    Raises:
        JobError: the parent job left no adapter.
    """
    from peft import PeftModel

    if not (adapter_dir / "adapter_config.json").is_file():
        raise JobError.from_catalog(
            "core.local.parent_left_no_adapter", job=adapter_dir.name, path=str(adapter_dir)
        )
    return PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=True)


def _is_peft(model: Any) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def _lora(hp: Resolved) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=hp.lora_r,
        lora_alpha=hp.lora_alpha,
        lora_dropout=0.0,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )


def training_args(
    hp: Resolved, out: Path, seed: int, settings: Settings, has_eval: bool
) -> dict[str, Any]:
    save = (
        {"save_strategy": "steps", "save_steps": hp.save_steps}
        if hp.save_steps
        else {"save_strategy": "epoch"}
    )
    return {
        "output_dir": str(out),
        "num_train_epochs": hp.n_epochs,
        "max_steps": hp.max_steps or -1,
        "per_device_train_batch_size": hp.batch_size,
        "per_device_eval_batch_size": max(hp.batch_size, 4),
        "learning_rate": hp.learning_rate,
        "lr_scheduler_type": "linear",
        "warmup_steps": 0,
        "logging_steps": hp.logging_steps,
        "logging_first_step": True,
        "eval_strategy": "epoch" if has_eval else "no",
        "report_to": "none",
        "disable_tqdm": True,
        "seed": seed,
        "data_seed": seed,
        # TRL defaults the deprecated alias to True; naming the new field (and clearing the
        # alias) turns checkpointing off without transformers' FutureWarning in every job log.
        "activation_checkpointing": False,
        "gradient_checkpointing": None,
        "include_num_input_tokens_seen": "non_padding",
        "dataloader_num_workers": 0,
        "save_only_model": False,
        **save,
        **device_setup(settings),
    }


@dataclass(frozen=True)
class TrainerInputs:
    """What every trainer builder takes: the model, the rows and the resolved settings."""

    model: Any
    tokenizer: Any
    examples: list[dict[str, Any]]
    validation: list[dict[str, Any]]
    hp: Resolved
    args: dict[str, Any]
    request: JobRequest
    settings: Settings

    def trainer_kwargs(self, to_row: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        """The arguments TRL's trainers share: model, datasets, tokenizer, LoRA.

        ``to_row`` turns a JSONL record into a dataset row; records it maps to
        None (nothing to train on) are left out.
        """
        from datasets import Dataset

        def build(records: list[dict[str, Any]]) -> Any:
            rows = [row for r in records if (row := to_row(r)) is not None]
            return Dataset.from_list(rows) if rows else None

        return {
            "model": self.model,
            "train_dataset": build(self.examples),
            "eval_dataset": build(self.validation),
            "processing_class": self.tokenizer,
            # A continued job trains the parent's adapter itself: no second LoRA on top.
            "peft_config": None if _is_peft(self.model) else _lora(self.hp),
        }


def build_trainer(method: str, inputs: TrainerInputs) -> Any:
    """A TRL trainer for ``method`` (``sft``, ``dpo`` or ``rft``), ready to ``train()``.

    Raises:
        JobError, UserInputError: the data or the request cannot train.
    """
    builders = {"sft": _sft_trainer, "dpo": _dpo_trainer, "rft": _rft_trainer}
    with warnings.catch_warnings():
        # PEFT reads transformers' deprecated ``is_gradient_checkpointing`` alias when it
        # wraps the model; the FutureWarning is theirs and was printed in every job log
        # and calibration.  Only that message is silenced.
        warnings.filterwarnings(
            "ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning
        )
        return builders[method](inputs)


def train(
    job: FineTuneJob,
    request: JobRequest,
    settings: Settings,
    store: JobStore,
    work_dir: Path,
    controls: Controls,
    *,
    resume_from: str | None = None,
    merge: bool = False,
) -> Outcome:
    """Run one job to its end (or to a cancel or pause).

    Raises:
        JobError, UserInputError: the job cannot run as specified.
    """
    from accelerate import PartialState

    governor = ThreadGovernor(settings, use_thread_policy(settings))
    is_main = PartialState().is_main_process
    examples = read_examples(request.training_file)
    hp = resolve(job.method, len(examples), job.hyperparameters)
    seed = job.seed if job.seed is not None else 42
    model, tokenizer = load_for_training(job.model, settings)
    parent = request.metadata.get(PARENT_JOB_KEY)
    if parent:  # sft>dpo, sft>rft: keep training the parent's adapter
        model = continue_adapter(model, settings.adapters_dir / parent)
    validation = read_examples(request.validation_file) if request.validation_file else []
    tracker = StoreCallback(store, job, controls, is_main, governor)
    if is_main:
        emit(
            store,
            job.id,
            said_event(
                "hyperparameters",
                values=f"epochs={hp.n_epochs}, batch_size={hp.batch_size}, "
                f"learning_rate={hp.learning_rate:.3g}" + (f", beta={hp.beta}" if hp.beta else ""),
            ),
            data=hp.model_dump(),
        )
    args = training_args(hp, work_dir / "checkpoints", seed, settings, bool(validation))
    inputs = TrainerInputs(model, tokenizer, examples, validation, hp, args, request, settings)
    trainer = build_trainer(job.method, inputs)
    trainer.add_callback(tracker.callback())
    if resume_from and is_main:
        emit(store, job.id, said_event("resuming_from", checkpoint=Path(resume_from).name))
    result = run_trainer(trainer, resume_from)
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    if tracker.stopped:
        return Outcome(tracker.stopped, None, tokens, trainer.state.global_step)
    adapter_dir = settings.adapters_dir / job.id
    if is_main:
        _save_adapter(trainer.model, tokenizer, adapter_dir, job.model, merge)
    del result
    return Outcome("succeeded", adapter_dir, tokens, trainer.state.global_step)


def run_trainer(trainer: Any, resume_from: str | None = None) -> Any:
    """``trainer.train()`` as a job runs it: TRL's fused LM head scoring the labelled
    positions only, on the CPU too (:mod:`backends.local.lm_head`).

    The one way in for jobs, calibration and the training benchmarks, so that what is
    timed is what a job runs.  Two more changes that keep the values and save work:
    packed examples attend within themselves (:mod:`backends.local.packed_attention`)
    and, under bf16 autocast, LoRA layers keep autocast's input format
    (:mod:`backends.local.lora_inputs`).  Returns TRL's ``TrainOutput``.
    """
    use_packed_attention(trainer.model)
    if trainer.args.bf16:
        keep_lora_inputs(trainer.model)
    with labelled_positions_only():
        return trainer.train(resume_from_checkpoint=resume_from)


def _save_adapter(model: Any, tokenizer: Any, target: Path, base: str, merge: bool) -> None:
    """Write the adapter next to its metadata; a temporary folder and a rename keep it atomic."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    # Name the base portably (not this machine's cache path), for vLLM and the Hub.
    for config in getattr(model, "peft_config", {}).values():
        config.base_model_name_or_path = HUB_IDS.get(base, base)
    model.save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    (staging / ADAPTER_INFO).write_text(json.dumps({"base_model": base}, indent=2))
    if merge:
        merged = model.merge_and_unload()
        merged.save_pretrained(str(staging / "merged"))
        tokenizer.save_pretrained(str(staging / "merged"))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)


def _sft_trainer(run: TrainerInputs) -> Any:
    from trl import SFTConfig, SFTTrainer

    def features(record: dict[str, Any]) -> dict[str, Any] | None:
        # None for records whose assistant turns all have weight 0: they train nothing.
        return sft_features(run.tokenizer, record, run.hp.max_length)

    kwargs = run.trainer_kwargs(features)
    if kwargs["train_dataset"] is None:
        raise JobError.from_catalog("core.local.nothing_trainable")
    # Sequences are truncated to max_length by sft_features already.
    config = SFTConfig(**run.args, max_length=None, padding_free=True)
    return SFTTrainer(args=config, **kwargs)


def _dpo_trainer(run: TrainerInputs) -> Any:
    from trl import DPOConfig

    from backends.local.completion_scoring import CompletionScoringDPOTrainer

    config = DPOConfig(
        **run.args,
        beta=run.hp.beta or 0.1,
        max_length=run.hp.max_length,
        precompute_ref_log_probs=True,
        precompute_ref_batch_size=max(8, run.hp.batch_size),
    )
    return CompletionScoringDPOTrainer(args=config, **run.trainer_kwargs(dpo_row))


def make_reward_function(
    grader_spec: dict[str, Any], settings: Settings
) -> Callable[..., list[float | None]]:
    """A GRPO reward function scoring completions with the job's grader."""
    from advisor.graders import Sample, load_grader

    grader = load_grader(grader_spec, settings=settings)

    def grader_reward(
        prompts: list[Any], completions: list[Any], advisor_item: list[str], **_: Any
    ) -> list[float | None]:
        texts = [c[-1]["content"] if isinstance(c, list) else str(c) for c in completions]
        samples = [Sample.from_text(t) for t in texts]
        items = [json.loads(i) for i in advisor_item]
        return [r.score for r in grader.grade_batch(samples, items)]

    grader_reward.__name__ = f"grader_{grader.name}"
    return grader_reward


def _rft_trainer(run: TrainerInputs) -> Any:
    from trl import GRPOConfig, GRPOTrainer

    if not run.request.grader:
        raise UserInputError.from_catalog(
            "core.local.rft_needs_grader", hint_key="core.local.rft_needs_grader_hint"
        )
    generations = max(2, run.hp.num_generations)
    config = GRPOConfig(
        **{
            **run.args,
            "per_device_train_batch_size": run.hp.batch_size * generations,
            "per_device_eval_batch_size": run.hp.batch_size * generations,
        },
        num_generations=generations,
        max_completion_length=run.hp.max_completion_length,
        temperature=1.0,
        beta=0.0,  # no KL term: no reference pass, as current GRPO practice recommends
    )
    return GRPOTrainer(
        reward_funcs=make_reward_function(run.request.grader, run.settings),
        args=config,
        **run.trainer_kwargs(rft_row),
    )
