"""Test helpers shared by every app: API clients with bearer keys and the concurrency harness.

``fire_concurrently`` starts N threads that wait at one barrier and then all call at once —
against the live server over HTTP (real concurrent requests, each on its own database
connection) or straight at a service. Later issues use it for coupons, stored value, table slots
and lead claims.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from django.db import connections
from django.test import Client

from .api_auth import api_key_create


@dataclass
class Outcome:
    index: int
    value: object = None
    error: BaseException | None = None


def fire_concurrently(
    call: Callable[[int], object], n: int, *, timeout: float = 60
) -> list[Outcome]:
    """Run ``call(i)`` for i in range(n) in n threads released at the same instant."""
    barrier = threading.Barrier(n)
    outcomes = [Outcome(i) for i in range(n)]

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[i].value = call(i)
        except BaseException as exc:  # collected for the test to assert on
            outcomes[i].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if any(t.is_alive() for t in threads):
        raise TimeoutError("concurrent calls did not finish in time")
    return outcomes


def fire_requests(
    base_url: str, requests: list[dict], *, timeout: float = 60
) -> list[httpx.Response]:
    """Send each request dict (method, path, headers, json) at the same instant, one HTTP
    connection per request; returns the responses in order (errors are raised)."""

    def send(i: int):
        spec = requests[i]
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            return client.request(
                spec.get("method", "GET"),
                spec["path"],
                headers=spec.get("headers"),
                json=spec.get("json"),
            )

    outcomes = fire_concurrently(send, len(requests), timeout=timeout)
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return [o.value for o in outcomes]


class ApiClient:
    """Django's test client speaking JSON to /api/v1 with a bearer key of ``user``."""

    def __init__(self, user, *, language: str | None = None):
        _, self.key = api_key_create(user=user, name="test")
        self.client = Client()
        self.language = language

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.key}"}
        if self.language:
            headers["Accept-Language"] = self.language
        return {**headers, **(extra or {})}

    def _send(self, method: str, path: str, data=None, headers: dict | None = None, raw=None):
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs = {"headers": self.headers(headers)}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **kw):
        return self._send("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self._send("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self._send("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self._send("put", path, data, **kw)

    def delete(self, path, **kw):
        return self._send("delete", path, **kw)


def assert_problem(response, status: int, code: str, fields=()) -> dict:
    """Assert the API answered ``status`` with the problem body ``{code, message, fields}``
    carrying ``code`` and an error for each of ``fields``; returns the body."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code and body["message"], body
    assert set(fields) <= set(body["fields"]), body["fields"]
    return body
