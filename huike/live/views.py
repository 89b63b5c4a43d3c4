"""The Server-Sent Events stream of live updates."""

from __future__ import annotations

import json
import re

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse

from huike.core.permissions import restrict
from huike.core.tenancy import require_active_tenant
from huike.org.models import Store

from . import bus

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000
STORE_CHANNEL = re.compile(r"^store:(\d+):([a-z][a-z_]*)$")
MAX_CHANNELS = 10


class Refused(Exception):
    def __init__(self, status: int):
        self.status = status


@login_required
async def stream(request):
    """``GET /live/stream?channel=store:12:floor&channel=…``: the events of those channels, as
    ``text/event-stream``: ``id``, ``event`` and ``data`` (JSON ``{"channel", "data"}``) per event,
    a heartbeat comment every 15 seconds. A ``ready`` event opens the stream once it is
    subscribed: nothing published before it reaches this listener, everything after does."""
    channels = list(dict.fromkeys(request.GET.getlist("channel")))
    try:
        tenant_id = await sync_to_async(_authorise)(request.user, channels)
    except Refused as refused:
        return HttpResponse(status=refused.status)
    response = StreamingHttpResponse(
        _events(bus.bus_keys(tenant_id, channels)), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _authorise(user, channels: list[str]) -> int:
    """The active tenant's id when ``user`` may follow every one of ``channels``."""
    if not channels or len(channels) > MAX_CHANNELS:
        raise Refused(400)
    store_ids = set()
    for channel in channels:
        match = STORE_CHANNEL.match(channel)
        if match is None:
            raise Refused(404)
        store_ids.add(int(match.group(1)))
    visible = restrict(Store.objects.filter(pk__in=store_ids), user).values_list("pk", flat=True)
    if set(visible) != store_ids:
        raise Refused(403)
    return require_active_tenant().pk


async def _events(keys: list[str]):
    """The stream's text: an opening comment once subscribed, then each event and heartbeats."""
    # Sent once subscribed: the page's live.js marks itself ready on the "ready" event.
    greeting = f"retry: {RETRY_MS}\n: live\nevent: ready\ndata: {{}}\n\n"
    stream = bus.listen(keys, idle=HEARTBEAT_SECONDS)
    try:
        async for message in stream:
            if message is None:
                yield greeting or ": heartbeat\n\n"
                greeting = ""
                continue
            data = json.dumps(
                {"channel": message["channel"], "data": message["data"]}, ensure_ascii=False
            )
            yield f"id: {message['id']}\nevent: {message['event']}\ndata: {data}\n\n"
    finally:
        await stream.aclose()
