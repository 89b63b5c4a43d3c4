"""The guest 360° view (G3) and the phone lookup: ``GET /api/v1/guests/{id}/360`` and
``GET /api/v1/guests/lookup?phone=…`` for random guests, against the raw SQL queries that fetch
the same rows (issue 4's goal: 360 p99 under 50 ms on PostgreSQL at 1,000,000 guests).

    .venv/bin/python bench/guest_360.py --guests 100000 --lines-per-guest 10 --samples 1000

The data is generated in bulk (PostgreSQL: COPY; SQLite: executemany in large transactions),
with the derived figures and tallies that posting keeps (visit count, spend, first/last visit,
dish and place tallies), and with phones, dates, contacts, tags and captured facts so every
section of the 360 has rows. Most guests have 1–8 orders; every 100th is a regular with 40. A
run finding the data already there at that size skips the generation; a run at another size
empties the guest and order tables first (the bench database is scratch).

The calls go through Django's test client in-process, with a bearer API key of the HQ admin,
so each includes the whole request: authentication, permissions, field policy, serialisation.
The baseline is the same rows fetched with plain ``cursor.execute`` (without authentication).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.support.bulk import Writer  # noqa: E402

TENANT_CODE = "bench360"
STORES = 8
DISHES = 120
TAGS = 24
CHUNK = 20_000  # guests per batch of inserts
PHONE_BASE = 13800000000
FURTHER_PHONE_BASE = 13900000000
REGULAR_EVERY = 100  # every 100th guest is a regular with REGULAR_ORDERS orders
REGULAR_ORDERS = 40
TABLES = ["A01", "A02", "A03", "B01", "B02", "牡丹厅", "芙蓉厅", "雅间1", "雅间2", ""]
TASTES = ["微辣", "清淡", "重辣", "不吃葱", "少油", "偏甜"]
TABLES_GENERATED = [
    "guests_guest",
    "guests_guestphone",
    "guests_importantdate",
    "guests_guestcontact",
    "guests_guesttagging",
    "guests_collectedfact",
    "orders_order",
    "orders_orderline",
    "orders_orderpayment",
    "orders_guestdishtally",
    "orders_guestplacetally",
]


# --- Set-up ------------------------------------------------------------------------------------
def setup():
    from huike.core.models import Tenant
    from huike.core.tenancy import activate_tenant
    from huike.guests.models import GuestTag
    from huike.menu.models import Dish, DishCategory
    from huike.org import services
    from huike.org.models import Brand, Staff, Store

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code=TENANT_CODE).first() or services.tenant_setup(
        name="压测360集团",
        code=TENANT_CODE,
        admin_username="bench360-hq",
        admin_password="bench-pw-123!",
    )
    activate_tenant(tenant)
    hq = Staff.objects.get(employee_no="HQ-0001").user
    brand = Brand.objects.filter(code="bench360-brand").first() or services.brand_create(
        acting_user=hq, name="压测品牌", code="bench360-brand"
    )
    stores = list(Store.objects.filter(brand=brand).order_by("id"))
    for n in range(len(stores) + 1, STORES + 1):
        stores.append(
            services.store_create(
                acting_user=hq,
                brand=brand,
                name=f"压测{n}店",
                code=f"b360-s{n}",
                city="长沙",
                address=f"{n} 号",
            )
        )
    dishes = list(Dish.objects.order_by("id"))
    if len(dishes) < DISHES:
        category = DishCategory.objects.first() or DishCategory.objects.create(name="热菜")
        Dish.objects.bulk_create(
            [
                Dish(
                    tenant=tenant,
                    category=category,
                    code=f"D{n:03d}",
                    name=f"菜{n}",
                    price_regular=10 + n % 90,
                    price_hall=9 + n % 90,
                    price_vip_room=12 + n % 90,
                )
                for n in range(len(dishes), DISHES)
            ]
        )
        dishes = list(Dish.objects.order_by("id"))
    tags = list(GuestTag.objects.order_by("id"))
    if len(tags) < TAGS:
        GuestTag.objects.bulk_create(
            [
                GuestTag(tenant=tenant, name=f"标签{n:02d}", colour="#206bc4")
                for n in range(len(tags), TAGS)
            ]
        )
        tags = list(GuestTag.objects.order_by("id"))
    return tenant, hq, stores[:STORES], dishes[:DISHES], tags[:TAGS]


# --- Data generation ---------------------------------------------------------------------------
def orders_of(n: int, lines_per_guest: int) -> tuple[int, int]:
    """(orders, lines) of guest number ``n``."""
    if n % REGULAR_EVERY == REGULAR_EVERY - 1:
        return REGULAR_ORDERS, max(REGULAR_ORDERS, 4 * lines_per_guest)
    orders = min(lines_per_guest, 1 + (n * 7) % 8)
    return orders, lines_per_guest


def expected_lines(guests: int, lines_per_guest: int) -> int:
    return sum(orders_of(n, lines_per_guest)[1] for n in range(guests))


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


GUEST_COLUMNS = [
    "id", "tenant_id", "name", "surname", "title", "gender", "primary_phone", "email",
    "birthday", "company", "job_title", "address", "referrer_id", "taste_preferences",
    "dish_requirements", "likes", "taboos", "preferred_room", "meal_type", "preferred_channel",
    "marketing_consent", "consent_source", "consent_at", "home_store_id", "notes", "visit_count",
    "total_spend", "first_visit_at", "last_visit_at", "merged_into_id", "anonymised_at",
    "created_at", "updated_at", "created_by_id",
]  # fmt: skip
ORDER_COLUMNS = [
    "id", "tenant_id", "store_id", "pos_order_id", "kind", "original_id", "status", "guest_id",
    "member_card", "table_label", "opened_at", "closed_at", "party_size", "subtotal", "discount",
    "service_charge", "total", "refunded_amount", "visit_counted", "fingerprint", "source",
    "created_by_id", "created_at",
]  # fmt: skip
LINE_COLUMNS = [
    "id", "tenant_id", "order_id", "line_no", "dish_id", "dish_code", "dish_name", "qty",
    "unit_price", "price_tier", "line_total", "refunded_qty", "refund_of_id",
]  # fmt: skip
PAYMENT_COLUMNS = ["id", "tenant_id", "order_id", "method", "amount"]
DISH_TALLY_COLUMNS = [
    "id", "tenant_id", "guest_id", "dish_id", "times_ordered", "qty", "last_ordered_at",
]  # fmt: skip
PLACE_TALLY_COLUMNS = ["id", "tenant_id", "guest_id", "store_id", "table_label", "visits"]
PHONE_COLUMNS = ["id", "tenant_id", "guest_id", "phone", "label"]
DATE_COLUMNS = ["id", "tenant_id", "guest_id", "kind", "date", "label"]
CONTACT_COLUMNS = ["id", "tenant_id", "guest_id", "name", "relation", "phone"]
TAGGING_COLUMNS = ["id", "tenant_id", "guest_id", "tag_id", "auto", "added_by_id", "added_at"]
FACT_COLUMNS = [
    "id", "tenant_id", "guest_id", "point", "data", "store_id", "captured_by_id", "captured_at",
]  # fmt: skip


def _next_ids() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in TABLES_GENERATED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            found[table] = cursor.fetchone()[0] + 1
        return found


def existing_size(tenant) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM guests_guest WHERE tenant_id = %s", [tenant.pk])
        guests = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM orders_orderline WHERE tenant_id = %s", [tenant.pk])
        return guests, cursor.fetchone()[0]


def wipe() -> None:
    """Empty the generated tables (the bench database is scratch)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(TABLES_GENERATED)} CASCADE")
        else:
            for table in reversed(TABLES_GENERATED):
                cursor.execute(f"DELETE FROM {table}")


