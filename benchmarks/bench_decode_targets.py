"""Issue 19's two decode-speed lines, with the onnx engine as the product serves it.

``bench_threads.py`` measures the thread policy on the torch engine; this script
puts the onnx engine (``local.engine = "onnx"``, ONNX Runtime GenAI, float32
by default) beside it in the same run:

* **under load** (``--busy`` spinning processes, default 2): batch-1 greedy
  decoding with torch's default threads and spinning OpenMP waits (what the
  product did before ``advisor/threads.py``: "today's default" in the issue)
  against the torch engine under the policy and the onnx engine under the
  policy; target: at least 5x the default;
* **idle**: batch-1 greedy decoding of the onnx engine under the policy,
  against the memory-bandwidth limit: the measured copy bandwidth over the
  bytes of weights read per generated token; target: 50%.  The bytes are the
  model's initializers less the tables only a Gather reads (an embedding
  lookup reads one row): about 560 MB for float32 (the issue's 538 MB plus
  the zero LoRA slots), about 173 MB for int8.  The copy bandwidth of this VM
  varies about 2x from one measurement to the next, so it is measured after
  every idle round and each round's percentage uses its own; the median of
  the rounds is the figure.

Arms are worker processes of ``bench_threads.py`` (torch) and
``bench_engine.py`` (onnx); models load and build untimed first; arms alternate
each round.  Speed is decode speed (tokens after the first over the time after
the first), so prefill does not count.

    nice .venv/bin/python benchmarks/bench_decode_targets.py [--rounds 3] [--tokens 32] \
        [--loaded-tokens 16] [--busy 2] [--precision fp32]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line
from bench_engine import Arm as EngineArm
from bench_threads import Arm as TorchArm
from bench_threads import busy_processes, copy_bandwidth, policy_threads, prepare_model


def weight_bytes(precision: str, model_path: str) -> int:
    """Bytes of weights one decoded token reads at batch 1 (see the module's docstring)."""
    import numpy as np
    import onnx
    from onnx import helper

    from advisor.settings import load_settings
    from backends.local.onnx_engine.build import ensure_built

    folder = ensure_built(load_settings().models_dir, Path(model_path), precision)
    model = onnx.load(str(folder / "model.onnx"), load_external_data=False)
    readers: dict[str, set[str]] = {}
    for node in model.graph.node:
        for name in node.input:
            readers.setdefault(name, set()).add(node.op_type)
    total = 0
    for init in model.graph.initializer:
        if readers.get(init.name) == {"Gather"}:  # a lookup table: one row per token
            continue
        count = int(np.prod(init.dims)) if init.dims else 1
        total += count * helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per phase")
    parser.add_argument("--tokens", type=int, default=32, help="tokens per idle generation")
    parser.add_argument("--loaded-tokens", type=int, default=16, help="tokens under load")
    parser.add_argument("--busy", type=int, default=2, help="busy processes for the load")
    parser.add_argument("--precision", default="fp32", help="the onnx arm's precision")
    args = parser.parse_args()

    model_path = prepare_model()
    engine = f"onnx-{args.precision}"
    idle_threads, loaded_threads = policy_threads(0.0), policy_threads(float(args.busy))
    torch_default = TorchArm(model_path, policy=False, threads=None)
    torch_policy = TorchArm(model_path, policy=True, threads=loaded_threads)
    onnx_loaded = EngineArm(engine, model_path, loaded_threads)
    onnx_idle = EngineArm(engine, model_path, idle_threads)
    arms = (torch_default, torch_policy, onnx_loaded, onnx_idle)
    try:
        for arm in arms:
            arm.wait_ready()
        with busy_processes(args.busy):
            loaded = interleave(
                {
                    "torch, default threads": lambda: torch_default.run(args.loaded_tokens),
                    "torch, policy": lambda: torch_policy.run(args.loaded_tokens),
                    f"{engine}, policy": lambda: onnx_loaded.decode(1, args.loaded_tokens),
                },
                args.rounds,
            )
        idle, bandwidths = [], []
        for _ in range(args.rounds):  # each round's speed against the bandwidth of its moment
            idle.append(onnx_idle.decode(1, args.tokens))
            bandwidths.append(copy_bandwidth(idle_threads))
    finally:
        for arm in arms:
            arm.close()
    per_token = weight_bytes(args.precision, model_path)
    report(args, loaded, idle, bandwidths, per_token, (idle_threads, loaded_threads))


def report(
    args: argparse.Namespace,
    loaded: dict[str, list[float]],
    idle: list[float],
    bandwidths: list[float],
    per_token: int,
    threads: tuple[int, int],
) -> None:
    print(machine_line())
    print(f"policy threads: {threads[1]} under {args.busy} busy processes, {threads[0]} idle")
    print()
    print(f"| under {args.busy} busy processes, batch 1 | decode tokens/s (median) | x default |")
    print("| --- | --- | --- |")
    base = median(loaded["torch, default threads"])
    for name, runs in loaded.items():
        listed = ", ".join(f"{r:.1f}" for r in runs)
        print(f"| {name} ({listed}) | {median(runs):.1f} | {median(runs) / base:.1f}x |")
    print()
    shares = [
        speed / (bandwidth / per_token) for speed, bandwidth in zip(idle, bandwidths, strict=True)
    ]
    print(
        f"idle, onnx-{args.precision}, batch 1: {median(idle):.1f} tokens/s "
        f"({', '.join(f'{r:.1f}' for r in idle)}); {per_token / 1e6:.0f} MB read per token; "
        f"copy bandwidth {', '.join(f'{b / 1e9:.1f}' for b in bandwidths)} GB/s; "
        f"share of each round's limit {', '.join(f'{x:.0%}' for x in shares)}: "
        f"median {median(shares):.0%} (target 50%)"
    )


if __name__ == "__main__":
    main()
