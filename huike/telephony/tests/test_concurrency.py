import json
import time

import httpx

from huike.core.testing import fire_concurrently
from huike.telephony import services
from huike.telephony.models import IncomingCall


def test_the_same_call_posted_at_once_is_stored_once(live_org, live_server):
    line = services.line_create(
        acting_user=live_org["users"]["hq"], store=live_org["store"], name="热线", code="desk-1"
    )
    body = {"call_id": "c-race", "caller": "13900001111"}
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))
    headers = {
        "X-Huike-Line": line.code,
        "X-Huike-Timestamp": stamp,
        "X-Huike-Signature": services.sign(line.secret, stamp, raw),
        "Content-Type": "application/json",
    }

    def post(_i):
        with httpx.Client(base_url=live_server.url, timeout=60) as client:
            return client.post("/api/v1/telephony/calls", content=raw, headers=headers)

    outcomes = fire_concurrently(post, 6)
    assert [o.error for o in outcomes] == [None] * 6
    responses = [o.value for o in outcomes]
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 5 + [201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert IncomingCall.objects.count() == 1
