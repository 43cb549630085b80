"""Calibrating local training: a few LoRA SFT steps through the job trainer's own code path.

The same model loader, hyperparameter resolution, TrainingArguments and TRL
trainer as a real job (:mod:`backends.local.trainer`), under the same thread
policy, on synthetic examples truncated to the sequence length being
calibrated.  The first step is a warm-up (allocations, kernel selection) and is
not timed; the figure is the median of the timed steps, which is robust to one
step stalled by another process on a shared machine.

Two shapes of synthetic data are trained, one after the other on the loaded
model: all-assistant lines (every token labelled), which give the figure, and
prompt-heavy lines (about 5% labelled), whose CPU seconds against the first's
give how much more a labelled token costs (``labelled_cost_ratio``; measured on
SmolLM2 on a CPU: about 0.16, i.e. an all-labelled calibration overstates a
prompt-heavy job by about 13%; docs/performance.md).  CPU seconds, not wall
time, because the two runs may get different shares of a loaded machine.

Where the machine has two usable cores or more, the all-assistant run ends with a few
steps at the other thread count the thread policy may pick (1, or all the usable cores
when the calibration ran at 1): one warm-up step at that count, then
:data:`OTHER_THREADS_STEPS` timed ones, ``torch.set_num_threads`` switched between steps
as a job's :class:`~advisor.threads.ThreadGovernor` switches it, and restored after.
Their median against the main figure is how much faster (or slower) a job trains at
that count (``seconds_per_step_by_threads``; advisor/data/contention.py): a second
thread is far from twice as fast.  They are skipped (the steps run on, uncounted, at
the figure's count) when other processes leave the threads no whole cores at the
switch: such steps time the wait for a core, not the threads' speed.

For answering, :func:`calibration_adapter` makes an untrained LoRA adapter of the
trainer's default shape, which the answering calibration loads by the backend's own
path (a ``local:ft:`` id) to time the fine-tuned routes' answers.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from advisor.data.calibration import TrainingRate, TrainingRun, labelled_cost_ratio
from advisor.data.trainview import sft_features
from advisor.ids import LOCAL_FT_PREFIX
from advisor.settings import Settings
from advisor.threads import use_thread_policy
from backends.base import CalibrationAdapter
from backends.jobs import Hyperparameters, JobRequest

WARMUP_STEPS = 1
#: Steps timed at the other thread count (after a warm-up there): kept few, as they add
#: to every calibration's time; their median is robust enough for a speed-up ratio.
OTHER_THREADS_STEPS = 2
#: Labelled share of the prompt-heavy calibration shape (invoice-total's is about 4%).
PROMPT_SHAPE_SHARE = 0.05
# Plain words the tokenizers of every preset encode as roughly one token each.
FILLER = "the parcel arrived late so please check the label and the invoice again today"


def synthetic_examples(count: int, seq_len: int) -> list[dict[str, Any]]:
    """Chat lines whose assistant turn is long enough to be cut at ``seq_len`` tokens.

    The user turn is short so that truncation leaves assistant (trained) tokens.
    """
    words = FILLER.split()
    answer = " ".join(words[i % len(words)] for i in range(seq_len * 2))
    return [
        {
            "messages": [
                {"role": "user", "content": f"Question {n}: summarise the ticket."},
                {"role": "assistant", "content": answer},
            ]
        }
        for n in range(count)
    ]


def prompt_heavy_examples(
    tokenizer: Any, count: int, seq_len: int, share: float = PROMPT_SHAPE_SHARE
) -> list[dict[str, Any]]:
    """Chat lines of ``seq_len`` tokens whose last ``share`` of tokens is the assistant's.

    A long user turn and a short answer, like invoice-total's invoices: the prompt is
    the longest that leaves the answer inside ``seq_len`` once the template is applied.
    """
    words = FILLER.split()
    answer = max(1, round(seq_len * share))

    def text(n: int) -> str:
        return " ".join(words[i % len(words)] for i in range(n))

    def line(n: int, prompt: int) -> dict[str, Any]:
        return {
            "messages": [
                {"role": "user", "content": f"Question {n}: {text(prompt)}"},
                {"role": "assistant", "content": text(answer * 2)},
            ]
        }

    prompt = seq_len
    while prompt > 4:
        features = sft_features(tokenizer, line(0, prompt), seq_len)
        if features and sum(1 for x in features["labels"] if x != -100) >= answer:
            break
        prompt -= 4
    return [line(n, prompt) for n in range(count)]


def shape_per_step(
    tokenizer: Any, examples: list[dict[str, Any]], seq_len: int, batch: int
) -> tuple[float, float]:
    """(tokens, labelled tokens) per step of ``batch`` examples, as the trainer sees them."""
    features = [f for e in examples if (f := sft_features(tokenizer, e, seq_len)) is not None]
    count = max(1, len(features))
    tokens = sum(len(f["input_ids"]) for f in features) / count * batch
    labelled = sum(sum(1 for x in f["labels"] if x != -100) for f in features) / count * batch
    return tokens, labelled


class StepTimer:
    """Wall and CPU time of each optimizer step, from a TrainerCallback.

    CPU seconds of this process are the step's work whatever share of the cores it
    got, so two runs on a loaded machine compare by them (the labelled-token ratio).
    ``switch``: (step, threads): from that step on, train at ``threads`` torch threads
    (the steps at the other thread count; see the module docstring), if ``may_switch``
    then says the cores are free enough; ``switch`` is None afterwards if not.
    """

    def __init__(
        self,
        switch: tuple[int, int] | None = None,
        may_switch: Callable[[int], bool] = lambda threads: True,
    ) -> None:
        self.durations: list[float] = []
        self.cpu: list[float] = []
        self.switch = switch
        self.may_switch = may_switch
        self._began = 0.0
        self._cpu_began = 0.0

    def callback(self) -> Any:
        import torch
        from transformers import TrainerCallback

        outer = self

        class _Timer(TrainerCallback):
            def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                if outer.switch is not None and len(outer.durations) == outer.switch[0]:
                    if outer.may_switch(outer.switch[1]):
                        torch.set_num_threads(outer.switch[1])
                    else:  # the steps left run on at the figure's count, not counted
                        outer.switch = None
                outer._began = time.perf_counter()
                outer._cpu_began = time.process_time()

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer.durations.append(time.perf_counter() - outer._began)
                outer.cpu.append(time.process_time() - outer._cpu_began)

        return _Timer()

    def medians(self, main: int | None = None) -> tuple[float, float, int]:
        """(wall, CPU) median of the timed steps (after the warm-up), and their count.

        ``main``: the steps of the figure (the steps after them, switched or not, are not).
        """
        main = main or (len(self.durations) if self.switch is None else self.switch[0])
        wall = self.durations[WARMUP_STEPS:main] or self.durations[:main]
        cpu = self.cpu[WARMUP_STEPS:main] or self.cpu[:main]
        return statistics.median(wall), statistics.median(cpu), len(wall)

    def switched_median(self) -> float | None:
        """Wall median of the steps at the other thread count (after their warm-up)."""
        if self.switch is None:
            return None
        timed = self.durations[self.switch[0] + WARMUP_STEPS :]
        return statistics.median(timed) if timed else None


def other_thread_count(settings: Settings, threads: int) -> int | None:
    """The thread count to time besides ``threads``; None: the policy would pick no other.

    1 when the calibration runs at more, else as many as the policy picks on an idle
    machine (all the usable cores).  None below two usable cores (as the contention model
    counts them) and where ``local.threads`` fixes the count.
    """
    from advisor.data.contention import usable_cores
    from advisor.threads import affinity_cpus, cgroup_quota, choose_threads

    if settings.local.threads or usable_cores() < 2:
        return None
    most = min(int(usable_cores()), choose_threads(affinity_cpus(), cgroup_quota(), 0.0))
    other = most if threads == 1 else 1
    return other if other != threads else None


def _timed_run(
    settings: Settings,
    base: Any,
    tokenizer: Any,
    examples: list[dict[str, Any]],
    seq_len: int,
    batch: int,
    total: int,
    timer: StepTimer | None = None,
) -> tuple[StepTimer, Any, float]:
    """Train ``total`` steps of ``examples`` through the job trainer.

    Returns the timer, the base model without this run's LoRA, and the seconds it
    took to build the trainer (part of a job's start-up).  ``timer``: one that may switch
    the thread count (:class:`StepTimer`), which is restored afterwards.
    """
    import torch

    threads = torch.get_num_threads()
    began = time.perf_counter()
    from backends.local.hyperparams import resolve
    from backends.local.trainer import TrainerInputs, build_trainer, run_trainer, training_args

    hyperparameters = Hyperparameters.model_validate(
        {"n_epochs": 1, "batch_size": batch, "max_steps": total, "max_length": seq_len}
    )
    hp = resolve("sft", len(examples), hyperparameters)
    with tempfile.TemporaryDirectory(prefix="advisor-calibrate-") as tmp:
        args = training_args(hp, Path(tmp) / "checkpoints", 0, settings, False)
        args.update(save_strategy="no", logging_steps=max(1, total))
        request = JobRequest(method="sft", training_file=str(Path(tmp) / "synthetic.jsonl"))
        inputs = TrainerInputs(base, tokenizer, examples, [], hp, args, request, settings)
        trainer = build_trainer("sft", inputs)
        built = time.perf_counter() - began
        timer = timer or StepTimer()
        trainer.add_callback(timer.callback())
        # The trainer prints a loss line per step: stdout belongs to the command (--format
        # json), and a synthetic run's loss means nothing to the person waiting for a plan.
        # Trained as a job trains (run_trainer: the LM head of backends/local/lm_head.py).
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run_trainer(trainer)
        finally:
            torch.set_num_threads(threads)
    unload = getattr(trainer.model, "unload", None)  # the base without this run's LoRA
    return timer, (unload() if callable(unload) else base), built


def calibrate_training(
    settings: Settings, *, model: str, seq_len: int, batch: int, steps: int
) -> TrainingRun:
    """Time ``steps`` SFT steps (plus a warm-up) of ``model``; see the module docstring.

    Two shapes: all-assistant examples give the figure (``seconds_per_token``), then
    prompt-heavy ones the extra cost of a labelled token (``labelled_cost_ratio``, from
    CPU seconds; see advisor/data/calibration.py ``step_seconds``).

    Raises:
        BackendUnavailableError, UserInputError: the model cannot be loaded or trained.
    """
    began = time.perf_counter()
    threads = use_thread_policy(settings)
    import torch

    from backends.local.trainer import device_setup, load_for_training

    total = steps + WARMUP_STEPS
    setup = device_setup(settings)
    if setup["use_cpu"]:
        threads = torch.get_num_threads()  # what the steps run at: the figure's count
    other = other_thread_count(settings, threads) if setup["use_cpu"] else None
    timer = StepTimer(None if other is None else (total, other), _cores_free)
    extra = 0 if other is None else WARMUP_STEPS + OTHER_THREADS_STEPS
    examples = synthetic_examples(batch * (total + extra), seq_len)
    base, tokenizer = load_for_training(model, settings)
    loaded = time.perf_counter() - began
    timer, base, built = _timed_run(
        settings, base, tokenizer, examples, seq_len, batch, total + extra, timer
    )
    startup = loaded + built
    per_step, cpu_all, timed = timer.medians(total)
    by_threads = _by_threads(threads, per_step, other, timer.switched_median())
    tokens, labelled = shape_per_step(tokenizer, examples, seq_len, batch)
    heavy = prompt_heavy_examples(tokenizer, batch * total, seq_len)
    heavy_timer, _, _ = _timed_run(settings, base, tokenizer, heavy, seq_len, batch, total)
    heavy_tokens, heavy_labelled = shape_per_step(tokenizer, heavy, seq_len, batch)
    ratio = labelled_cost_ratio(
        (cpu_all, round(tokens), round(labelled)),
        (heavy_timer.medians()[1], round(heavy_tokens), round(heavy_labelled)),
    )
    dtype = "bfloat16" if setup["bf16"] else "float16" if setup["fp16"] else "float32"
    return TrainingRun(
        rate=TrainingRate(
            seq_len=seq_len,
            batch=batch,
            steps=timed,
            seconds_per_step=round(per_step, 4),
            seconds_per_token=per_step / (batch * seq_len),
            startup_seconds=round(startup, 2),
            labelled_share=round(labelled / max(1.0, tokens), 4),
            labelled_cost_ratio=ratio,
            seconds_per_step_by_threads=by_threads,
        ),
        device="cpu" if setup["use_cpu"] else "cuda",
        dtype=dtype,
        threads=threads,
    )


def _cores_free(threads: int) -> bool:
    """Whether ``threads`` threads would have about a core each beside the others now.

    Where not, their steps would time the wait for cores (advisor/data/contention.py
    ``whole_cores``), so the calibration keeps to its own count and measures no speed.
    """
    from advisor.data.contention import usable_cores, whole_cores
    from advisor.threads import busy_now

    return whole_cores(threads, usable_cores(), busy_now())


def _by_threads(
    threads: int, per_step: float, other: int | None, other_per_step: float | None
) -> dict[int, float] | None:
    """The step seconds by thread count, or None when no other count was timed."""
    if other is None or not other_per_step:
        return None
    return {threads: round(per_step, 4), other: round(other_per_step, 4)}


#: The suffix of the calibration adapter's model id (``local:ft:<base>:calibration:<id>``).
ADAPTER_SUFFIX = "calibration"


@contextlib.contextmanager
def calibration_adapter(settings: Settings, model: str) -> Iterator[CalibrationAdapter | None]:
    """A ``local:ft:`` id of an untrained LoRA adapter over ``model``, removed afterwards.

    The trainer's default LoRA (rank and target modules of ``resolve("sft", ...)``)
    over a skeleton of ``model`` built from its config, its weights left unread and
    unset: only the adapter's own weights are saved, and answering through them costs
    the same per token as through a trained adapter's.  It lives in the adapters
    folder under a fresh name, so the backend (or its warm process) loads it as it
    loads a job's.  None for a model that is itself a fine-tuned one.
    """
    if model.startswith(LOCAL_FT_PREFIX):
        yield None
        return
    from backends.local.backend import ADAPTER_INFO

    settings.adapters_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{ADAPTER_SUFFIX}-", dir=settings.adapters_dir))
    try:
        rank = save_untrained_adapter(settings, model, folder)
        (folder / ADAPTER_INFO).write_text(json.dumps({"base_model": model}, indent=2))
        # The id's base is a fallback only (ADAPTER_INFO names it): no ':' may split it.
        base = model.replace(":", "_")
        yield CalibrationAdapter(f"{LOCAL_FT_PREFIX}{base}:{ADAPTER_SUFFIX}:{folder.name}", rank)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_untrained_adapter(settings: Settings, model: str, folder: Path) -> int:
    """Save the trainer's default LoRA over ``model`` into ``folder``; its rank."""
    import torch
    from peft import get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    from advisor.embedded import resolve_chat_model
    from backends.local.hyperparams import resolve
    from backends.local.trainer import _lora

    hp = resolve("sft", 1, Hyperparameters())
    config = AutoConfig.from_pretrained(resolve_chat_model(model, settings))
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(config)
    # Memory reserved but never written: the base weights are not part of an adapter.
    skeleton = skeleton.to_empty(device="cpu")
    with warnings.catch_warnings():
        # transformers' deprecation notices are for library authors (as in the trainer).
        warnings.simplefilter("ignore", FutureWarning)
        get_peft_model(skeleton, _lora(hp)).save_pretrained(str(folder))
    return hp.lora_r
