"""Multi-GPU and multi-node training: ``accelerate launch`` configuration and command.

The worker is ordinary Hugging Face Trainer code, so the same job runs on one
CPU, one GPU or many, and only the launcher changes::

    python -m backends.local.launch --num-processes 8 --out accelerate.yaml
    export ADVISOR_ACCELERATE_CONFIG=$PWD/accelerate.yaml
    advisor tune create --method sft --train data.jsonl --backend local --wait

With ``ADVISOR_ACCELERATE_CONFIG`` set, :class:`LocalFineTuning` starts the
worker as ``python -m accelerate.commands.launch --config_file <file> -m
backends.local.worker JOB_ID`` instead of ``python -m backends.local.worker JOB_ID``.
For several machines, generate one file per machine (``--machine-rank``) with
the same ``--main-process-ip`` and start the job's worker on each.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Literal

import yaml

CONFIG_ENV = "ADVISOR_ACCELERATE_CONFIG"
Precision = Literal["no", "fp16", "bf16"]


def accelerate_config(
    *,
    num_processes: int = 1,
    num_machines: int = 1,
    machine_rank: int = 0,
    main_process_ip: str | None = None,
    main_process_port: int = 29500,
    mixed_precision: Precision = "bf16",
    use_cpu: bool = False,
) -> dict[str, Any]:
    """The content of an accelerate config file (``accelerate config``'s format).

    ``num_processes`` counts processes over all machines (one per GPU).
    """
    if num_processes < 1 or num_machines < 1 or not 0 <= machine_rank < num_machines:
        raise ValueError("need num_processes >= 1, num_machines >= 1, 0 <= machine_rank < machines")
    if num_machines > 1 and not main_process_ip:
        raise ValueError("several machines need main_process_ip (the rank-0 machine's address)")
    if use_cpu:
        distributed = "MULTI_CPU" if num_processes > 1 else "NO"
    else:
        distributed = "MULTI_GPU" if num_processes > 1 else "NO"
    config: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE",
        "distributed_type": distributed,
        "num_processes": num_processes,
        "num_machines": num_machines,
        "machine_rank": machine_rank,
        "mixed_precision": "no" if use_cpu else mixed_precision,
        "use_cpu": use_cpu,
        "gpu_ids": "all",
        "main_training_function": "main",
        "rdzv_backend": "static",
        "same_network": True,
        "downcast_bf16": "no",
        "debug": False,
        "tpu_env": [],
        "tpu_use_cluster": False,
        "tpu_use_sudo": False,
    }
    if num_machines > 1:
        config["main_process_ip"] = main_process_ip
        config["main_process_port"] = main_process_port
    return config


def write_accelerate_config(path: Path, **options: Any) -> Path:
    """Write :func:`accelerate_config` as YAML to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(accelerate_config(**options), sort_keys=False))
    return path


def worker_command(job_id: str, *, resume: bool, config: Path | None = None) -> list[str]:
    """The command that runs a job's worker, under accelerate when a config is given."""
    config = config or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    tail = ["backends.local.worker", job_id, *(["--resume"] if resume else [])]
    if config is None:
        return [sys.executable, "-m", *tail]
    launcher = [sys.executable, "-m", "accelerate.commands.launch"]
    return [*launcher, "--config_file", str(config), "-m", *tail]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backends.local.launch",
        description="Write an accelerate config for multi-GPU or multi-node local fine-tuning.",
    )
    parser.add_argument("--num-processes", type=int, default=1, help="processes in all (GPUs)")
    parser.add_argument("--num-machines", type=int, default=1)
    parser.add_argument("--machine-rank", type=int, default=0)
    parser.add_argument("--main-process-ip")
    parser.add_argument("--main-process-port", type=int, default=29500)
    parser.add_argument("--mixed-precision", choices=["no", "fp16", "bf16"], default="bf16")
    parser.add_argument("--cpu", action="store_true", help="CPU processes instead of GPUs")
    parser.add_argument("--out", type=Path, help="file to write; default: print it")
    args = parser.parse_args(argv)
    try:
        config = accelerate_config(
            num_processes=args.num_processes,
            num_machines=args.num_machines,
            machine_rank=args.machine_rank,
            main_process_ip=args.main_process_ip,
            main_process_port=args.main_process_port,
            mixed_precision=args.mixed_precision,
            use_cpu=args.cpu,
        )
    except ValueError as exc:
        parser.error(str(exc))
    text = yaml.safe_dump(config, sort_keys=False)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
