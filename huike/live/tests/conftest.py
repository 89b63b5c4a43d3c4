"""Live-update test helpers: a listener on the bus, uvicorn servers, SSE readers."""

from __future__ import annotations

import asyncio
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from huike.core.tenancy import tenant_context
from huike.core.tests.test_jobs import redis_url  # noqa: F401  (the shared Redis fixture)
from huike.live import bus

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["local", "redis"])
def backend(request, settings):
    """Each bus test runs on both backends."""
    settings.REDIS_URL = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    # Redis channels are server-wide: keep concurrent test runs apart.
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr(bus, "KEY_PREFIX", f"{bus.KEY_PREFIX}-test-{uuid.uuid4().hex}")
    return request.param


def subscribed(key: str) -> bool:
    if django_settings.REDIS_URL:
        client = bus.RedisBus.for_url(django_settings.REDIS_URL).client
        return client.pubsub_numsub(key)[0][1] > 0
    return any(key in s.keys for s in bus.LOCAL._subscriptions)


class Listener:
    """``subscribe(channels)`` of ``tenant`` consumed on an event loop of its own thread."""

    def __init__(self, tenant, channels: list[str]):
        with tenant_context(tenant):
            self.events = bus.subscribe(channels)
            self.key = bus.bus_keys(tenant.pk, channels)[0]
        self.received: queue.Queue = queue.Queue()
        self.started = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)
        self.thread.start()
        assert self.started.wait(5)
        deadline = time.monotonic() + 5
        while not subscribed(self.key):
            assert time.monotonic() < deadline, "the subscription never started"
            time.sleep(0.01)

    async def _run(self):
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        self.started.set()
        try:
            async for item in self.events:
                self.received.put(item)
        except asyncio.CancelledError:
            pass

    def get(self, timeout: float = 1.0):
        return self.received.get(timeout=timeout)

    def nothing_for(self, seconds: float = 0.3) -> bool:
        try:
            self.received.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self):
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(5)
        assert not self.thread.is_alive()


@pytest.fixture
def listen():
    listeners = []

    def make(tenant, channels: list[str]) -> Listener:
        listeners.append(Listener(tenant, channels))
        return listeners[-1]

    yield make
    for listener in listeners:
        listener.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, alive=lambda: True) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert alive(), "the server stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server never listened")


@pytest.fixture
def thread_server():
    """uvicorn serving the ASGI app in a thread of this process (the in-process bus)."""
    from huike.asgi import application

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_listening(port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    server.force_exit = True
    thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def process_servers(tmp_path, redis_url):  # noqa: F811
    """``start(n)`` → the URLs of uvicorn processes on the test database with ``REDIS_URL``."""
    name = connection.settings_dict["NAME"]
    (tmp_path / "live_e2e_settings.py").write_text(
        f"from huike.settings.test import *  # noqa\nDATABASES['default']['NAME'] = {str(name)!r}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="live_e2e_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        REDIS_URL=redis_url,
    )
    processes = []

    def start(count: int) -> list[str]:
        """``count`` servers, started side by side; their base URLs."""
        ports = [free_port() for _ in range(count)]
        for port in ports:
            cmd = [sys.executable, "-m", "uvicorn", "huike.asgi:application", "--port", str(port)]
            cmd += [
                "--host",
                "127.0.0.1",
                "--log-level",
                "warning",
                "--lifespan",
                "off",
                "--timeout-graceful-shutdown",
                "2",
            ]
            processes.append(subprocess.Popen(cmd, cwd=ROOT, env=env))
        for port, proc in zip(ports, processes[-count:], strict=True):
            wait_listening(port, alive=lambda proc=proc: proc.poll() is None)
        return [f"http://127.0.0.1:{port}" for port in ports]

    yield start
    for proc in processes:
        proc.terminate()
    for proc in processes:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def session_cookies(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value
    }


class EventReader:
    """An open SSE stream read line by line: ``next_event()`` → (event, data line, id)."""

    def __init__(self, base_url: str, user, channels: list[str]):
        self.client = httpx.Client(base_url=base_url, cookies=session_cookies(user), timeout=5)
        self.context = self.client.stream("GET", "/live/stream", params={"channel": channels})
        self.response = self.context.__enter__()
        self.lines = self.response.iter_lines()

    def block(self) -> dict[str, str]:
        """The next block of lines (up to a blank line) as {field: value}."""
        fields: dict[str, str] = {}
        for line in self.lines:
            if not line:
                if fields:
                    return fields
                continue
            name, _, value = line.partition(":")
            fields[name or "comment"] = value.strip()
        raise AssertionError("the stream ended")

    def close(self):
        self.context.__exit__(None, None, None)
        self.client.close()


@pytest.fixture
def open_stream():
    readers = []

    def make(base_url: str, user, channels: list[str]) -> EventReader:
        readers.append(EventReader(base_url, user, channels))
        return readers[-1]

    yield make
    for reader in readers:
        if not reader.client.is_closed:
            reader.close()
