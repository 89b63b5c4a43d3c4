"""Who is acting and from where, for the current request, job or command.

Set by the middleware for web requests; services read it to stamp audit entries.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("huike_client_ip", default=None)


def client_ip() -> str | None:
    return _client_ip.get()


@contextlib.contextmanager
def request_origin(ip: str | None):
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)


def ip_from_request(request) -> str | None:
    """The client's address. Behind a proxy set HUIKE_TRUSTED_PROXY_HOPS (see operations docs)."""
    from django.conf import settings

    hops = getattr(settings, "HUIKE_TRUSTED_PROXY_HOPS", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR") or None
