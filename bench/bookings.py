"""Bookings per second when the reservation desk's agents contend for the same evening (R3),
beside one agent booking alone, at N guests.

    .venv/bin/python bench/bookings.py --size 100000 --agents 20 --tables 60 --slots 3

* **Contended.** ``--agents`` agents (processes, each with its own database connection, as the
  web workers serving the desk are) book the same evening at one store: ``--tables`` tables ×
  ``--slots`` two-hour slots, every agent trying every (slot, table) in the same order, each
  attempt for another known caller's phone, through ``reservations.services.booking_create``
  (guest lookup, permission and scope checks, the overlap guard, the history event, the audit
  entry). Every (slot, table) must end with exactly one booking (checked); the other attempts
  are ``table_taken`` conflicts. The figure is bookings made per second (and attempts per
  second).
* **Uncontended (the baseline).** One agent books the same number of (slot, table) pairs on
  another, free evening, one after the other.

The store has no booking rules or opening hours, so the figure is the booking itself. The
guests are generated in bulk (COPY on PostgreSQL, executemany on SQLite) and kept for a later
run of the same size; each run first removes the bench store's bookings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from bench.support.bulk import Writer  # noqa: E402

TENANT_CODE = "benchbook"
CHUNK = 20_000
PHONE_BASE = 13600000000
SLOT_HOURS = (17, 19, 21)  # two-hour slots that do not overlap
TENANT = None


def setup(tables: int):
    from huike.core.models import Tenant
    from huike.core.tenancy import activate_tenant
    from huike.menu.models import DiningTable, FloorArea
    from huike.org import services
    from huike.org.models import Role, Staff, Store

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code=TENANT_CODE).first()
    if tenant is None:
        tenant = services.tenant_setup(
            name="订台压测集团",
            code=TENANT_CODE,
            admin_username="bench-book",
            admin_password="bench-pw-123!",
        )
        activate_tenant(tenant)
        hq = Staff.objects.get(employee_no="HQ-0001").user
        brand = services.brand_create(acting_user=hq, name="订台压测品牌", code="bench-book")
        store = services.store_create(
            acting_user=hq, brand=brand, name="订台压测店", code="bk1", city="长沙", address="1 号"
        )
        services.staff_create(
            acting_user=hq,
            username="bench-book-desk",
            password="bench-pw-123!",
            name="订台员",
            employee_no="D-0001",
            role=Role.objects.get(code="desk"),
            store=store,
        )
        FloorArea.objects.create(store=store, name="大堂", sort_order=1)
    activate_tenant(tenant)
    store = Store.objects.get(code="bk1")
    area = FloorArea.objects.get(store=store, name="大堂")
    have = DiningTable.objects.filter(store=store).count()
    DiningTable.objects.bulk_create(
        [
            DiningTable(
                tenant=tenant, store=store, area=area, code=f"T{n:03d}", capacity_min=1,
                capacity_max=8,
            )
            for n in range(have + 1, tables + 1)
        ]
    )  # fmt: skip
    table_ids = list(
        DiningTable.objects.filter(store=store).order_by("code").values_list("pk", flat=True)
    )[:tables]
    desk = Staff.objects.get(employee_no="D-0001").user
    return tenant, store, desk, table_ids


def guest_count(tenant) -> int:
    from huike.guests.models import Guest

    return Guest.all_tenants.filter(tenant=tenant).count()


def clear(tenant) -> None:
    """The bench tenant's bookings and guests created by earlier runs' attempts."""
    from huike.reservations.models import Booking, BookingEvent

    for model in (BookingEvent, Booking):
        model.all_tenants.filter(tenant=tenant)._raw_delete(connection.alias)


def generate(tenant, store, guests: int, have: int) -> None:
    """Guests number ``have`` … ``have + guests - 1`` (phones +86 136…)."""
    from huike.guests.models import Guest

    w = Writer()
    w.fast()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM guests_guest")
        first = cursor.fetchone()[0] + 1
    started = time.perf_counter()
    for chunk in range(0, guests, CHUNK):
        rows = [
            {
                "id": first + n,
                "tenant_id": tenant.pk,
                "name": f"订客{have + n}",
                "primary_phone": f"+86{PHONE_BASE + have + n}",
                "home_store_id": store.pk,
            }
            for n in range(chunk, min(guests, chunk + CHUNK))
        ]
        with transaction.atomic():
            w.write_models(Guest, rows)
        done = min(guests, chunk + CHUNK)
        if done % (10 * CHUNK) == 0 or done == guests:
            print(f"  {done} guests in {time.perf_counter() - started:.0f} s", flush=True)
    w.safe()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('guests_guest', 'id'), "
                "(SELECT MAX(id) FROM guests_guest))"
            )
        cursor.execute("ANALYZE")


def evening(store, days_ahead: int) -> list[dt.datetime]:
    from huike.core.timeutils import zone

    tz = zone(store.time_zone)
    day = dt.datetime.now(tz).date() + dt.timedelta(days=days_ahead)
    return [dt.datetime.combine(day, dt.time(hour), tzinfo=tz) for hour in SLOT_HOURS]


def book(desk, store, attempts: list[tuple]) -> Counter:
    """Try each (starts_at, table id, phone); the outcomes counted by code."""
    from huike.core import errors
    from huike.reservations.services import booking_create

    outcomes: Counter = Counter()
    for starts_at, table_id, phone in attempts:
        try:
            booking_create(
                acting_user=desk,
                store=store,
                starts_at=starts_at,
                duration=120,
                party_size=4,
                guest_phone=phone,
                table=table_id,
            )
        except errors.DomainError as exc:
            outcomes[exc.code] += 1
        else:
            outcomes["booked"] += 1
    return outcomes


def contest(desk, store, agents: int, attempts_of) -> tuple[float, Counter]:
    """Every agent — a process of its own with its own database connection — tries its list of
    attempts at once with the others; returns (start as a wall-clock time, seconds, outcomes over
    all agents)."""
    from huike.core.tenancy import tenant_context

    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(agents + 1), context.Queue()

    def agent(k: int) -> None:
        connections.close_all()  # never share the parent's connection
        with tenant_context(TENANT):
            ready.wait()
            outcomes = book(desk, store, attempts_of(k))
        connections.close_all()
        results.put(dict(outcomes))

    connections.close_all()
    workers = [context.Process(target=agent, args=(k,)) for k in range(agents)]
    for worker in workers:
        worker.start()
    ready.wait()
    start, wall = time.perf_counter(), dt.datetime.now(dt.UTC)
    total: Counter = Counter()
    for _worker in workers:
        total.update(results.get())
    seconds = time.perf_counter() - start
    for worker in workers:
        worker.join()
    return wall, seconds, total


def main():
    global TENANT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="guests to generate")
    parser.add_argument("--agents", type=int, default=20, help="agents contending")
    parser.add_argument("--tables", type=int, default=60, help="tables at the store")
    parser.add_argument("--slots", type=int, default=3, choices=[1, 2, 3], help="slots a night")
    args, _others = parser.parse_known_args()  # make bench passes one set of options to all
    from huike.reservations.models import Booking

    tenant, store, desk, table_ids = setup(args.tables)
    TENANT = tenant
    engine = connection.vendor
    have = guest_count(tenant)
    if have >= args.size:
        print(f"engine {engine}; data already there ({have} guests)")
    else:
        start = time.perf_counter()
        generate(tenant, store, args.size - have, have)
        seconds = time.perf_counter() - start
        print(f"engine {engine}; generated {args.size - have} guests in {seconds:.0f} s")
    clear(tenant)
    guests = args.size
    pairs = [(s, t) for s in range(args.slots) for t in table_ids]

    def phone(k: int, n: int) -> str:  # a different known caller for every attempt
        return f"+86{PHONE_BASE + (k * len(pairs) + n) % guests}"

    contested = evening(store, 7)[: args.slots]

    def attempts_of(k: int) -> list[tuple]:
        return [(contested[s], t, phone(k, n)) for n, (s, t) in enumerate(pairs)]

    started, seconds, outcomes = contest(desk, store, args.agents, attempts_of)
    made = Booking.objects.filter(store=store, starts_at__in=contested).count()
    last = Booking.objects.filter(store=store, starts_at__in=contested).aggregate(
        last=Max("created_at")
    )["last"]
    filled = max((last - started).total_seconds(), 1e-6)
    assert outcomes["booked"] == made == len(pairs), (outcomes, made, len(pairs))
    per_table = Counter(
        Booking.objects.filter(store=store, starts_at__in=contested).values_list(
            "table_id", "starts_at"
        )
    )
    assert set(per_table.values()) == {1}, "a (table, slot) booked twice"

    free = evening(store, 8)[: args.slots]
    alone = [(free[s], t, phone(args.agents, n)) for n, (s, t) in enumerate(pairs)]
    start = time.perf_counter()
    alone_outcomes = book(desk, store, alone)
    alone_seconds = time.perf_counter() - start
    assert alone_outcomes == Counter(booked=len(pairs)), alone_outcomes

    attempts = sum(outcomes.values())
    others = {k: v for k, v in outcomes.items() if k not in ("booked", "table_taken")}
    rate, alone_rate = outcomes["booked"] / seconds, len(pairs) / alone_seconds
    print(
        f"engine {engine}; {guests} guests; {len(table_ids)} tables x {args.slots} slots = "
        f"{len(pairs)} (slot, table) pairs"
    )
    print(
        f"contended: {args.agents} agents   {attempts} attempts in {seconds:.2f} s: "
        f"{outcomes['booked']} booked, {outcomes['table_taken']} table_taken"
        + (f", other {others}" if others else "")
        + f"   {rate:.1f} bookings/s ({attempts / seconds:.1f} attempts/s)"
    )
    print(
        f"contended: the evening's {len(pairs)} bookings all made after {filled:.2f} s: "
        f"{len(pairs) / filled:.1f} bookings/s while it filled"
    )
    print(
        f"uncontended: 1 agent       {len(pairs)} bookings in {alone_seconds:.2f} s: "
        f"{alone_rate:.1f} bookings/s   ratio contended/uncontended {rate / alone_rate:.2f}"
    )


if __name__ == "__main__":
    main()
