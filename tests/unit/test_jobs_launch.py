"""The accelerate launch configuration for multi-GPU and multi-node training."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from backends.local.launch import (
    CONFIG_ENV,
    accelerate_config,
    main,
    worker_command,
    write_accelerate_config,
)


def test_single_machine_multi_gpu_config(tmp_path: Path):
    path = write_accelerate_config(tmp_path / "acc.yaml", num_processes=4)
    config = yaml.safe_load(path.read_text())
    assert config["distributed_type"] == "MULTI_GPU"
    assert config["num_processes"] == 4
    assert config["num_machines"] == 1
    assert config["mixed_precision"] == "bf16"
    assert "main_process_ip" not in config


def test_multi_node_config_needs_the_main_address():
    config = accelerate_config(
        num_processes=16, num_machines=2, machine_rank=1, main_process_ip="10.0.0.1"
    )
    assert (config["machine_rank"], config["main_process_ip"]) == (1, "10.0.0.1")
    assert config["main_process_port"] == 29500
    with pytest.raises(ValueError, match="main_process_ip"):
        accelerate_config(num_processes=16, num_machines=2)
    with pytest.raises(ValueError):
        accelerate_config(num_machines=2, machine_rank=2, main_process_ip="x")


def test_cpu_config_has_no_mixed_precision():
    config = accelerate_config(num_processes=2, use_cpu=True)
    assert (config["distributed_type"], config["mixed_precision"]) == ("MULTI_CPU", "no")


def test_accelerate_itself_reads_the_generated_file(tmp_path: Path):
    from accelerate.commands.config.config_args import load_config_from_file

    path = write_accelerate_config(tmp_path / "acc.yaml", num_processes=8)
    loaded = load_config_from_file(str(path))
    assert loaded.num_processes == 8
    assert str(loaded.distributed_type).endswith("MULTI_GPU")


def test_worker_command_uses_accelerate_when_configured(tmp_path: Path, monkeypatch):
    plain = worker_command("ftjob-1", resume=True)
    assert plain == [sys.executable, "-m", "backends.local.worker", "ftjob-1", "--resume"]
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "acc.yaml"))
    launched = worker_command("ftjob-1", resume=False)
    assert launched[:3] == [sys.executable, "-m", "accelerate.commands.launch"]
    assert launched[3:] == [
        "--config_file",
        str(tmp_path / "acc.yaml"),
        "-m",
        "backends.local.worker",
        "ftjob-1",
    ]


def test_the_command_line_writes_the_file(tmp_path: Path):
    out = tmp_path / "cfg.yaml"
    assert main(["--num-processes", "2", "--cpu", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["distributed_type"] == "MULTI_CPU"
