"""Does loading the frozen base in bfloat16 cost the trained adapter quality?

Trains three LoRA adapters through the job's own code path (``build_trainer``,
``run_trainer``, ``training_args``, ``resolve``) on a shipped scenario's SFT
data, all with the same hyperparameters (batch 4, the ``auto`` learning rate a
job gets at that batch size):

* A: the trainer before 2026-12-02: the base loaded in float32, bf16 autocast where
  ``advisor.precision.model_dtype(settings, "cpu")`` says bf16; seed 0.
* B: the frozen base loaded with ``dtype=torch.bfloat16``; the same autocast,
  the LoRA weights and optimizer still float32 (PEFT's ``autocast_adapter_dtype``
  upcasts them; the script checks); seed 0.
* A2: A with seed 1 (another LoRA initialisation and data order):
  its distance from A is the yardstick of seed noise.

Each training loop is timed (trained tokens/s); arms run interleaved
(``--rounds``; the order alternates each round).  Every adapter is then
evaluated the same way, on a fresh float32 base without autocast: the mean
token loss on held-out examples (the scenario's test prompts with their
reference answers, labels on the assistant part only, as the SFT trainer
labels them), and greedy answers (48 new tokens at most) to the first 16
held-out prompts, counted against A's for exact equality.

The verdict rule, fixed before any run: **B keeps quality if |loss_B - loss_A|
<= |loss_A2 - loss_A| (the seed's own noise) and B's answers equal A's at least
as often as A2's do.**  docs/performance.md has a run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_train_base_dtype.py \
        [--scenario brand-voice] [--examples 96] [--eval 32] [--steps 24] [--rounds 1]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads
from train_common import job_sft_trainer, measure, scenario_sft

BATCH = 4
ANSWERS = 16
NEW_TOKENS = 48


@dataclass(frozen=True)
class Arm:
    """One way to train: the seed, and whether the frozen base is loaded in bfloat16."""

    name: str
    seed: int
    bf16_base: bool


ARMS = (Arm("A", 0, False), Arm("B", 0, True), Arm("A2", 1, False))


@dataclass(frozen=True)
class Trained:
    """One training run: its figures and the trained LoRA weights (copied, on the CPU)."""

    tokens: float
    seconds: float
    lora: dict[str, Any]

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else float("nan")


@dataclass(frozen=True)
class Quality:
    loss: float
    answers: list[str]


def verdict(
    loss_a: float, loss_b: float, loss_a2: float, same_b: int, same_a2: int
) -> tuple[bool, str]:
    """The rule fixed in advance (module docstring): does B keep A's quality?"""
    gap, noise = abs(loss_b - loss_a), abs(loss_a2 - loss_a)
    keeps = gap <= noise and same_b >= same_a2
    return keeps, (
        f"verdict: B {'keeps' if keeps else 'does not keep'} quality "
        f"(|loss_B - loss_A| = {gap:.4f} {'<=' if gap <= noise else '>'} seed noise {noise:.4f}; "
        f"answers equal to A's: B {same_b}, A2 {same_a2})"
    )


def equal_answers(reference: list[str], answers: list[str]) -> int:
    return sum(1 for a, b in zip(reference, answers, strict=True) if a == b)


def held_out(scenario: Any, count: int) -> list[dict[str, Any]]:
    """The test prompts with their reference answers, as SFT records (system prompt first)."""
    records = []
    for item in scenario.test_items():
        if item.reference is None:
            continue
        records.append(
            {
                "messages": [
                    {"role": "system", "content": scenario.system_prompt},
                    {"role": "user", "content": item.prompt},
                    {"role": "assistant", "content": item.reference},
                ]
            }
        )
    return records[:count]


def load_base(settings: Any, bf16: bool) -> tuple[Any, Any]:
    """The job's base model and tokenizer through the job's loader; ``bf16``: the frozen
    weights in bfloat16, else float32 (the trainer before 2026-12-02), whatever
    ``local.dtype`` makes the job's loader choose today."""
    from backends.local.trainer import load_for_training

    return load_for_training(settings.local.model, in_format(settings, bf16))


def in_format(settings: Any, bf16: bool) -> Any:
    """``settings`` with the local model's format forced (for loading only: training keeps
    the caller's settings, so its autocast is the same in every arm)."""
    local = settings.local.model_copy(update={"dtype": "bfloat16" if bf16 else "float32"})
    return settings.model_copy(update={"local": local})


def train(settings: Any, examples: list[Any], hp: Any, arm: Arm, out: Path) -> Trained:
    """One adapter trained as a job trains it; the LoRA weights must stay float32."""
    import torch
    from peft import get_peft_model_state_dict

    model, tokenizer = load_base(settings, arm.bf16_base)
    trainer = job_sft_trainer(settings, model, tokenizer, examples, hp, arm.seed, out)
    trainable = {p.dtype for p in trainer.model.parameters() if p.requires_grad}
    if trainable != {torch.float32}:
        raise SystemExit(f"arm {arm.name}: LoRA weights are {trainable}, not float32")
    with contextlib.redirect_stdout(sys.stderr):
        figures = measure(trainer, as_a_job=True)
    lora = {
        k: v.detach().float().clone() for k, v in get_peft_model_state_dict(trainer.model).items()
    }
    return Trained(figures["tokens"], figures["seconds"], lora)


