"""Loyalty's hot paths at scale (issue 5): coupon redemptions per second when several tills scan
the same codes at once, points postings per second, and the nightly ledger check, at N members.

    .venv/bin/python bench/loyalty.py --size 1000000 --samples 2000 --threads 8

* **Redemption under contention.** ``--threads`` tills (processes, each with its own database
  connection) all scan the same ``--samples`` coupon codes in the same order, so every code is
  contested by every till; each code is redeemed exactly once (checked). The figure is
  successful redemptions per second through ``coupon_redeem`` (lock, checks, event, audit); the
  baseline is the same contest over other codes with a bare conditional
  ``UPDATE … WHERE status = 'issued'``.
* **Points postings.** ``points_accrue`` on ``--samples`` random cards, one transaction each
  (lock, ledger entry, cached balance, lot), against a bulk insert of the same ledger entries
  and lots.
* **The ledger check.** The nightly job (``loyalty.jobs.ledger_check``) over every card and
  coupon: it must find nothing, and its time is printed.

The members (guest, card with a top-up and an order's points, one points lot) are generated in
bulk (COPY on PostgreSQL, executemany on SQLite) with consistent balances; a run finding the
same number of cards keeps them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from bench.support.bulk import Writer  # noqa: E402

TENANT_CODE = "benchloyalty"
CHUNK = 20_000
PHONE_BASE = 15000000000


def setup():
    from huike.core.models import Tenant
    from huike.core.tenancy import activate_tenant
    from huike.coupons.models import CouponTemplate
    from huike.loyalty.models import Tier
    from huike.org import services
    from huike.org.models import Staff

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code=TENANT_CODE).first()
    if tenant is None:
        tenant = services.tenant_setup(
            name="会员压测集团",
            code=TENANT_CODE,
            admin_username="bench-loyalty",
            admin_password="bench-pw-123!",
        )
        activate_tenant(tenant)
        hq = Staff.objects.get(employee_no="HQ-0001").user
        brand = services.brand_create(acting_user=hq, name="会员压测品牌", code="bench-loyalty")
        services.store_create(
            acting_user=hq, brand=brand, name="压测店", code="bl1", city="长沙", address="1 号"
        )
        Tier.objects.create(code="gold", name="金卡", rank=2)
        CouponTemplate.objects.create(name="压测代金券", kind="cash", face_value=Decimal(10))
    activate_tenant(tenant)
    from huike.org.models import Store

    hq = Staff.objects.get(employee_no="HQ-0001").user
    return tenant, hq, Store.objects.get(code="bl1")


def card_count(tenant) -> int:
    from huike.loyalty.models import MembershipCard

    return MembershipCard.all_tenants.filter(tenant=tenant).count()


def generate(tenant, store, members: int) -> None:
    """Guests, their cards (top-up 100 + bonus 20, 100..999 points), the ledger and one lot."""
    from huike.guests.models import Guest
    from huike.loyalty.models import LedgerEntry, MembershipCard, PointsLot

    w = Writer()
    w.fast()
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    expires = dt.date(today.year + 1, 12, 31)
    first = _next_id(Guest)
    first_card, first_entry, first_lot = (
        _next_id(MembershipCard),
        _next_id(LedgerEntry),
        _next_id(PointsLot),
    )
    started = time.perf_counter()
    for chunk in range(0, members, CHUNK):
        guests, cards, entries, lots = [], [], [], []
        with transaction.atomic():
            for n in range(chunk, min(members, chunk + CHUNK)):
                gid, cid = first + n, first_card + n
                points = 100 + n % 900
                guests.append(
                    {
                        "id": gid,
                        "tenant_id": tenant.pk,
                        "name": f"会员{n}",
                        "primary_phone": f"+86{PHONE_BASE + n}",
                        "home_store_id": store.pk,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                cards.append(
                    {
                        "id": cid,
                        "tenant_id": tenant.pk,
                        "number": f"B{n:011d}",
                        "guest_id": gid,
                        "status": "active",
                        "valid_from": today,
                        "store_id": store.pk,
                        "issued_at": now,
                        "points_balance": points,
                        "principal_balance": Decimal(100),
                        "bonus_balance": Decimal(20),
                    }
                )
                operation = uuid.uuid4()
                base = first_entry + 3 * n
                for k, (kind, pts, amount, cause) in enumerate(
                    [
                        ("principal", 0, Decimal(100), "top_up"),
                        ("bonus", 0, Decimal(20), "top_up"),
                        ("points", points, Decimal(0), "order"),
                    ]
                ):
                    entries.append(
                        {
                            "id": base + k,
                            "tenant_id": tenant.pk,
                            "card_id": cid,
                            "kind": kind,
                            "points": pts,
                            "amount": amount,
                            "cause": cause,
                            "operation": operation,
                            "store_id": store.pk,
                            "created_at": now,
                        }
                    )
                lots.append(
                    {
                        "id": first_lot + n,
                        "tenant_id": tenant.pk,
                        "card_id": cid,
                        "points": points,
                        "remaining": points,
                        "expires_on": expires,
                        "entry_id": base + 2,
                        "created_at": now,
                    }
                )
            w.write_models(Guest, guests)
            w.write_models(MembershipCard, cards)
            w.write_models(LedgerEntry, entries)
            w.write_models(PointsLot, lots)
        done = min(members, chunk + CHUNK)
        if done % (10 * CHUNK) == 0 or done == members:
            print(f"  {done} members in {time.perf_counter() - started:.0f} s", flush=True)
    w.safe()
    _fix_sequences([Guest, MembershipCard, LedgerEntry, PointsLot])
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


# --- Redemption under contention ---------------------------------------------------------------
def issue_coupons(tenant, store, count: int, first_guest: int) -> list[str]:
    """``count`` issued coupons (bulk: issuing is not what is measured)."""
    from huike.coupons.models import Coupon, CouponEvent, CouponTemplate
    from huike.coupons.rules import new_code

    template = CouponTemplate.objects.get(name="压测代金券")
    now = dt.datetime.now(dt.UTC)
    codes = [new_code() for _n in range(count)]
    coupons = Coupon.objects.bulk_create(
        [
            Coupon(
                tenant=tenant,
                code=code,
                template=template,
                guest_id=first_guest + n,
                status="issued",
                valid_from=now.date(),
                valid_until=now.date() + dt.timedelta(days=30),
                issued_at=now,
                issued_store=store,
            )
            for n, code in enumerate(codes)
        ]
    )
    CouponEvent.objects.bulk_create(
        [CouponEvent(tenant=tenant, coupon=c, kind="issued", store=store) for c in coupons]
    )
    return codes


def contest(codes: list[str], tills: int, redeem) -> tuple[float, int]:
    """Every till — a process of its own with its own database connection, as the web workers
    serving tills are — scans every code in the same order; returns (seconds, successes)."""
    from huike.core.tenancy import tenant_context

    context = multiprocessing.get_context("fork")
    ready, wins = context.Barrier(tills + 1), context.Queue()

    def till() -> None:
        connections.close_all()  # never share the parent's connection
        won = 0
        with tenant_context(TENANT):
            ready.wait()
            for code in codes:
                won += bool(redeem(code))
        connections.close_all()
        wins.put(won)

    connections.close_all()
    workers = [context.Process(target=till) for _k in range(tills)]
    for worker in workers:
        worker.start()
    ready.wait()
    start = time.perf_counter()
    total = sum(wins.get() for _worker in workers)
    seconds = time.perf_counter() - start
    for worker in workers:
        worker.join()
    return seconds, total


def redeem_by_service(cashier, store):
    from huike.core import errors
    from huike.coupons.services import coupon_redeem

    def redeem(code: str) -> bool:
        try:
            coupon_redeem(acting_user=cashier, code=code, store=store)
        except errors.DomainError as exc:
            assert exc.code == "coupon_already_used", exc.code
            return False
        return True

    return redeem


def redeem_by_update(store):
    def redeem(code: str) -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE coupons_coupon SET status = 'redeemed', redeemed_at = %s, "
                "redeemed_store_id = %s WHERE code = %s AND status = 'issued'",
                [dt.datetime.now(dt.UTC), store.pk, code],
            )
            return cursor.rowcount == 1

    return redeem


def _record_bare_redemptions(tenant, store, codes: list[str]) -> None:
    """The events the bare UPDATE did not write, so the next run's ledger check agrees."""
    from huike.coupons.models import Coupon, CouponEvent

    CouponEvent.objects.bulk_create(
        [
            CouponEvent(tenant=tenant, coupon=c, kind="redeemed", store=store)
            for c in Coupon.objects.filter(code__in=codes)
        ]
    )


