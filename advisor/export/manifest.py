"""What an export records: where the model came from and what was written.

``export-manifest.json`` in the output folder: base model, adapter, job, the
training data's fingerprint, the format, and every file with its sha256, so a
serving team can tell which tuned model a file is and check it arrived whole.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor import __version__

MANIFEST_FILE = "export-manifest.json"
ExportFormat = Literal["gguf", "safetensors", "ollama"]
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB chunks (GGUF files are hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class FileRecord(BaseModel):
    """One written file, relative to the export folder."""

    model_config = ConfigDict(extra="forbid")

    path: str
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def of(cls, root: Path, path: Path) -> FileRecord:
        return cls(
            path=path.relative_to(root).as_posix(),
            bytes=path.stat().st_size,
            sha256=sha256_file(path),
        )


class DataFingerprint(BaseModel):
    """A training or validation file of the job, hashed at export time."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["training", "validation"]
    path: str
    sha256: str | None = Field(
        default=None, description="None when the file is no longer where the job read it."
    )
    bytes: int | None = None


class ExportManifest(BaseModel):
    """``export-manifest.json``."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="The model reference as given to `advisor export`.")
    format: ExportFormat
    precision: str | None = Field(default=None, description="GGUF tensor type; None otherwise.")
    base_model: str
    adapter_path: str | None = None
    job_id: str | None = None
    method: str | None = None
    data: list[DataFingerprint] = Field(default_factory=list)
    files: list[FileRecord] = Field(default_factory=list)
    created_at: str = Field(
        default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    advisor_version: str = __version__


def fingerprint(role: Literal["training", "validation"], path: str) -> DataFingerprint:
    file = Path(path)
    if not file.is_file():
        return DataFingerprint(role=role, path=path)
    return DataFingerprint(
        role=role, path=path, sha256=sha256_file(file), bytes=file.stat().st_size
    )


def record_files(manifest: ExportManifest, root: Path) -> ExportManifest:
    """``manifest`` with every file under ``root`` (but itself) listed, sorted by path."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_FILE)
    return manifest.model_copy(update={"files": [FileRecord.of(root, p) for p in files]})


def write_manifest(manifest: ExportManifest, root: Path) -> Path:
    path = root / MANIFEST_FILE
    path.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path
