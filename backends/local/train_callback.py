"""The trainer's window on the job: progress into the job store, cancel and pause out.

:class:`StoreCallback` mirrors what TRL's trainer logs and saves (metrics,
checkpoints, thread changes) as job events, and stops training at the end of a
step when the worker's :class:`Controls` ask for a pause or a cancel.  It lives
apart from :mod:`backends.local.trainer` only to keep that module short; the
trainer adds it to every job it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.messages import Localized
from advisor.threads import ThreadGovernor
from backends.job_store import JobStore, new_id
from backends.jobs import Checkpoint, FineTuneJob, JobEvent, said_event


@dataclass
class Controls:
    """Flags the worker sets (signals, control files); polled once per step."""

    should_cancel: Callable[[], bool]
    should_pause: Callable[[], bool]


def emit(store: JobStore, job_id: str, message: str | Localized, **kwargs: Any) -> None:
    """Add an event to the job's log: a catalog sentence (:func:`said_event`) is stored with its
    English; a plain string (a message that quotes no template) as written."""
    if isinstance(message, Localized):
        store.add_event(job_id, JobEvent.said(new_id("ftevent"), message, **kwargs))
    else:
        store.add_event(job_id, JobEvent(id=new_id("ftevent"), message=message, **kwargs))


class StoreCallback:
    """Mirrors the trainer's progress into the job store; stops on cancel or pause."""

    def __init__(
        self,
        store: JobStore,
        job: FineTuneJob,
        controls: Controls,
        is_main: bool,
        governor: ThreadGovernor | None = None,
    ) -> None:
        self.store, self.job, self.controls, self.is_main = store, job, controls, is_main
        self.governor = governor
        self.stopped: str | None = None
        self._last_time = time.perf_counter()
        self._last_tokens = 0
        self._last_metrics: dict[str, float] = {}

    def callback(self) -> Any:
        from transformers import TrainerCallback

        outer = self

        class _Callback(TrainerCallback):
            def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer._last_tokens = state.num_input_tokens_seen or 0
                outer._last_time = time.perf_counter()
                if outer.is_main:
                    message = said_event("training", steps=state.max_steps, step=state.global_step)
                    data = {"step": state.global_step, "total_steps": state.max_steps}
                    emit(outer.store, outer.job.id, message, data=data)

            def on_log(
                self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any
            ) -> None:
                if outer.is_main and logs:
                    outer.on_log(state, logs)

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer.rethread()
                pause, cancel = outer.requests()
                if pause:
                    outer.stopped = "paused"
                    control.should_save = True
                    control.should_training_stop = True
                elif cancel:
                    outer.stopped = "cancelled"
                    control.should_training_stop = True

            def on_save(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                if outer.is_main:
                    outer.on_save(args, state)

        return _Callback()

    def rethread(self) -> None:
        """Follow the cores other processes leave free (a bench answering beside the job)."""
        changed = self.governor.check() if self.governor is not None else None
        if changed is not None and self.is_main:
            message = said_event(
                "threads",
                threads=changed.threads,
                others=f"{changed.others:.1f}",
                seconds=f"{changed.seconds:.0f}",
            )
            data = {"threads": changed.threads, "others_cores": round(changed.others, 2)}
            emit(self.store, self.job.id, message, data=data)

    def requests(self) -> tuple[bool, bool]:
        """(pause, cancel), decided by the main process so that every rank stops together."""
        flags = [self.controls.should_pause(), self.controls.should_cancel()]
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.broadcast_object_list(flags, src=0)
        return bool(flags[0]), bool(flags[1])

    def on_log(self, state: Any, logs: dict[str, Any]) -> None:
        now = time.perf_counter()
        tokens = state.num_input_tokens_seen or 0
        data: dict[str, Any] = {
            "step": state.global_step,
            "total_steps": state.max_steps,
            "epoch": round(state.epoch or 0.0, 4),
        }
        for key, name in (
            ("loss", "loss"),
            ("learning_rate", "learning_rate"),
            ("eval_loss", "eval_loss"),
            ("reward", "reward_mean"),
            ("reward_std", "reward_std"),
            ("rewards/chosen", "rewards_chosen"),
            ("rewards/accuracies", "reward_accuracy"),
        ):
            if isinstance(logs.get(key), int | float):
                data[name] = float(logs[key])
        if "loss" in data and now > self._last_time and tokens > self._last_tokens:
            data["tokens_per_second"] = round(
                (tokens - self._last_tokens) / (now - self._last_time), 2
            )
            self._last_time, self._last_tokens = now, tokens
        if not any(k in data for k in ("loss", "eval_loss", "reward_mean")):
            return  # the end-of-training summary: runtime figures, no metrics
        self._last_metrics.update({k: v for k, v in data.items() if isinstance(v, float)})
        parts = [f"{k}={v:.4g}" for k, v in data.items() if k not in ("total_steps",)]
        emit(
            self.store,
            self.job.id,
            said_event(
                "step", step=state.global_step, total=state.max_steps, metrics=", ".join(parts[1:])
            ),
            type="metrics",
            data=data,
        )

    def on_save(self, args: Any, state: Any) -> None:
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        metrics = {k: v for k, v in self._last_metrics.items() if k != "epoch"}
        checkpoint = Checkpoint(
            id=f"ftckpt-{self.job.id.removeprefix('ftjob-')[:12]}-{state.global_step}",
            step=state.global_step,
            metrics=metrics,
            location=str(folder),
        )
        self.store.add_checkpoint(self.job.id, checkpoint)
        emit(
            self.store,
            self.job.id,
            said_event("checkpoint", step=state.global_step),
            data={"step": state.global_step, "location": str(folder)},
        )
