"""A fine-tuned model's LoRA adapter on a bfloat16 base: float32, bfloat16, or merged.

PEFT upcasts a loaded adapter to float32 by default, so on a bfloat16 base every LoRA
layer casts its input up and its output back (``local.adapter_dtype = float32``);
``auto`` keeps the adapter in the base's format (advisor/precision.py). Both arms are
the product's own ``LocalBackend`` with ``local.dtype = bfloat16`` and only
``local.adapter_dtype`` changed, and a third arm that merges the adapter into the weights
(``local.adapter_serving = merged``: folded into the float32 base, then cast to bfloat16):

* **answering**: ``LocalBackend.chat_batch``, greedy, ``--max-tokens`` new tokens, one
  conversation at a time (``--single`` of them) and ``--slots`` at once; completion
  tokens per second of wall time;
* **agreement**: of the greedy answers to the same ``--slots`` prompts, between the arms
  and of each arm with an all-float32 reference (float32 base, float32 adapter), so the
  reader sees whether the bfloat16 adapter moves answers more than the bfloat16 base
  already does;
* **held-out loss**: mean token loss of brand-voice's test references (assistant tokens
  only, teacher-forced, the scenario's system prompt) under each arm, beside all-float32's
  and the base model's without the adapter, whose distance is what the adapter itself
  moves the loss (what rounding it away would undo).

The rule for the merged arm, fixed before its first run (2026-12-02): it keeps quality if
(1) its loss is within twice the larger distance of the two unmerged arms from all-float32's
loss, and within a tenth of the adapter's own effect on the loss; and (2) its greedy answers
equal all-float32's in at least as many prompts as the fewer of the two unmerged arms', less
three.  Both unmerged arms already round the base to bfloat16; merging rounds the merged
weights once instead, so the rule asks for a distance of the same order, not a smaller one.

The adapter must be trained (an untrained LoRA's B is zero, so is its delta): ``--adapter
PATH`` names one, else a short SFT job on brand-voice's data runs through the product's
own local job (``LocalFineTuning``, its worker and trainer) and is kept under ``--out``,
so a re-run reuses it. Arms are interleaved (``--rounds``) under the product's thread
policy, with the machine line beside the table.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_adapter_precision.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "brand-voice"
OUT = Path(tempfile.gettempdir()) / "advisor-bench-adapter-precision"
# local.adapter_dtype and local.adapter_serving of each arm
ARMS = {
    "adapter float32": ("float32", "unmerged"),
    "adapter bfloat16": ("auto", "unmerged"),
    "merged bfloat16": ("auto", "merged"),
}
BASE_DTYPE = "bfloat16"


def settings_for(out: Path, dtype: str, adapter_dtype: str, serving: str = "unmerged") -> Any:
    from advisor.settings import load_settings

    settings = load_settings()
    settings.data_dir = out / "state"  # the bench's own jobs and adapters; the model cache stays
    settings.local.dtype = dtype  # type: ignore[assignment]
    settings.local.adapter_dtype = adapter_dtype  # type: ignore[assignment]
    settings.local.adapter_serving = serving  # type: ignore[assignment]
    settings.local.warm = False  # this process loads the model it measures
    settings.local.auto_calibrate = False  # the job's estimate need not measure first
    return settings


def trained_adapter(out: Path, given: Path | None, steps: int) -> str:
    """The fine-tuned model id to answer with: ``given``, or a short SFT job kept in ``out``."""
    from backends.local.backend import ADAPTER_INFO, FINE_TUNED_PREFIX

    settings = settings_for(out, "auto", "auto")
    adapters = settings.adapters_dir
    adapters.mkdir(parents=True, exist_ok=True)
    if given is not None:
        link = adapters / "given"
        link.unlink(missing_ok=True)
        link.symlink_to(given.resolve(), target_is_directory=True)
        info = given / ADAPTER_INFO
        base = json.loads(info.read_text())["base_model"] if info.is_file() else None
        return f"{FINE_TUNED_PREFIX}{base or settings.local.model}:sft:given"
    record = out / f"trained-{steps}-steps.json"
    if record.is_file():
        model: str = json.loads(record.read_text())["model"]
        if (adapters / model.rsplit(":", 1)[1] / "adapter_config.json").is_file():
            print(f"reusing the adapter trained before: {model}")
            return model
    model = train_adapter(settings, steps)
    record.write_text(json.dumps({"model": model, "steps": steps}))
    return model


def train_adapter(settings: Any, steps: int) -> str:
    """A LoRA SFT job on brand-voice through ``advisor tune create``'s local service."""
    from backends.jobs import Hyperparameters, JobRequest
    from backends.local.service import LocalFineTuning

    service = LocalFineTuning(settings)
    request = JobRequest(
        method="sft",
        training_file=str(SCENARIO / "train_sft.jsonl"),
        seed=1,
        hyperparameters=Hyperparameters(n_epochs=1, max_steps=steps, batch_size=4),
    )
    began = time.perf_counter()
    job = service.create(request)
    print(
        f"training {job.id}: {steps} SFT steps on brand-voice (once; kept in {settings.data_dir})"
    )
    while not job.is_terminal:
        time.sleep(2)
        job = service.retrieve(job.id)
    if job.status != "succeeded" or not job.fine_tuned_model:
        raise SystemExit(f"the SFT job {job.id} ended {job.status}: see its worker.log")
    losses = [e.data["loss"] for e in service.events(job.id) if e.data and "loss" in e.data]
    print(
        f"trained in {time.perf_counter() - began:.0f} s; loss {losses[0]:.2f} -> {losses[-1]:.2f}"
    )
    return job.fine_tuned_model


