"""Errors of the OpenAI-shaped backends, translated into :mod:`advisor.errors` at one boundary.

:func:`translating` is the one place a vendor exception becomes an advisor
error: every SDK call of the ``openai`` and ``azure`` backends and of their
fine-tuning service runs inside it.  Messages are scrubbed first, so neither a
key nor a partial echo of one ever reaches a log, a report or the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from advisor.errors import (
    AdvisorError,
    AuthenticationError,
    BackendConnectionError,
    BackendError,
    BackendRequestError,
    BackendUnavailableError,
    JobError,
    JobNotFoundError,
    ModelNotFoundError,
    RateLimitError,
)

# Refusals that read like the end of self-serve fine-tuning rather than a bad request.
_WIND_DOWN = re.compile(r"no longer|not available|new users|deprecat|sunset|wind", re.IGNORECASE)
WIND_DOWN_HINT = (
    "this account may no longer create fine-tuning jobs; Azure OpenAI (--backend azure) "
    "and --backend local can (see docs/backends.md, wind-down)"
)
# Anything shaped like a key, even a short masked echo such as "sk-ab***yz".
_KEY_PATTERN = re.compile(r"\b(sk|sess|key)-[A-Za-z0-9_*.\-…]{2,}")
#: A run of this many characters of a secret is a partial echo of it.
ECHO_MIN_CHARS = 6


def scrub(text: str, secrets: Sequence[str | None] = ()) -> str:
    """``text`` without API keys: the given secrets, any part of them, and key-shaped words.

    Providers echo keys in error messages, whole or in part ("Incorrect API key
    provided: sk-abc***xyz", "key ending in ...Q3xZ9a", the first half of an
    Azure key); none of that may reach logs or reports.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    hidden = [False] * len(text)
    for secret in secrets:
        for start in range(max(0, len(secret or "") - ECHO_MIN_CHARS + 1)):
            piece = (secret or "")[start : start + ECHO_MIN_CHARS]
            found = text.find(piece)
            while found != -1:
                hidden[found : found + ECHO_MIN_CHARS] = [True] * ECHO_MIN_CHARS
                found = text.find(piece, found + 1)
    kept: list[str] = []
    for index, char in enumerate(text):
        if not hidden[index]:
            kept.append(char)
        elif index == 0 or not hidden[index - 1]:
            kept.append("****")
    return _KEY_PATTERN.sub(lambda m: m.group(1) + "-****", "".join(kept))


def _provider_message(exc: Exception) -> str:
    """The provider's own one-line explanation, without the SDK's "Error code: N - {...}"."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    message = getattr(exc, "message", None)
    return str(message if isinstance(message, str) else exc)


def error_code(exc: Exception) -> str | None:
    """The provider's machine-readable error code, e.g. ``insufficient_quota``."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def translate_error(
    exc: Exception,
    *,
    backend: str,
    action: str,
    secrets: Sequence[str | None] = (),
    model: str | None = None,
    job_id: str | None = None,
    endpoint: str | None = None,
) -> AdvisorError:
    """Map an exception from the openai SDK to the product's error hierarchy.

    ``action`` is a short phrase ("chat", "create the fine-tuning job") used in
    the message; ``job_id`` marks job operations, whose refusals become
    :class:`JobError` and whose 404s become :class:`JobNotFoundError`.
    Unknown exceptions become :class:`BackendError`.  Call it as
    ``raise translate_error(exc, ...) from exc``.
    """

    key_var = "AZURE_OPENAI_API_KEY" if backend == "azure" else "OPENAI_API_KEY"
    detail = scrub(_provider_message(exc), secrets).rstrip(".")
    where = endpoint or backend
    refused = _refused(exc, backend, action, detail, key_var, model=model, job_id=job_id)
    if refused is not None:
        return refused
    return _failed(exc, backend, action, detail, key_var, where, secrets, is_job=job_id is not None)


