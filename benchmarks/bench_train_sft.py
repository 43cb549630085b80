"""LoRA SFT throughput of our job against a plain TRL SFTTrainer script, in the same run.

Same model (the embedded SmolLM2-135M-Instruct), same data, same LoRA
(r=16 on every linear layer), same batch size, learning rate and number of
steps.  The baseline keeps TRL's SFTConfig defaults otherwise (gradient
checkpointing on, bf16 autocast, padded batches, loss on the whole sequence);
ours is what ``advisor tune create --method sft --backend local`` runs
(padding-free batches of assistant-only labels, no gradient checkpointing).
The figure is trained (non-padding) tokens per second of the training loop;
model FLOPs utilisation is against a matrix-multiply peak measured here.

    nice .venv/bin/python benchmarks/bench_train_sft.py [--steps 6] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, median_figures, pin_threads
from train_common import load, lora, matmul_peak_gflops, measure, our_trainer

DATA = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jobs" / "sft_format.jsonl"


def ours(settings, examples, steps: int, batch: int, out: Path) -> dict[str, float]:
    trainer, _ = our_trainer("sft", settings, examples, steps, batch, out)
    return _rates(measure(trainer, as_a_job=True))


def baseline(settings, examples, steps: int, batch: int, out: Path) -> dict[str, float]:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load(settings)
    config = SFTConfig(
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
    data = Dataset.from_list([{"messages": e["messages"]} for e in examples])
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=data, processing_class=tokenizer, peft_config=lora()
    )
    return _rates(measure(trainer))


def _rates(figures: dict[str, float]) -> dict[str, float]:
    return {**figures, "tokens_per_s": figures["tokens"] / figures["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=8)
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
        "| SFT, LoRA r=16, SmolLM2-135M | trained tokens/s | vs TRL default | MFU |",
        "|---|---|---|---|",
    ]
    for name, figures in (("TRL SFTTrainer, default settings", base), ("advisor local job", mine)):
        mfu = figures["tokens_per_s"] * figures["flops_per_token"] / (peak * 1e9)
        ratio = figures["tokens_per_s"] / base["tokens_per_s"]
        lines.append(f"| {name} | {figures['tokens_per_s']:.1f} | {ratio:.2f}x | {mfu:.1%} |")
    print("\n".join(lines))
    print(
        f"\n{args.steps} steps of batch {args.batch_size}; baseline trained "
        f"{base['tokens']:.0f} tokens in {base['seconds']:.1f} s, ours "
        f"{mine['tokens']:.0f} in {mine['seconds']:.1f} s (medians of {args.rounds} "
        "interleaved runs per arm)."
    )


if __name__ == "__main__":
    main()
