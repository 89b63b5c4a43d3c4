"""The AMI path over real TCP, through the local stand-in AMI."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import CommandError, call_command

from huike.guests.services import guest_create
from huike.telephony import services
from huike.telephony.ami import (
    AmiListener,
    AmiLoginFailed,
    AmiSettings,
    line_receiver,
    ringing_call,
)
from huike.telephony.ami_standin import AmiStandIn, ringing_event
from huike.telephony.models import IncomingCall


def run_apart(coroutine):
    """``asyncio.run`` in a thread of its own: a browser test earlier in the session may leave
    this thread inside a running event loop (Playwright's sync API)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def live_line(live_org):
    hq = live_org["users"]["hq"]
    return services.line_create(acting_user=hq, store=live_org["store"], name="总机", code="pbx")


def listener_for(stand_in: AmiStandIn, line, *, secret="secret") -> AmiListener:
    settings = AmiSettings(
        host="127.0.0.1",
        port=stand_in.port,
        username="huike",
        secret=secret,
        reconnect_delay=0.05,
        timeout=5,
    )
    return AmiListener(settings, line_receiver(line.pk))


async def handled(listener: AmiListener, count: int, timeout: float = 10) -> None:
    async def reached():
        while len(listener.handled) < count:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(reached(), timeout)


def test_a_ringing_call_through_the_ami_is_stored_and_popped(live_line, live_org, published):
    guest = guest_create(
        acting_user=live_org["users"]["hq"], name="王芳", primary_phone="13800138000"
    )

    async def scenario():
        stand_in = AmiStandIn()
        await stand_in.start()
        listener = listener_for(stand_in, live_line)
        task = asyncio.create_task(listener.run())
        await stand_in.wait_for(logins=1)
        await stand_in.emit({"Event": "FullyBooted", "Status": "Fully Booted"})
        await stand_in.emit(ringing_event(caller="13800138000", uniqueid="1700000000.1"))
        ringing = ringing_event(caller="13800138000", uniqueid="1700000000.1", state="Ringing")
        await stand_in.emit({**ringing, "Event": "Newstate"})  # the same call again
        await handled(listener, 2)
        listener.stop.set()
        await asyncio.wait_for(task, 5)
        await stand_in.close()
        return listener

    listener = run_apart(scenario())
    call = IncomingCall.objects.get()
    assert (call.call_id, call.source, call.guest_id) == ("1700000000.1", "ami", guest.pk)
    assert (call.caller, call.called, call.store_id) == (
        "+8613800138000",
        "8001",
        live_line.store_id,
    )
    assert [created for _call, created in listener.handled] == [True, False]
    assert published == [
        (
            f"store:{live_line.store_id}:desk",
            "call",
            {"call": call.pk, "guest": guest.pk, "phone": "138****8000"},
        )
    ]


def test_a_wrong_ami_password_is_reported(live_line):
    async def scenario():
        stand_in = AmiStandIn()
        await stand_in.start()
        listener = listener_for(stand_in, live_line, secret="wrong")
        try:
            with pytest.raises(AmiLoginFailed):
                await asyncio.wait_for(listener.run(), 5)
        finally:
            await stand_in.close()
        return stand_in

    stand_in = run_apart(scenario())
    assert (stand_in.logins, stand_in.refused) == (0, 1)
    assert not IncomingCall.objects.exists()


def test_a_dropped_ami_connection_is_reconnected(live_line, published):
    async def scenario():
        stand_in = AmiStandIn()
        await stand_in.start()
        listener = listener_for(stand_in, live_line)
        task = asyncio.create_task(listener.run())
        await stand_in.wait_for(logins=1)
        await stand_in.drop()
        await stand_in.wait_for(logins=2)
        await stand_in.emit(ringing_event(caller="02162881234", uniqueid="1700000000.7"))
        await handled(listener, 1)
        listener.stop.set()
        await asyncio.wait_for(task, 5)
        await stand_in.close()
        return listener

    listener = run_apart(scenario())
    assert listener.sessions == 2
    call = IncomingCall.objects.get()
    assert (call.call_id, call.caller, call.guest_id) == ("1700000000.7", "+862162881234", None)
    assert len(published) == 1


def test_only_ringing_events_are_calls():
    assert ringing_call(ringing_event(caller="138", uniqueid="1.1")) == ("1.1", "138", "8001")
    assert (
        ringing_call({**ringing_event(caller="138", uniqueid="1.1"), "ChannelStateDesc": "Up"})
        is None
    )
    assert ringing_call({"Event": "Hangup", "Uniqueid": "1.1"}) is None
    outbound = {**ringing_event(caller="8001", uniqueid="1.3"), "Context": "from-internal"}
    assert ringing_call(outbound, frozenset({"from-trunk"})) is None
    assert ringing_call(ringing_event(caller="138", uniqueid="1.1"), frozenset({"from-trunk"}))
    hidden = ringing_event(caller="<unknown>", uniqueid="1.2")
    assert ringing_call(hidden) == ("1.2", "", "8001")


def test_the_command_needs_a_known_line(db):
    with pytest.raises(CommandError):
        call_command("ami_listen", "--username", "u", "--secret", "s", "--line", "nope")