# --- Points postings --------------------------------------------------------------------------
def post_points(hq, card_ids: list[int]) -> float:
    from huike.loyalty.models import MembershipCard
    from huike.loyalty.services import points_accrue

    cards = MembershipCard.objects.select_related("store").in_bulk(card_ids)
    start = time.perf_counter()
    for n, pk in enumerate(card_ids):
        points_accrue(acting_user=hq, card=cards[pk], points=10 + n % 90, reference=f"P{n}")
    return time.perf_counter() - start


def bulk_points(tenant, card_ids: list[int]) -> float:
    """The baseline: the same entries and lots by bulk_create (no lock, no cached balance)."""
    from huike.loyalty.models import LedgerEntry, PointsLot

    expires = dt.date.today().replace(month=12, day=31)
    start = time.perf_counter()
    with transaction.atomic():
        entries = LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    tenant=tenant,
                    card_id=pk,
                    kind="points",
                    points=10 + n % 90,
                    cause="order",
                    reference=f"P{n}",
                )
                for n, pk in enumerate(card_ids)
            ]
        )
        PointsLot.objects.bulk_create(
            [
                PointsLot(
                    tenant=tenant,
                    card_id=e.card_id,
                    points=e.points,
                    remaining=e.points,
                    expires_on=expires,
                    entry=e,
                )
                for e in entries
            ]
        )
        transaction.set_rollback(True)  # keep the ledger equal to the cards for the check
    return time.perf_counter() - start