def generate(tenant, hq, stores, dishes, tags, guests: int, lines_per_guest: int) -> None:
    w = Writer()
    t = tenant.pk
    ids = _next_ids()
    first_guest = ids["guests_guest"]
    now = int(time.time())
    year = 365 * 86400
    created = w.ts(now - year - 86400)
    store_ids = [s.pk for s in stores]
    dish_rows = [(d.pk, d.code, d.name, int(d.price_regular * 100)) for d in dishes]
    tag_ids = [tg.pk for tg in tags]
    nd = len(dish_rows)

    pg, replica = w.pg, False
    if pg:
        with connection.cursor() as cursor:
            # Foreign keys are checked by triggers, one per row, deferred to the commit: skip them
            # for rows built consistent here (constraints, indexes and checks all stay). Needs a
            # superuser; without one the checks run, only slower.
            try:
                cursor.execute("SET session_replication_role = replica")
                replica = True
            except DatabaseError:
                print("  (not a superuser: foreign keys are checked row by row)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA temp_store = MEMORY")

    next_order, next_line = ids["orders_order"], ids["orders_orderline"]
    next_pay = ids["orders_orderpayment"]
    next_dt, next_pt = ids["orders_guestdishtally"], ids["orders_guestplacetally"]
    next_phone, next_date = ids["guests_guestphone"], ids["guests_importantdate"]
    next_contact, next_tagging = ids["guests_guestcontact"], ids["guests_guesttagging"]
    next_fact = ids["guests_collectedfact"]
    started = time.perf_counter()
    for chunk_start in range(0, guests, CHUNK):
        g_rows, o_rows, l_rows, p_rows, dt_rows, pt_rows = [], [], [], [], [], []
        ph_rows, d_rows, c_rows, tg_rows, f_rows = [], [], [], [], []
        for n in range(chunk_start, min(guests, chunk_start + CHUNK)):
            gid = first_guest + n
            n_orders, n_lines = orders_of(n, lines_per_guest)
            base, extra = divmod(n_lines, n_orders)
            spend = 0
            dish_tally: dict[int, list] = {}
            place_tally: dict[tuple, int] = {}
            first_at = last_at = None
            line_k = n * 7
            for j in range(n_orders):
                closed = now - 3600 - ((n * 7919 + j * 104729) % year)
                closed -= closed % 60
                store = store_ids[(n + j) % STORES] if j % 3 else store_ids[n % STORES]
                table_label = TABLES[(n * 3 + j) % len(TABLES)] if j % 2 else TABLES[n % 9]
                order_id = next_order
                next_order += 1
                total = 0
                for k in range(1, base + (1 if j < extra else 0) + 1):
                    line_k += 3 if k % 2 else 11
                    dish_id, code, name, price = dish_rows[line_k % nd]
                    qty = 2 if line_k % 5 == 0 else 1
                    total += price * qty
                    l_rows.append(
                        (next_line, t, order_id, k, dish_id, code, name, f"{qty}.000",
                         _money(price), "regular", _money(price * qty), "0.000", None)
                    )  # fmt: skip
                    next_line += 1
                    tally = dish_tally.get(dish_id)
                    if tally is None:
                        dish_tally[dish_id] = [1, qty, closed, order_id]
                    else:
                        if tally[3] != order_id:
                            tally[0] += 1
                            tally[3] = order_id
                        tally[1] += qty
                        tally[2] = max(tally[2], closed)
                closed_ts = w.ts(closed)
                o_rows.append(
                    (order_id, t, store, f"G{n}-{j}", "sale", None, "posted", gid, "",
                     table_label, None, closed_ts, 2 + (n + j) % 8, _money(total), "0.00",
                     "0.00", _money(total), "0.00", True, "-", "import", None, closed_ts)
                )  # fmt: skip
                p_rows.append((next_pay, t, order_id, "wechat", _money(total)))
                next_pay += 1
                spend += total
                first_at = closed if first_at is None else min(first_at, closed)
                last_at = closed if last_at is None else max(last_at, closed)
                place_tally[(store, table_label)] = place_tally.get((store, table_label), 0) + 1
            for dish_id, (times, qty, last, _o) in dish_tally.items():
                dt_rows.append((next_dt, t, gid, dish_id, times, f"{qty}.000", w.ts(last)))
                next_dt += 1
            for (store, table_label), visits in place_tally.items():
                pt_rows.append((next_pt, t, gid, store, table_label, visits))
                next_pt += 1
            phone = f"+86{PHONE_BASE + n}"
            surname = "王李张刘陈杨赵黄周吴"[n % 10]
            g_rows.append(
                (gid, t, f"{surname}客{n}", surname, f"{surname}{'先生' if n % 2 else '女士'}",
                 "m" if n % 2 else "f", phone, f"g{n}@example.com" if n % 3 == 0 else "",
                 f"{1960 + n % 45}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 2 == 0 else None,
                 "压测公司" if n % 4 == 0 else "", "经理" if n % 4 == 0 else "",
                 "长沙市 1 号" if n % 5 == 0 else "", gid - 1 if n % 10 == 9 else None,
                 TASTES[n % len(TASTES)], "", "", "花生" if n % 7 == 0 else "",
                 TABLES[n % 9], "business" if n % 2 else "family", "sms", n % 3 == 0,
                 "bench" if n % 3 == 0 else "", created if n % 3 == 0 else None,
                 store_ids[n % STORES], "", n_orders, _money(spend), w.ts(first_at),
                 w.ts(last_at), None, None, created, created, None)
            )  # fmt: skip
            if n % 5 == 0:
                ph_rows.append((next_phone, t, gid, f"+86{FURTHER_PHONE_BASE + n}", "office"))
                next_phone += 1
            if n % 3 == 0:
                d_rows.append(
                    (next_date, t, gid, "anniversary", f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}",
                     "结婚纪念日")
                )  # fmt: skip
                next_date += 1
            if n % 4 == 0:
                c_rows.append(
                    (next_contact, t, gid, f"助理{n}", "助理", f"+86{FURTHER_PHONE_BASE + n + 1}")
                )
                next_contact += 1
            for k in range(n % 4):
                tg_rows.append(
                    (next_tagging, t, gid, tag_ids[(n + 5 * k) % len(tag_ids)], k == 2, None,
                     created)
                )  # fmt: skip
                next_tagging += 1
            for k in range(n % 3):
                data = (
                    {"surname": surname, "phone": phone, "room_preference": TABLES[n % 9]}
                    if k == 0
                    else {"age_band": "36_45", "taste": TASTES[n % 6], "taboos": "不吃香菜"}
                )
                f_rows.append(
                    (next_fact, t, gid, "call_centre" if k == 0 else "ordering",
                     json.dumps(data, ensure_ascii=False), store_ids[n % STORES], hq.pk,
                     w.ts(last_at - 3600 * (k + 1)))
                )  # fmt: skip
                next_fact += 1
        with transaction.atomic():
            w.write("guests_guest", GUEST_COLUMNS, g_rows)
            w.write("guests_guestphone", PHONE_COLUMNS, ph_rows)
            w.write("guests_importantdate", DATE_COLUMNS, d_rows)
            w.write("guests_guestcontact", CONTACT_COLUMNS, c_rows)
            w.write("guests_guesttagging", TAGGING_COLUMNS, tg_rows)
            w.write("guests_collectedfact", FACT_COLUMNS, f_rows)
            w.write("orders_order", ORDER_COLUMNS, o_rows)
            w.write("orders_orderline", LINE_COLUMNS, l_rows)
            w.write("orders_orderpayment", PAYMENT_COLUMNS, p_rows)
            w.write("orders_guestdishtally", DISH_TALLY_COLUMNS, dt_rows)
            w.write("orders_guestplacetally", PLACE_TALLY_COLUMNS, pt_rows)
        done = min(guests, chunk_start + CHUNK)
        if done % (CHUNK * 10) == 0 or done == guests:
            elapsed = time.perf_counter() - started
            print(f"  generated {done} guests, {next_line - ids['orders_orderline']} lines, "
                  f"{elapsed:.0f} s", flush=True)  # fmt: skip

    with connection.cursor() as cursor:
        if pg:
            if replica:
                cursor.execute("RESET session_replication_role")
            for table in TABLES_GENERATED:  # the identity columns go on after the ids given
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES_GENERATED)}")
        else:
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("ANALYZE")


