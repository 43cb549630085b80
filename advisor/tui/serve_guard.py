"""Who may use ``advisor serve``: the access token and the websocket's Origin.

Pure functions (no aiohttp), so the rules are tested on their own.  The token
is the authentication: the page, the websocket and downloads need it (in the
URL, or in the cookie the page sets).  The Origin check is a second wall for
the websocket: a browser always sends ``Origin`` on a websocket handshake, so a
page from another site (or a DNS-rebound name) is refused even if it had the
token.  Clients without ``Origin`` are not browsers and still need the token.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

COOKIE = "advisor_serve_token"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def normalise_origin(url: str) -> str:
    """``scheme://host[:port]`` in lower case, default ports dropped; '' when not a URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    default = 80 if parts.scheme == "http" else 443
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def allowed_origins(
    host: str, port: int, *, public_url: str | None, extra: list[str]
) -> frozenset[str]:
    """Origins whose pages may open the websocket: loopback, the bound host, the public URL."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host not in WILDCARD_HOSTS:
        names.append(f"[{host}]" if ":" in host else host)
    found = {normalise_origin(f"http://{name}:{port}") for name in names}
    for url in [*(extra or []), *([public_url] if public_url else [])]:
        found.add(normalise_origin(url))
    found.discard("")
    return frozenset(found)


def origin_allowed(
    origin: str | None, host_header: str, scheme: str, allowed: frozenset[str], *, wildcard: bool
) -> bool:
    """True for no Origin (not a browser), a listed origin, or, on a wildcard bind, the
    page's own origin when the browser reached the server by IP address (an address
    cannot be DNS-rebound; a name must be listed with ``--public-url``/``--allow-origin``).
    """
    if origin is None:
        return True
    normalised = normalise_origin(origin)
    if normalised in allowed:
        return True
    if not wildcard or normalised != normalise_origin(f"{scheme}://{host_header}"):
        return False
    hostname = urlsplit(normalised).hostname or ""
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def token_matches(expected: str, *candidates: str | None) -> bool:
    """True when any candidate equals the token (compared in constant time)."""
    return any(
        c is not None and hmac.compare_digest(c.encode(), expected.encode()) for c in candidates
    )
