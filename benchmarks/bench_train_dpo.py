"""LoRA DPO speed of our job against TRL's default DPO configuration, in the same run.

Same model, data, LoRA, batch size, beta and steps.  Both use the base model
with the adapter disabled as the reference (no second copy).  The baseline
keeps DPOConfig's defaults: the reference forward runs at every step, with
gradient checkpointing and bf16 autocast; ours computes the reference
log-probabilities once, before training (included in its end-to-end time),
and on a CPU projects only completion tokens through the LM head.

    nice .venv/bin/python benchmarks/bench_train_dpo.py [--steps 6] [--batch-size 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, median_figures, pin_threads
from train_common import load, lora, matmul_peak_gflops, measure, our_trainer

DATA = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jobs" / "dpo_small.jsonl"


def ours(settings, examples, steps: int, batch: int, out: Path) -> dict[str, float]:
    trainer, setup_s = our_trainer("dpo", settings, examples, steps, batch, out)
    return _rates(measure(trainer, as_a_job=True), setup_s)


def baseline(settings, examples, steps: int, batch: int, out: Path) -> dict[str, float]:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    from backends.local.trainingdata import dpo_row

    model, tokenizer = load(settings)
    config = DPOConfig(
        output_dir=str(out),
        max_steps=steps,
        per_device_train_batch_size=batch,
        learning_rate=2e-4,
        report_to="none",
        disable_tqdm=True,
        save_strategy="no",
        include_num_input_tokens_seen="non_padding",
        use_cpu=True,
    )
    began = time.perf_counter()
    trainer = DPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list([dpo_row(e) for e in examples]),
        processing_class=tokenizer,
        peft_config=lora(),
    )
    # Take the clock before training: as one expression, ``measure`` ran first and
    # the setup time counted the baseline's training loop a second time.
    setup_s = time.perf_counter() - began
    return _rates(measure(trainer), setup_s)


def _rates(figures: dict[str, float], setup_s: float) -> dict[str, float]:
    return {
        **figures,
        "steps_per_s": figures["steps"] / figures["seconds"],
        "end_to_end_s": figures["seconds"] + setup_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    args = parser.parse_args()
    pin_threads()  # the same thread policy for both arms, before torch loads

    from advisor.settings import load_settings
    from backends.local.trainingdata import read_examples

    examples = read_examples(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp)
        peak = matmul_peak_gflops()
        runs = interleave(
            {
                "base": lambda: baseline(
                    settings, examples, args.steps, args.batch_size, Path(tmp) / "base"
                ),
                "ours": lambda: ours(
                    settings, examples, args.steps, args.batch_size, Path(tmp) / "ours"
                ),
            },
            args.rounds,
        )
        base, mine = median_figures(runs["base"]), median_figures(runs["ours"])
        peak = max(peak, matmul_peak_gflops())
    print(machine_line())
    print(f"matmul peak: {peak:.1f} GFLOP/s (float32, 2048x2048, best of runs)")
    lines = [
        "| DPO, LoRA r=16, SmolLM2-135M | steps/s (training loop) | vs TRL default "
        "| end to end incl. reference pass | MFU (policy tokens) |",
        "|---|---|---|---|---|",
    ]
    for name, figures in (("TRL DPOTrainer, default config", base), ("advisor local job", mine)):
        ratio = figures["steps_per_s"] / base["steps_per_s"]
        rate = figures["tokens"] / figures["seconds"]
        mfu = rate * figures["flops_per_token"] / (peak * 1e9)
        lines.append(
            f"| {name} | {figures['steps_per_s']:.3f} | {ratio:.2f}x | "
            f"{figures['end_to_end_s']:.1f} s | {mfu:.1%} |"
        )
    print("\n".join(lines))
    print(
        f"\n{args.steps} steps of batch {args.batch_size} pairs; median of {args.rounds} "
        "interleaved runs per arm."
    )


if __name__ == "__main__":
    main()