# --- Measurements ------------------------------------------------------------------------------
def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return p50, p99


def raw_360(cursor, guest_id: int, since) -> None:
    """The rows the 360 shows, by plain SQL (what an ideal hand-written endpoint would run)."""
    q = cursor.execute
    q(
        "SELECT g.*, r.name, r.title, r.primary_phone, s.name FROM guests_guest g "
        "LEFT JOIN guests_guest r ON r.id = g.referrer_id "
        "LEFT JOIN org_store s ON s.id = g.home_store_id WHERE g.id = %s",
        [guest_id],
    )
    cursor.fetchall()
    for sql in (
        "SELECT id, phone, label FROM guests_guestphone WHERE guest_id = %s",
        "SELECT id, kind, date, label FROM guests_importantdate WHERE guest_id = %s ORDER BY date",
        "SELECT id, name, relation, phone FROM guests_guestcontact WHERE guest_id = %s",
        "SELECT t.id, t.name, t.colour, gt.auto FROM guests_guesttagging gt "
        "JOIN guests_guesttag t ON t.id = gt.tag_id WHERE gt.guest_id = %s ORDER BY t.name",
        "SELECT o.id, o.pos_order_id, o.kind, o.status, s.name, o.table_label, o.closed_at, "
        "o.party_size, o.total FROM orders_order o JOIN org_store s ON s.id = o.store_id "
        "WHERE o.guest_id = %s ORDER BY o.closed_at DESC, o.id DESC LIMIT 10",
        "SELECT t.dish_id, d.code, d.name, t.times_ordered, t.qty, t.last_ordered_at "
        "FROM orders_guestdishtally t JOIN menu_dish d ON d.id = t.dish_id "
        "WHERE t.guest_id = %s AND t.times_ordered > 0 "
        "ORDER BY t.times_ordered DESC, t.last_ordered_at DESC LIMIT 10",
        "SELECT t.store_id, s.name, t.table_label, t.visits FROM orders_guestplacetally t "
        "JOIN org_store s ON s.id = t.store_id WHERE t.guest_id = %s AND t.visits > 0 "
        "ORDER BY t.visits DESC, t.store_id, t.table_label LIMIT 5",
        "SELECT f.id, f.point, f.data, f.captured_at, f.store_id, s.name, u.username, st.name "
        "FROM guests_collectedfact f LEFT JOIN org_store s ON s.id = f.store_id "
        "LEFT JOIN core_user u ON u.id = f.captured_by_id "
        "LEFT JOIN org_staff st ON st.user_id = u.id "
        "WHERE f.guest_id = %s ORDER BY f.captured_at DESC, f.id DESC LIMIT 50",
        "SELECT id, name, primary_phone, created_at, updated_at FROM guests_guest "
        "WHERE merged_into_id = %s ORDER BY updated_at DESC, id DESC",
        "SELECT c.*, t.name FROM loyalty_membershipcard c "
        "LEFT JOIN loyalty_tier t ON t.id = c.tier_id "
        "WHERE c.guest_id = %s ORDER BY c.issued_at DESC, c.id DESC",
        "SELECT c.*, t.name FROM coupons_coupon c "
        "JOIN coupons_coupontemplate t ON t.id = c.template_id "
        "WHERE c.guest_id = %s ORDER BY c.issued_at DESC, c.id DESC LIMIT 20",
        "SELECT b.id, b.starts_at, b.ends_at, b.status, b.status_reason, b.party_size, "
        "s.name, d.code FROM reservations_booking b JOIN org_store s ON s.id = b.store_id "
        "LEFT JOIN menu_diningtable d ON d.id = b.table_id "
        "WHERE b.guest_id = %s ORDER BY b.starts_at DESC, b.id DESC LIMIT 60",
    ):
        q(sql, [guest_id])
        cursor.fetchall()
    q(raw_trend_sql(), [guest_id, since])
    cursor.fetchall()


