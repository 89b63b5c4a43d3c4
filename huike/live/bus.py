"""The live-update bus: business code publishes small events on named channels, the SSE stream
subscribes to them.

Channels are strings such as ``store:12:floor``; on the bus they are prefixed with the active
tenant's id, so one brand group never receives another's events. Events are sent once the
current transaction commits. With ``REDIS_URL`` set they travel over Redis pub/sub (every web
process sees them); otherwise an in-process broadcaster carries them between the threads and the
event loop of the one server process.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator

from django.conf import settings
from django.db import transaction

from huike.core.tenancy import require_active_tenant

KEY_PREFIX = "huike:live"
QUEUE_SIZE = 1000  # events kept for a slow listener before the newest are dropped


def publish(channel: str, event: str, data: dict) -> None:
    """Send ``event`` with ``data`` (JSON-serialisable) to the listeners of ``channel`` of the
    active tenant, after the current transaction commits (at once outside one)."""
    key = _key(require_active_tenant().pk, channel)
    message = json.dumps(
        {"channel": channel, "event": event, "data": data, "id": f"{time.time_ns():x}"},
        ensure_ascii=False,
    )
    transaction.on_commit(lambda: _backend().send(key, message), robust=True)


def subscribe(channels: list[str]) -> AsyncIterator[tuple[str, str, dict]]:
    """``(channel, event, data)`` for every event published on ``channels`` of the active tenant
    from now on. The tenant is read when called, so call it where it is active (the view)."""
    keys = [_key(require_active_tenant().pk, channel) for channel in channels]
    return _events(keys)


async def _events(keys: list[str]) -> AsyncIterator[tuple[str, str, dict]]:
    async for message in listen(keys):
        if message is not None:
            yield message["channel"], message["event"], message["data"]


async def listen(keys: list[str], idle: float | None = None) -> AsyncIterator[dict | None]:
    """The messages published on the bus ``keys``: first ``None`` once subscribed, then each
    message, and ``None`` again after each ``idle`` seconds without one (the stream's heartbeat)."""
    subscription = _backend().subscription(keys)
    await subscription.start()
    try:
        yield None
        while True:
            message = await subscription.get(idle)
            yield json.loads(message) if message is not None else None
    finally:
        await subscription.stop()


def bus_keys(tenant_id: int, channels: list[str]) -> list[str]:
    return [_key(tenant_id, channel) for channel in channels]


def _key(tenant_id: int, channel: str) -> str:
    return f"{KEY_PREFIX}:{tenant_id}:{channel}"


def _backend():
    return RedisBus.for_url(settings.REDIS_URL) if settings.REDIS_URL else LOCAL


# --- In-process backend ----------------------------------------------------------------------
class LocalBus:
    """Fans messages out to the subscriptions of this process, from any thread to the event loop
    each subscription waits on."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscriptions: set[LocalSubscription] = set()

    def send(self, key: str, message: str) -> None:
        with self._lock:
            targets = [s for s in self._subscriptions if key in s.keys]
        for subscription in targets:
            subscription.offer(message)

    def subscription(self, keys: list[str]) -> LocalSubscription:
        return LocalSubscription(self, keys)

    def add(self, subscription: LocalSubscription) -> None:
        with self._lock:
            self._subscriptions.add(subscription)

    def remove(self, subscription: LocalSubscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)


class LocalSubscription:
    def __init__(self, bus: LocalBus, keys: list[str]):
        self.bus, self.keys = bus, frozenset(keys)
        self.queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.bus.add(self)

    async def stop(self) -> None:
        self.bus.remove(self)

    def offer(self, message: str) -> None:
        try:
            self.loop.call_soon_threadsafe(self._put, message)
        except RuntimeError:  # the loop has closed: the listener is gone
            self.bus.remove(self)

    def _put(self, message: str) -> None:
        if not self.queue.full():
            self.queue.put_nowait(message)

    async def get(self, timeout: float | None) -> str | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


LOCAL = LocalBus()


# --- Redis backend ---------------------------------------------------------------------------
class RedisBus:
    """Redis pub/sub: a synchronous client publishes, each subscription has an asyncio one."""

    _instances: dict[str, RedisBus] = {}

    def __init__(self, url: str):
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)

    @classmethod
    def for_url(cls, url: str) -> RedisBus:
        if url not in cls._instances:
            cls._instances[url] = cls(url)
        return cls._instances[url]

    def send(self, key: str, message: str) -> None:
        self.client.publish(key, message)

    def subscription(self, keys: list[str]) -> RedisSubscription:
        return RedisSubscription(self.url, keys)


class RedisSubscription:
    def __init__(self, url: str, keys: list[str]):
        from redis import asyncio as aioredis

        self.keys = keys
        self.client = aioredis.Redis.from_url(url)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)

    async def start(self) -> None:
        await self.pubsub.subscribe(*self.keys)

    async def stop(self) -> None:
        await self.pubsub.aclose()
        await self.client.aclose()

    async def get(self, timeout: float | None) -> str | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            message = await self.pubsub.get_message(timeout=wait)
            if message is not None and message["type"] == "message":
                return message["data"].decode()
            if deadline is not None and time.monotonic() >= deadline:
                return None