TENANT = None


def main():
    global TENANT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="members to generate")
    parser.add_argument("--samples", type=int, default=2000, help="codes / postings measured")
    parser.add_argument("--threads", type=int, default=8, help="tills scanning at once")
    args, _others = parser.parse_known_args()  # make bench passes one set of options to all
    from huike.loyalty.jobs import ledger_check
    from huike.loyalty.models import MembershipCard
    from huike.org.models import Role
    from huike.org.services import staff_create

    tenant, hq, store = setup()
    TENANT = tenant
    engine = connection.vendor
    have = card_count(tenant)
    if have == args.size:
        print(f"engine {engine}; {have} members already there")
    else:
        if have:
            sys.exit(f"the bench database holds {have} members: use a fresh one for {args.size}")
        start = time.perf_counter()
        generate(tenant, store, args.size)
        took = time.perf_counter() - start
        print(f"engine {engine}; generated {args.size} members in {took:.0f} s")

    start = time.perf_counter()
    run = ledger_check()
    check = time.perf_counter() - start
    assert run.ok, (run.detail["differing"][:3], run.detail["coupons_differing"][:3])
    print(
        f"ledger check        {run.detail['cards']} cards, {run.detail['coupons']} coupons  "
        f"{check:8.2f} s  (nothing differs)"
    )

    rng = random.Random(5)
    ids = list(MembershipCard.objects.values_list("pk", flat=True)[: max(args.size, 1)])
    sample = rng.sample(ids, min(args.samples, len(ids)))
    bulk = min(bulk_points(tenant, sample) for _k in range(3))
    posting = post_points(hq, sample)
    n = len(sample)
    print(
        f"points postings     {n} cards  {n / posting:8.1f} postings/s  "
        f"bulk insert {n / bulk:8.1f} rows/s  ratio {posting / bulk:.1f}×"
    )

    username = f"bench-cashier-{uuid.uuid4().hex[:6]}"
    cashier = staff_create(
        acting_user=hq,
        username=username,
        password="bench-pw-123!",
        name="收银压测",
        employee_no=username,
        role=Role.objects.get(code="cashier"),
        store=store,
    ).user
    first_guest = MembershipCard.objects.order_by("pk").values_list("guest_id", flat=True)[0]
    service_codes = issue_coupons(tenant, store, args.samples, first_guest)
    update_codes = issue_coupons(tenant, store, args.samples, first_guest)
    connections.close_all()
    base_seconds, base_wins = contest(update_codes, args.threads, redeem_by_update(store))
    _record_bare_redemptions(tenant, store, update_codes)
    seconds, wins = contest(service_codes, args.threads, redeem_by_service(cashier, store))
    assert wins == len(service_codes) and base_wins == len(update_codes), (wins, base_wins)
    scans = args.threads * len(service_codes)
    print(
        f"coupon redemption   {len(service_codes)} codes × {args.threads} tills ({scans} scans)  "
        f"{wins / seconds:8.1f} redeemed/s  conditional UPDATE {base_wins / base_seconds:8.1f}/s  "
        f"ratio {seconds / base_seconds:.1f}×"
    )


if __name__ == "__main__":
    main()