def raw_trend_sql() -> str:
    if connection.vendor == "postgresql":
        month = "date_trunc('month', closed_at AT TIME ZONE 'Asia/Shanghai')"
    else:
        month = "strftime('%%Y-%%m', datetime(closed_at, '+8 hours'))"
    return (
        f"SELECT {month} AS m, SUM(total - refunded_amount), COUNT(*) FROM orders_order "
        "WHERE guest_id = %s AND kind IN ('sale', 'correction') AND status = 'posted' "
        "AND closed_at >= %s GROUP BY m ORDER BY m"
    )


def raw_lookup(cursor, phone: str) -> None:
    cursor.execute(
        "SELECT g.*, r.name, r.title, r.primary_phone, s.name FROM guests_guest g "
        "LEFT JOIN guests_guest r ON r.id = g.referrer_id "
        "LEFT JOIN org_store s ON s.id = g.home_store_id "
        "WHERE g.tenant_id = %s AND g.primary_phone = %s AND g.primary_phone > ''",
        [raw_lookup.tenant, phone],
    )
    row = cursor.fetchone()
    guest_id = row[0]
    for sql in (
        "SELECT id, phone, label FROM guests_guestphone WHERE guest_id = %s",
        "SELECT id, kind, date, label FROM guests_importantdate WHERE guest_id = %s ORDER BY date",
        "SELECT id, name, relation, phone FROM guests_guestcontact WHERE guest_id = %s",
        "SELECT t.id, t.name, t.colour, gt.auto FROM guests_guesttagging gt "
        "JOIN guests_guesttag t ON t.id = gt.tag_id WHERE gt.guest_id = %s ORDER BY t.name",
    ):
        cursor.execute(sql, [guest_id])
        cursor.fetchall()


