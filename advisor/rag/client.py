"""Chroma clients: embedded (persistent folder) by default, a server when a URL is given.

Chroma is imported here only, inside functions, and its exceptions are
translated to :class:`~advisor.errors.KnowledgeBaseError` at this boundary.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from advisor.errors import ConfigError, KnowledgeBaseError


def _chroma_settings() -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from chromadb.config import Settings as ChromaConfig

    return ChromaConfig(anonymized_telemetry=False)


def persistent_client(path: Path) -> Any:
    import chromadb

    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise KnowledgeBaseError.from_catalog(
            "core.rag.cannot_open_chroma",
            hint_key="core.rag.cannot_open_chroma_hint",
            path=path,
            error=exc,
        ) from exc


def http_client(url: str) -> Any:
    """A client for ``chroma run`` at ``url`` (http://host:port); checks the heartbeat."""
    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError.from_catalog(
            "core.rag.invalid_url", hint_key="core.rag.invalid_url_hint", url=repr(url)
        )
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 8000)
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=ssl, settings=_chroma_settings()
        )
        client.heartbeat()
    except Exception as exc:
        raise KnowledgeBaseError.from_catalog(
            "core.rag.unreachable", hint_key="core.rag.unreachable_hint", url=url
        ) from exc
    return client


def is_not_found(exc: Exception) -> bool:
    """Chroma says "does not exist" differently in embedded and client/server modes."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)