def evaluate(settings: Any, hp: Any, lora: dict[str, Any], records: list[Any]) -> Quality:
    """Held-out loss and greedy answers of one adapter on a fresh float32 base, no autocast."""
    import torch
    from peft import get_peft_model, set_peft_model_state_dict

    from backends.local.trainer import _lora, load_for_training

    base, tokenizer = load_for_training(settings.local.model, in_format(settings, bf16=False))
    model = get_peft_model(base, _lora(hp))
    result: Any = set_peft_model_state_dict(model, lora)
    missing = [k for k in result.missing_keys if "lora_" in k]
    if missing:
        raise SystemExit(f"adapter weights not loaded: {missing[:3]}")
    model.eval()
    with torch.no_grad():
        return Quality(
            held_out_loss(model, tokenizer, records, hp.max_length),
            [greedy(model, tokenizer, r) for r in records[:ANSWERS]],
        )


def held_out_loss(model: Any, tokenizer: Any, records: list[Any], max_length: int) -> float:
    """Mean loss per labelled token over all records (labels as the SFT trainer sets them)."""
    import torch
    import torch.nn.functional as F

    from backends.local.trainingdata import sft_features

    total, count = 0.0, 0
    for record in records:
        features = sft_features(tokenizer, record, max_length)
        if features is None:
            continue
        ids = torch.tensor([features["input_ids"]])
        labels = torch.tensor(features["labels"][1:])
        logits = model(input_ids=ids).logits[0, :-1].float()
        total += float(F.cross_entropy(logits, labels, ignore_index=-100, reduction="sum"))
        count += int((labels != -100).sum())
    return total / count


def greedy(model: Any, tokenizer: Any, record: dict[str, Any]) -> str:
    """The adapter's greedy answer to the record's conversation without its last turn."""
    from advisor.data.trainview import chat_messages, render

    prompt = render(tokenizer, chat_messages(record["messages"][:-1]), True)
    encoded = tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
    out = model.generate(
        **encoded,
        max_new_tokens=NEW_TOKENS,
        do_sample=False,
        pad_token_id=tokenizer.pad_token_id,
    )
    text: str = tokenizer.decode(out[0, encoded["input_ids"].shape[1] :], skip_special_tokens=True)
    return text


def table(runs: dict[str, list[Trained]], quality: dict[str, Quality]) -> list[str]:
    rates = {name: median(t.tokens_per_s for t in trained) for name, trained in runs.items()}
    loss_a, answers_a = quality["A"].loss, quality["A"].answers
    lines = [
        "| arm | trained tokens/s | vs A | held-out loss | abs(loss - loss_A) "
        f"| answers equal to A's (of {len(answers_a)}) |",
        "|---|---|---|---|---|---|",
    ]
    names = {
        "A": "A: float32 base, bf16 autocast (trainer before 2026-12-02), seed 0",
        "B": "B: bfloat16 base, bf16 autocast, seed 0",
        "A2": "A2: as A, seed 1 (seed noise)",
    }
    for name, label in names.items():
        q = quality[name]
        same = "-" if name == "A" else str(equal_answers(answers_a, q.answers))
        gap = "-" if name == "A" else f"{abs(q.loss - loss_a):.4f}"
        lines.append(
            f"| {label} | {rates[name]:.1f} | {rates[name] / rates['A']:.2f}x "
            f"| {q.loss:.4f} | {gap} | {same} |"
        )
    return lines


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="brand-voice")
    parser.add_argument("--examples", type=int, default=96, help="Training lines used.")
    parser.add_argument("--eval", type=int, default=32, help="Held-out test items used.")
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=1, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for every arm, before torch loads

    from advisor.settings import load_settings
    from backends.local.trainer import device_setup

    scenario, examples, hp = scenario_sft(args.scenario, args.examples, args.steps, BATCH)
    records = held_out(scenario, args.eval)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp)
        runs = interleave(
            {a.name: partial(train, settings, examples, hp, a, Path(tmp) / a.name) for a in ARMS},
            args.rounds,
        )
        # The first round's adapters: every round trains the same arm the same way.
        quality = {
            name: evaluate(settings, hp, trained[0].lora, records) for name, trained in runs.items()
        }
    print(machine_line())
    print("\n".join(table(runs, quality)))
    a, b, a2 = (quality[n] for n in ("A", "B", "A2"))
    autocast = "on" if device_setup(settings)["bf16"] else "off"
    print(
        f"\n{args.scenario}: {len(examples)} training lines, {len(records)} held-out; "
        f"{args.steps} steps of batch {hp.batch_size}, learning rate {hp.learning_rate:.3g}, "
        f"bf16 autocast {autocast}; "
        f"A trained {runs['A'][0].tokens:.0f} tokens in {runs['A'][0].seconds:.1f} s "
        f"(medians of {args.rounds} interleaved runs per arm)."
    )
    same_b, same_a2 = equal_answers(a.answers, b.answers), equal_answers(a.answers, a2.answers)
    print(verdict(a.loss, b.loss, a2.loss, same_b, same_a2)[1])


if __name__ == "__main__":
    main()
