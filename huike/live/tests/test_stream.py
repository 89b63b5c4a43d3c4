"""GET /live/stream: who may follow which channel, and events arriving over real HTTP."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from huike.core.tenancy import tenant_context
from huike.live import views
from huike.live.bus import bus_keys, publish

from .conftest import subscribed


def stream_url(*channels: str) -> str:
    return reverse("live:stream") + "?" + "&".join(f"channel={c}" for c in channels)


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    response = client.get(stream_url(f"store:{org['store'].pk}:floor"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_store_scoped_user_follows_only_their_own_store(client, org):
    client.force_login(org["users"]["desk"])
    own, other = org["store"].pk, org["store2"].pk
    response = client.get(stream_url(f"store:{own}:desk", f"store:{own}:floor"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache" and response["X-Accel-Buffering"] == "no"
    assert client.get(stream_url(f"store:{other}:floor")).status_code == 403
    assert client.get(stream_url(f"store:{own}:floor", f"store:{other}:floor")).status_code == 403


def test_hq_follows_every_store_of_its_group_but_not_another_groups(client, org, other_org):
    client.force_login(org["users"]["hq"])
    assert client.get(stream_url(f"store:{org['store2'].pk}:floor")).status_code == 200
    assert client.get(stream_url(f"store:{other_org['store'].pk}:floor")).status_code == 403


@pytest.mark.parametrize("channel", ["guest:1:sheet", "store:x:floor", "store:1", "floor"])
def test_unknown_channels_are_refused(client, org, channel):
    client.force_login(org["users"]["hq"])
    assert client.get(stream_url(channel)).status_code == 404


def test_a_stream_needs_one_to_ten_channels(client, org):
    client.force_login(org["users"]["hq"])
    assert client.get(reverse("live:stream")).status_code == 400
    store = org["store"].pk
    too_many = [f"store:{store}:topic_{chr(97 + n)}" for n in range(views.MAX_CHANNELS + 1)]
    assert client.get(stream_url(*too_many)).status_code == 400


def test_an_event_reaches_an_open_stream_within_a_second(live_org, thread_server, open_stream):
    store = live_org["store"].pk
    reader = open_stream(thread_server, live_org["users"]["desk"], [f"store:{store}:desk"])
    assert reader.block() == {"retry": "3000", "comment": "live", "event": "ready", "data": "{}"}
    sent = time.monotonic()
    with tenant_context(live_org["tenant"]):
        publish(f"store:{store}:desk", "call", {"phone": "13900000001", "name": "王先生"})
    block = reader.block()
    assert time.monotonic() - sent < 1
    assert block["event"] == "call" and block["id"]
    assert json.loads(block["data"]) == {
        "channel": f"store:{store}:desk",
        "data": {"phone": "13900000001", "name": "王先生"},
    }


def test_an_idle_stream_sends_heartbeats(live_org, thread_server, open_stream, monkeypatch):
    monkeypatch.setattr(views, "HEARTBEAT_SECONDS", 0.2)
    reader = open_stream(
        thread_server, live_org["users"]["hq"], [f"store:{live_org['store'].pk}:floor"]
    )
    assert reader.block() == {"retry": "3000", "comment": "live", "event": "ready", "data": "{}"}
    assert reader.block() == {"comment": "heartbeat"}
    key = bus_keys(live_org["tenant"].pk, [f"store:{live_org['store'].pk}:floor"])[0]
    assert subscribed(key)
    reader.close()  # the browser goes away: its subscription ends with it
    deadline = time.monotonic() + 3
    while subscribed(key):
        assert time.monotonic() < deadline, "the subscription outlived its stream"
        time.sleep(0.02)


def test_events_cross_processes_over_redis(
    live_org, process_servers, open_stream, settings, redis_url
):
    store = live_org["store"].pk
    readers = [
        open_stream(url, live_org["users"]["captain"], [f"store:{store}:floor"])
        for url in process_servers(2)
    ]
    for reader in readers:
        assert reader.block()["comment"] == "live"
    settings.REDIS_URL = redis_url
    with tenant_context(live_org["tenant"]):
        publish(f"store:{store}:floor", "table", {"table": "A1", "status": "cleaning"})
    for reader in readers:
        block = reader.block()
        assert block["event"] == "table"
        assert json.loads(block["data"])["data"] == {"table": "A1", "status": "cleaning"}
