"""The caller-ID screen pop (R2): from the PBX's signed webhook to the event on the desk's live
stream, at N guests (issue 6's goal: p99 under 100 ms at 1,000,000 guests).

    .venv/bin/python bench/screen_pop.py --size 1000000 --samples 500

The real ASGI app runs under uvicorn on a free port, in a thread of this process (the
in-process live bus, as one web process serves the desk). A desk user, signed in with a session
cookie, holds ``GET /live/stream?channel=store:<id>:desk`` open, as the desk page does. Each
sample POSTs ``/api/v1/telephony/calls`` signed as decision 0023 says (HMAC-SHA256 over
``timestamp + "." + body`` with the line's secret) for a different known caller among the N
guests, and measures:

* **call → event**: from sending the POST to the ``call`` event arriving on the desk's stream
  (signature check, phone lookup, the call stored, the event published after the commit);
* **call → pop**: the same, plus the desk fetching the pop partial the event announces
  (``GET /telephony/calls/<id>/pop/``: the guest's brief, 360 sections, open bookings).

The baseline, in the same run on the same guests: the bare phone lookup
(``guests.selectors.guest_by_phone``) and the raw indexed ``SELECT`` behind it.

The guests (every 50th with an upcoming booking) are generated in bulk (COPY on PostgreSQL,
executemany on SQLite) and kept: a later run at the same size skips the generation; a run at
another size empties the bench tenant's guests, bookings and calls first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.support.bulk import Writer  # noqa: E402

TENANT_CODE = "benchpop"
CHUNK = 20_000
PHONE_BASE = 13700000000
BOOKED_EVERY = 50
GOAL_MS = 100


def setup():
    from huike.core.models import Tenant
    from huike.core.tenancy import activate_tenant
    from huike.org import services
    from huike.org.models import Role, Staff, Store
    from huike.telephony.models import TelephonyLine
    from huike.telephony.services import line_create

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code=TENANT_CODE).first()
    if tenant is None:
        tenant = services.tenant_setup(
            name="弹屏压测集团",
            code=TENANT_CODE,
            admin_username="bench-pop",
            admin_password="bench-pw-123!",
        )
        activate_tenant(tenant)
        hq = Staff.objects.get(employee_no="HQ-0001").user
        brand = services.brand_create(acting_user=hq, name="弹屏压测品牌", code="bench-pop")
        store = services.store_create(
            acting_user=hq, brand=brand, name="弹屏压测店", code="bp1", city="长沙", address="1 号"
        )
        services.staff_create(
            acting_user=hq,
            username="bench-pop-desk",
            password="bench-pw-123!",
            name="订台员",
            employee_no="D-0001",
            role=Role.objects.get(code="desk"),
            store=store,
        )
        line_create(acting_user=hq, store=store, name="订餐热线", code="bench-line")
    activate_tenant(tenant)
    store = Store.objects.get(code="bp1")
    desk = Staff.objects.get(employee_no="D-0001").user
    line = TelephonyLine.objects.get(code="bench-line")
    return tenant, store, desk, line


def guest_count(tenant) -> int:
    from huike.guests.models import Guest

    return Guest.all_tenants.filter(tenant=tenant).count()


def wipe(tenant) -> None:
    from huike.guests.models import Guest
    from huike.reservations.models import Booking, BookingEvent
    from huike.telephony.models import IncomingCall

    for model in (IncomingCall, BookingEvent, Booking, Guest):
        model.all_tenants.filter(tenant=tenant)._raw_delete(connection.alias)


def generate(tenant, store, guests: int) -> None:
    """``guests`` guests with phones +86 137…; every 50th has a confirmed booking next week."""
    from huike.guests.models import Guest
    from huike.reservations.models import Booking

    w = Writer()
    w.fast()
    first, first_booking = _next_id(Guest), _next_id(Booking)
    soon = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    for chunk in range(0, guests, CHUNK):
        rows, bookings = [], []
        for n in range(chunk, min(guests, chunk + CHUNK)):
            surname = "王李张刘陈杨赵黄周吴"[n % 10]
            rows.append(
                {
                    "id": first + n,
                    "tenant_id": tenant.pk,
                    "name": f"{surname}客{n}",
                    "surname": surname,
                    "primary_phone": f"+86{PHONE_BASE + n}",
                    "home_store_id": store.pk,
                    "taste_preferences": "微辣" if n % 3 else "",
                    "taboos": "花生" if n % 7 == 0 else "",
                }
            )
            if n % BOOKED_EVERY == 0:
                starts = soon + dt.timedelta(days=1 + n % 7, hours=n % 5)
                bookings.append(
                    {
                        "id": first_booking + n // BOOKED_EVERY,
                        "tenant_id": tenant.pk,
                        "store_id": store.pk,
                        "guest_id": first + n,
                        "party_size": 2 + n % 6,
                        "starts_at": starts,
                        "ends_at": starts + dt.timedelta(hours=2),
                        "status": "confirmed",
                    }
                )
        with transaction.atomic():
            w.write_models(Guest, rows)
            w.write_models(Booking, bookings)
        done = min(guests, chunk + CHUNK)
        if done % (10 * CHUNK) == 0 or done == guests:
            print(f"  {done} guests in {time.perf_counter() - started:.0f} s", flush=True)
    w.safe()
    _fix_sequences([Guest, Booking])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0] + 1


def _fix_sequences(models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


# --- The server and the desk -------------------------------------------------------------------
def serve():
    """uvicorn serving the ASGI app in a thread of this process; (base url, server)."""
    import socket

    import uvicorn

    from huike.asgi import application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server never started"
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def session_cookies(user) -> dict[str, str]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


class Desk:
    """The desk's live stream, read on a thread of its own: each ``call`` event's call id and
    the moment it arrived."""

    def __init__(self, base_url: str, cookies: dict, channel: str):
        import httpx

        self.arrived: queue.Queue[tuple[int, float]] = queue.Queue()
        self.client = httpx.Client(base_url=base_url, cookies=cookies, timeout=None)
        self.subscribed = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(channel,), daemon=True)
        self.thread.start()
        assert self.subscribed.wait(30), "the stream never opened"

    def _read(self, channel: str) -> None:
        with self.client.stream("GET", "/live/stream", params={"channel": channel}) as response:
            assert response.status_code == 200, response.status_code
            event = ""
            for line in response.iter_lines():
                if line.startswith(": live"):
                    self.subscribed.set()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "call":
                    at = time.perf_counter()
                    self.arrived.put((json.loads(line[5:])["data"]["call"], at))

    def wait_for(self, call_id: int, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while True:
            got, at = self.arrived.get(timeout=max(0.0, deadline - time.monotonic()))
            if got == call_id:
                return at


# --- Measurements ------------------------------------------------------------------------------
def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return p50, p99


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="guests to generate")
    parser.add_argument("--samples", type=int, default=500, help="calls timed")
    args, _others = parser.parse_known_args()  # make bench passes one set of options to all
    import logging

    import httpx

    from huike.guests.selectors import guest_by_phone

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from huike.telephony.services import desk_channel, sign

    tenant, store, desk_user, line = setup()
    engine = connection.vendor
    if guest_count(tenant) == args.size:
        print(f"engine {engine}; data already there ({args.size} guests)")
    else:
        if guest_count(tenant):
            print("  emptying the bench tenant's guests, bookings and calls")
            wipe(tenant)
        start = time.perf_counter()
        generate(tenant, store, args.size)
        print(
            f"engine {engine}; generated {args.size} guests in {time.perf_counter() - start:.0f} s"
        )
        assert guest_count(tenant) == args.size

    rng = random.Random(23)
    warm_up = 20
    picks = rng.sample(range(args.size), min(args.size, args.samples + warm_up))
    phones = [f"+86{PHONE_BASE + n}" for n in picks]

    base_url, server = serve()
    cookies = session_cookies(desk_user)
    desk = Desk(base_url, cookies, desk_channel(store.pk))
    pbx = httpx.Client(base_url=base_url, timeout=30)
    reader = httpx.Client(base_url=base_url, cookies=cookies, timeout=30)
    run = uuid.uuid4().hex[:8]

    to_event, to_pop, known = [], [], 0
    for k, phone in enumerate(phones):
        body = json.dumps(
            {"call_id": f"bench-{run}-{k}", "caller": phone, "called": "073188880000"}
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Huike-Line": line.code,
            "X-Huike-Timestamp": stamp,
            "X-Huike-Signature": sign(line.secret, stamp, body),
        }
        sent = time.perf_counter()
        response = pbx.post("/api/v1/telephony/calls", content=body, headers=headers)
        assert response.status_code == 201, response.text
        call = response.json()
        arrived = desk.wait_for(call["id"])
        pop = reader.get(f"/telephony/calls/{call['id']}/pop/", headers={"HX-Request": "true"})
        shown = time.perf_counter()
        assert pop.status_code == 200 and 'data-testid="pop-guest"' in pop.text, pop.status_code
        known += call["caller_known"]
        if k >= warm_up:
            to_event.append(arrived - sent)
            to_pop.append(shown - sent)
    assert known == len(phones), "every caller is a known guest"

    lookup, raw = [], []
    with connection.cursor() as cursor:
        for phone in phones[warm_up:]:
            start = time.perf_counter()
            assert guest_by_phone(phone) is not None
            lookup.append(time.perf_counter() - start)
            start = time.perf_counter()
            cursor.execute(
                "SELECT * FROM guests_guest WHERE tenant_id = %s AND primary_phone = %s "
                "AND primary_phone > ''",
                [tenant.pk, phone],
            )
            assert cursor.fetchone() is not None
            raw.append(time.perf_counter() - start)

    server.should_exit = True
    pbx.close()
    reader.close()
    n = len(to_event)
    ev50, ev99 = percentiles(to_event)
    pop50, pop99 = percentiles(to_pop)
    lk50, lk99 = percentiles(lookup)
    raw50, raw99 = percentiles(raw)
    print(f"engine {engine}; {args.size} guests; {n} calls (after {warm_up} to warm up)")
    for what, p50, p99 in (
        ("call -> event on the desk stream", ev50, ev99),
        ("call -> event + pop partial fetched", pop50, pop99),
    ):
        print(
            f"{what:38} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms   "
            f"baseline guest_by_phone p99 {lk99:6.2f} ms   ratio p99 {p99 / lk99:6.1f}x"
        )
    print(f"{'baseline guest_by_phone':38} p50 {lk50:7.2f} ms  p99 {lk99:7.2f} ms")
    print(f"{'baseline raw indexed SELECT':38} p50 {raw50:7.2f} ms  p99 {raw99:7.2f} ms")
    verdict = "yes" if ev99 < GOAL_MS else "NO"
    print(f"goal: call -> event p99 under {GOAL_MS} ms: {verdict} ({ev99:.1f} ms)")


if __name__ == "__main__":
    main()