def conversations(count: int, every: bool = False) -> list[Any]:
    import tomllib

    from backends.types import ChatMessage

    scenario = tomllib.loads((SCENARIO / "scenario.toml").read_text())
    prompts = [json.loads(line)["prompt"] for line in (SCENARIO / "test.jsonl").open()]
    if not every:  # the test prompts themselves, once each
        prompts = (prompts * (1 + count // len(prompts)))[:count]
    system = ChatMessage(role="system", content=scenario["system_prompt"])
    return [[system, ChatMessage(role="user", content=p)] for p in prompts]


def answering(
    settings: Any, model: str, chats: list[Any], max_tokens: int, one_by_one: bool
) -> tuple[float, list[str]]:
    """Completion tokens per second of wall time, and the answers."""
    from backends.local.backend import LocalBackend
    from backends.types import GenerationParams

    backend = LocalBackend(settings)
    backend.load(model)  # loading is not answering
    params = GenerationParams(temperature=0.0, max_tokens=max_tokens)
    batches = [[chat] for chat in chats] if one_by_one else [chats]
    began = time.perf_counter()
    results = [
        r for batch in batches for r in backend.chat_batch(batch, model=model, params=params)
    ]
    wall = time.perf_counter() - began
    return sum(r.usage.completion_tokens for r in results) / wall, [r.text for r in results]


def agreement(first: list[str], second: list[str]) -> str:
    """Identical answers, answers with the same first five words, median common words."""
    pairs = list(zip(first, second, strict=True))
    same = sum(a == b for a, b in pairs)
    start = sum(a.split()[:5] == b.split()[:5] for a, b in pairs)
    common = statistics.median(common_words(a, b) for a, b in pairs)
    return f"{same}/{len(pairs)} | {start}/{len(pairs)} | {common:g}"


def common_words(first: str, second: str) -> int:
    """Words the two answers share before they part."""
    count = 0
    for a, b in zip(first.split(), second.split(), strict=False):
        if a != b:
            break
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    parser.add_argument("--slots", type=int, default=32, help="Answers generated at once.")
    parser.add_argument("--single", type=int, default=2, help="Answers generated one by one.")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument(
        "--adapter", type=Path, help="A trained adapter folder (else one is trained)."
    )
    parser.add_argument("--steps", type=int, default=30, help="SFT steps of the adapter trained.")
    parser.add_argument("--out", type=Path, default=OUT, help="Where the trained adapter is kept.")
    args = parser.parse_args()
    # Trained first, in the job's own worker process: the load average and the thread
    # policy below are those of the answering that is measured.
    model = trained_adapter(args.out, args.adapter, args.steps)
    threads = pin_threads()
    print(machine_line())
    print(
        f"threads {threads}; {args.rounds} interleaved rounds per arm; base {BASE_DTYPE}; {model}"
    )
    chats = conversations(args.slots)

    def arm(adapter_dtype: str, serving: str) -> dict[str, Any]:
        settings = settings_for(args.out, BASE_DTYPE, adapter_dtype, serving)
        one, _ = answering(settings, model, chats[: args.single], args.max_tokens, True)
        many, texts = answering(settings, model, chats, args.max_tokens, False)
        return {"one": one, "many": many, "texts": texts}

    arms = {name: lambda a=a: arm(*a) for name, a in ARMS.items()}
    runs = interleave(arms, args.rounds)  # type: ignore[arg-type]
    reference = settings_for(args.out, "float32", "float32")
    _, exact = answering(reference, model, chats, args.max_tokens, False)
    report(runs, exact, args)
    losses = {
        name: held_out_loss(settings_for(args.out, BASE_DTYPE, *a), model)
        for name, a in ARMS.items()
    }
    losses["all-float32"] = held_out_loss(reference, model)
    losses["base, no adapter"] = held_out_loss(reference, None)
    verdict(losses, runs, exact)
    print(machine_line())


def report(runs: dict[str, list[dict[str, Any]]], exact: list[str], args: Any) -> None:
    figures = {
        name: {k: statistics.median(r[k] for r in runs[name]) for k in ("one", "many")}
        for name in ARMS
    }
    today = figures["adapter float32"]
    print()
    print(
        f"| arm (base {BASE_DTYPE}) | answer tokens/s, batch 1 | answer tokens/s, "
        f"{args.slots} at once | vs all-float32: identical | same first 5 words | "
        "median words in common |"
    )
    print("|---|---|---|---|---|---|")
    for name in ARMS:
        f = figures[name]
        cells = [f"{f[k]:.1f} ({f[k] / today[k]:.2f}x)" for k in ("one", "many")]
        cells.append(agreement(runs[name][0]["texts"], exact))
        print(f"| {name} | " + " | ".join(cells) + " |")
    names = list(ARMS)
    for one, other in itertools.pairwise(names):
        print(
            f"\n{one} against {other}: identical | same first 5 words | median words in "
            f"common: {agreement(runs[one][0]['texts'], runs[other][0]['texts'])}"
        )
    for name in ARMS:  # greedy answers must not move between rounds of one arm
        stable = all(r["texts"] == runs[name][0]["texts"] for r in runs[name])
        print(f"{name}: the same answers in every round: {stable}")


def held_out_loss(settings: Any, model: str | None) -> float:
    """Mean token loss of brand-voice's test references under ``model`` (None: the base)."""
    import torch

    from backends.local.backend import LocalBackend

    loaded = LocalBackend(settings).load(model)
    total, count = 0.0, 0
    for chat, reference in zip(conversations(0, every=True), references(), strict=True):
        messages = [m.model_dump(include={"role", "content"}) for m in chat]
        template = loaded.tokenizer.apply_chat_template
        prompt = template(messages, tokenize=False, add_generation_prompt=True)
        whole = template([*messages, {"role": "assistant", "content": reference}], tokenize=False)
        prompt_ids = loaded.tokenizer(prompt, return_tensors="pt")["input_ids"]
        ids = loaded.tokenizer(whole, return_tensors="pt")["input_ids"]
        labels = ids.clone()
        labels[:, : prompt_ids.shape[1]] = -100  # the answer's tokens only
        with torch.inference_mode():
            logits = loaded.model(input_ids=ids).logits.float()
        loss = torch.nn.functional.cross_entropy(
            logits[0, :-1], labels[0, 1:], ignore_index=-100, reduction="sum"
        )
        total += float(loss)
        count += int((labels[0, 1:] != -100).sum())
    return total / count


def references() -> list[str]:
    return [json.loads(line)["reference"] for line in (SCENARIO / "test.jsonl").open()]


def verdict(
    losses: dict[str, float], runs: dict[str, list[dict[str, Any]]], exact: list[str]
) -> None:
    """The pre-registered rule for the merged arm (the module's docstring)."""
    print("\n| held-out loss | nats per answer token | distance from all-float32 |")
    print("|---|---|---|")
    for name, loss in losses.items():
        print(f"| {name} | {loss:.4f} | {loss - losses['all-float32']:+.4f} |")
    exact_loss = losses["all-float32"]
    unmerged = [abs(losses[n] - exact_loss) for n in ("adapter float32", "adapter bfloat16")]
    effect = abs(losses["base, no adapter"] - exact_loss)
    merged = abs(losses["merged bfloat16"] - exact_loss)
    loss_ok = merged <= 2 * max(unmerged) and merged <= effect / 10
    same = {n: sum(a == b for a, b in zip(runs[n][0]["texts"], exact, strict=True)) for n in ARMS}
    answers_ok = (
        same["merged bfloat16"] >= min(same["adapter float32"], same["adapter bfloat16"]) - 3
    )
    print(
        f"\nrule: merged loss distance {merged:.4f} <= 2 x {max(unmerged):.4f} and <= "
        f"{effect:.4f} / 10: {loss_ok}; identical answers {same['merged bfloat16']} >= "
        f"min({same['adapter float32']}, {same['adapter bfloat16']}) - 3: {answers_ok}; "
        f"merged keeps quality: {loss_ok and answers_ok}"
    )


if __name__ == "__main__":
    main()