def timed(fn, args_list) -> list[float]:
    out = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        out.append(time.perf_counter() - start)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=100_000, help="guests to generate")
    parser.add_argument("--lines-per-guest", type=int, default=10, help="order lines per guest")
    parser.add_argument("--samples", type=int, default=1000, help="timed calls per measurement")
    parser.add_argument("--size", type=int, help="same as --guests (the bench/ convention)")
    args, _others = parser.parse_known_args()  # make bench passes one set of options to all
    guests = args.size or args.guests
    from django.utils import timezone

    from huike.core.api_auth import api_key_create
    from huike.core.timeutils import DEFAULT_TIME_ZONE, zone

    tenant, hq, stores, dishes, tags = setup()
    engine = connection.vendor
    lines = expected_lines(guests, args.lines_per_guest)
    have = existing_size(tenant)
    if have == (guests, lines):
        print(f"engine {engine}; data already there ({guests} guests, {lines} lines)")
    else:
        if have != (0, 0):
            print(f"  emptying the generated tables ({have[0]} guests, {have[1]} lines there)")
            wipe()
        start = time.perf_counter()
        generate(tenant, hq, stores, dishes, tags, guests, args.lines_per_guest)
        seconds = time.perf_counter() - start
        print(f"engine {engine}; generated {guests} guests, {lines} lines in {seconds:.0f} s")
        assert existing_size(tenant) == (guests, lines), existing_size(tenant)

    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM guests_guest WHERE tenant_id = %s", [tenant.pk])
        first_guest = cursor.fetchone()[0]
    rng = random.Random(360)
    numbers = [rng.randrange(guests) for _ in range(args.samples)]
    warm = [rng.randrange(guests) for _ in range(min(200, args.samples))]

    _, key = api_key_create(user=hq, name="bench360")
    client = Client(HTTP_HOST="localhost")
    headers = {"Authorization": f"Bearer {key}"}

    def call_360(n):
        response = client.get(f"/api/v1/guests/{first_guest + n}/360", headers=headers)
        assert response.status_code == 200, response.content

    def call_lookup(n):
        phone = str(PHONE_BASE + n)  # as staff type it: 138…, normalised to +86138…
        response = client.get("/api/v1/guests/lookup", {"phone": phone}, headers=headers)
        assert response.status_code == 200, response.content

    tz = zone(DEFAULT_TIME_ZONE)
    since = (timezone.now().astimezone(tz) - dt.timedelta(days=366)).replace(day=1)
    raw_lookup.tenant = tenant.pk
    # Persistent connections, as a WSGI server keeps them (HUIKE_DB_CONN_MAX_AGE); the calls on a
    # new connection each (the default, and what ASGI needs) are measured apart below.
    persistent(True)
    api_360, base_360, api_lookup, base_lookup = [], [], [], []
    with connection.cursor() as cursor:
        for n in warm:
            call_360(n), call_lookup(n), raw_360(cursor, first_guest + n, since)
        # Interleaved, so that a change in the machine's load touches a call and its baseline
        # alike.
        for n in numbers:
            api_360 += timed(call_360, [(n,)])
            base_360 += timed(raw_360, [(cursor, first_guest + n, since)])
            api_lookup += timed(call_lookup, [(n,)])
            base_lookup += timed(raw_lookup, [(cursor, f"+86{PHONE_BASE + n}")])
    persistent(False)
    fresh_360 = timed(call_360, [(n,) for n in numbers[: max(1, len(numbers) // 4)]])
    fresh_lookup = timed(call_lookup, [(n,) for n in numbers[: max(1, len(numbers) // 4)]])

    print(
        f"engine {engine}; {guests} guests, {lines} order lines; "
        f"{args.samples} random guests per measurement"
    )
    for what, api, base in (
        ("GET /guests/{id}/360   ", api_360, base_360),
        ("GET /guests/lookup     ", api_lookup, base_lookup),
        ("GET /guests/{id}/360 †", fresh_360, base_360),
        ("GET /guests/lookup   †", fresh_lookup, base_lookup),
    ):
        p50, p99 = percentiles(api)
        b50, b99 = percentiles(base)
        print(
            f"{what} {guests} guests  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
            f"raw SQL p50 {b50:6.2f} ms  p99 {b99:6.2f} ms  "
            f"ratio p50 {p50 / b50:.1f}×  p99 {p99 / b99:.1f}×"
        )
    print("† a new database connection for each request (CONN_MAX_AGE=0), a quarter of the samples")


def persistent(keep: bool) -> None:
    """Keep the database connection across requests (or open one per request)."""
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None if keep else 0


if __name__ == "__main__":
    main()
