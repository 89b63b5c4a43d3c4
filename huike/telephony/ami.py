"""Asterisk Manager Interface (AMI) adapter: a listener that logs in over TCP, reads events and
turns each ringing inbound call into ``services.call_receive`` (source "ami"), reconnecting
when the connection drops. Run by ``manage.py ami_listen``; see decision 0023.

AMI speaks lines of ``Key: Value`` ending in CRLF, one blank line closing each message. A call
rings when a channel is created or changes state with ``ChannelStateDesc`` Ring (the inbound
channel) or Ringing (a phone ringing for it): ``Event: Newchannel`` / ``Event: Newstate``. The
call id is the ``Linkedid`` (shared by every channel of one call, so the pop comes once) or the
``Uniqueid``; the caller is ``CallerIDNum``, the called number ``Exten``. Configure the inbound
contexts (``--context from-trunk``) so that calls placed from the store's own phones, whose
channels also start in state Ring, are not taken for incoming ones.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

RINGING_EVENTS = {"Newchannel", "Newstate"}
RINGING_STATES = {"Ring", "Ringing"}
UNKNOWN_CALLER = {"", "<unknown>", "unknown", "anonymous"}


class AmiLoginFailed(Exception):
    """The AMI refused the username or secret (reconnecting would not help)."""


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str
    reconnect_delay: float = 2.0
    timeout: float = 10.0
    contexts: frozenset[str] = frozenset()  # inbound dialplan contexts; empty: every context


def encode(message: dict) -> bytes:
    return "".join(f"{key}: {value}\r\n" for key, value in message.items()).encode() + b"\r\n"


async def read_message(reader: asyncio.StreamReader) -> dict:
    """The next message as a dict; ConnectionError when the server hangs up."""
    message: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("AMI connection closed")
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if not text:
            if message:
                return message
            continue
        key, _sep, value = text.partition(":")
        message[key.strip()] = value.strip()


def ringing_call(
    event: dict, contexts: frozenset[str] = frozenset()
) -> tuple[str, str, str] | None:
    """``(call_id, caller, called)`` of an event announcing a ringing call, else None. With
    ``contexts``, only channels in those dialplan contexts (the trunks' inbound ones) count, so
    a desk phone dialling out never pops."""
    if event.get("Event") not in RINGING_EVENTS:
        return None
    if event.get("ChannelStateDesc") not in RINGING_STATES:
        return None
    if contexts and event.get("Context") not in contexts:
        return None
    call_id = event.get("Linkedid") or event.get("Uniqueid") or ""
    if not call_id:
        return None
    caller = event.get("CallerIDNum", "")
    caller = "" if caller.lower() in UNKNOWN_CALLER else caller
    return call_id, caller, event.get("Exten", "")


class AmiListener:
    """Listens to one AMI and hands each ringing call to ``on_call(call_id, caller, called)``
    (a blocking function, run in a worker thread). ``run`` returns when ``stop`` is set and
    raises AmiLoginFailed on a refused login."""

    def __init__(self, settings: AmiSettings, on_call: Callable[[str, str, str], object]):
        self.settings = settings
        self.on_call = on_call
        self.stop = asyncio.Event()
        self.connected = asyncio.Event()
        self.sessions = 0
        self.handled: list[object] = []
        self._ids = itertools.count(1)

    async def run(self) -> None:
        while not self.stop.is_set():
            try:
                await self._session()
            except (ConnectionError, OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                self.connected.clear()
                if self.stop.is_set():
                    return
                log.warning("AMI connection lost (%s); reconnecting", exc)
                try:
                    await asyncio.wait_for(self.stop.wait(), self.settings.reconnect_delay)
                except TimeoutError:
                    pass

    async def _session(self) -> None:
        s = self.settings
        reader, writer = await asyncio.wait_for(asyncio.open_connection(s.host, s.port), s.timeout)
        try:
            banner = await asyncio.wait_for(reader.readline(), s.timeout)
            if not banner.startswith(b"Asterisk Call Manager"):
                raise ConnectionError(f"not an AMI: {banner[:60]!r}")
            await self._login(reader, writer)
            self.sessions += 1
            self.connected.set()
            log.info("AMI logged in to %s:%s", s.host, s.port)
            await self._read_events(reader)
        finally:
            writer.close()

    async def _login(self, reader, writer) -> None:
        action_id = str(next(self._ids))
        s = self.settings
        login = {"Action": "Login", "ActionID": action_id, "Username": s.username}
        writer.write(encode({**login, "Secret": s.secret}))
        await writer.drain()
        while True:
            reply = await asyncio.wait_for(read_message(reader), s.timeout)
            if "Response" in reply and reply.get("ActionID", action_id) == action_id:
                break
        if reply["Response"] != "Success":
            raise AmiLoginFailed(reply.get("Message", "Authentication failed"))

    async def _read_events(self, reader) -> None:
        stopping = asyncio.ensure_future(self.stop.wait())
        try:
            while not self.stop.is_set():
                reading = asyncio.ensure_future(read_message(reader))
                done, _pending = await asyncio.wait(
                    {reading, stopping}, return_when=asyncio.FIRST_COMPLETED
                )
                if reading not in done:
                    reading.cancel()
                    return
                call = ringing_call(reading.result(), self.settings.contexts)
                if call is not None:
                    await self._handle(*call)
        finally:
            stopping.cancel()

    async def _handle(self, call_id: str, caller: str, called: str) -> None:
        try:
            result = await asyncio.to_thread(self.on_call, call_id, caller, called)
        except Exception:  # one bad call must not stop the listener
            log.exception("AMI call %s could not be stored", call_id)
            return
        self.handled.append(result)


def line_receiver(line_pk: int) -> Callable[[str, str, str], object]:
    """The ``on_call`` storing calls on one line, in the line's tenant."""
    from django.db import connections

    from huike.core.tenancy import tenant_context

    from .models import IncomingCall, TelephonyLine
    from .services import call_receive

    def on_call(call_id: str, caller: str, called: str):
        try:
            line = TelephonyLine.all_tenants.select_related("tenant").get(pk=line_pk)
            with tenant_context(line.tenant):
                return call_receive(
                    line=line,
                    call_id=call_id,
                    caller=caller,
                    called=called,
                    source=IncomingCall.Source.AMI,
                )
        finally:  # a worker thread's connection, closed (calls are few)
            connections.close_all()

    return on_call