def _refused(
    exc: Exception,
    backend: str,
    action: str,
    detail: str,
    key_var: str,
    *,
    model: str | None,
    job_id: str | None,
) -> AdvisorError | None:
    """Keys, permissions, missing things and quotas; None for every other exception."""
    import openai

    is_job = job_id is not None
    if isinstance(exc, openai.AuthenticationError):
        # The provider's text may quote the key; say only what to do.
        return AuthenticationError(
            f"the {backend} backend rejected the API key while trying to {action}",
            hint=f"check {key_var} or choose --backend local",
        )
    if isinstance(exc, openai.PermissionDeniedError):
        hint = "check the key's project permissions"
        if is_job:
            return JobError(
                f"the {backend} backend refused to {action}: {detail}", hint=WIND_DOWN_HINT
            )
        return AuthenticationError(
            f"the {backend} backend refused to {action}: {detail}", hint=hint
        )
    if isinstance(exc, openai.NotFoundError):
        if is_job and job_id:
            return JobNotFoundError(
                f"the {backend} backend has no job {job_id!r}",
                hint="see `advisor jobs list`",
            )
        if model:
            return ModelNotFoundError(
                f"the {backend} backend has no model {model!r}: {detail}",
                hint="check --model (on Azure: the deployment name)",
            )
        return BackendRequestError(f"the {backend} backend could not {action}: {detail}")
    if isinstance(exc, openai.RateLimitError):
        if error_code(exc) == "insufficient_quota":
            return RateLimitError(
                f"the {backend} account has no quota left to {action}",
                hint="add credit or raise the quota, or choose --backend local",
            )
        return RateLimitError(
            f"the {backend} backend kept rate-limiting the request to {action}",
            hint="wait a minute or lower the concurrency",
        )
    return None


def _failed(
    exc: Exception,
    backend: str,
    action: str,
    detail: str,
    key_var: str,
    where: str,
    secrets: Sequence[str | None],
    *,
    is_job: bool,
) -> AdvisorError:
    """Timeouts, connections, server errors, other refusals, and anything unknown."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return BackendConnectionError(
            f"{where} did not answer in time when trying to {action}",
            hint="retry later or raise the timeout_s setting",
        )
    if isinstance(exc, openai.APIConnectionError):
        return BackendConnectionError(
            f"cannot reach {where} to {action}",
            hint="check the network or the base_url/endpoint setting",
        )
    if isinstance(exc, openai.InternalServerError) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
    ):
        return BackendError(
            f"{where} failed with a server error while trying to {action}: {detail}",
            hint="retry later",
        )
    if isinstance(exc, openai.APIStatusError):  # 400, 409, 422 and other refusals
        if is_job:
            wind_down = WIND_DOWN_HINT if _WIND_DOWN.search(detail) else None
            return JobError(f"the {backend} backend refused to {action}: {detail}", hint=wind_down)
        return BackendRequestError(f"the {backend} backend refused to {action}: {detail}")
    if isinstance(exc, openai.APIResponseValidationError):
        return BackendError(f"{where} sent an unexpected response while trying to {action}")
    if isinstance(exc, openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError):
        return BackendRequestError(f"the {backend} backend stopped the answer: {detail}")
    if isinstance(exc, openai.OpenAIError):
        return BackendUnavailableError(
            f"the {backend} backend is not configured: {scrub(str(exc), secrets)}",
            hint=f"set {key_var} or choose --backend local",
        )
    return BackendError(f"the {backend} backend failed to {action}: {scrub(str(exc), secrets)}")


@contextmanager
def translating(
    backend: str,
    action: str,
    secrets: Sequence[str | None] = (),
    *,
    model: str | None = None,
    job_id: str | None = None,
    endpoint: str | None = None,
) -> Iterator[None]:
    """Run SDK calls; a vendor exception leaves as the matching advisor error.

    Advisor errors pass unchanged, so nested blocks translate once::

        with translating("openai", "chat", secrets=(key,), model=name):
            response = client.chat.completions.create(...)
    """
    try:
        yield
    except AdvisorError:
        raise
    except Exception as exc:  # the boundary: every vendor failure becomes one of ours
        raise translate_error(
            exc,
            backend=backend,
            action=action,
            secrets=secrets,
            model=model,
            job_id=job_id,
            endpoint=endpoint,
        ) from exc
