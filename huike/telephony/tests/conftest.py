"""Fixtures of the telephony tests: a line at the first store, a signed webhook client, and
the desk channel's published pops."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from huike.live import bus
from huike.telephony import services


@pytest.fixture
def published(monkeypatch):
    """Every pop published on the live bus, as (channel, event, data)."""
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(
        bus, "publish", lambda channel, event, data: sent.append((channel, event, data))
    )
    return sent


@pytest.fixture
def line(org, hq):
    return services.line_create(acting_user=hq, store=org["store"], name="订餐热线", code="desk-1")


def post_call(line, body, *, secret=None, timestamp=None, signature=None, code=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "X-Huike-Line": line.code if code is None else code,
        "X-Huike-Timestamp": stamp,
        "X-Huike-Signature": (
            services.sign(secret or line.secret, stamp, raw) if signature is None else signature
        ),
        "Accept-Language": "en",
    }
    return Client().post(
        "/api/v1/telephony/calls", data=raw, content_type="application/json", headers=headers
    )
