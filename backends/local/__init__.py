"""The local backend: transformers on this machine, and TRL fine-tuning in a worker process.

``backends.local:LocalBackend`` is the entry point; the trainer, the worker and
the fine-tuning service live beside it and load only when a job needs them.
"""

from backends.local.backend import ADAPTER_INFO, LocalBackend, parse_fine_tuned_id, pick_device

__all__ = ["ADAPTER_INFO", "LocalBackend", "parse_fine_tuned_id", "pick_device"]
