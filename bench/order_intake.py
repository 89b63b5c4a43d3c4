"""Order intake (T2): POST /api/v1/orders and the CSV import, against a bulk insert of the same
rows; and the memory the import holds (streamed, not loaded whole).

    .venv/bin/python bench/order_intake.py --size 2000      # orders (4 lines each)

Each order goes through ``order_post`` (validation, idempotency, guest stats, tallies, audit):
the baseline is ``bulk_create`` of the same headers, lines and payments, without any of that.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

LINES = 4
DISHES = 50
GUESTS = 500


def setup():
    from huike.core.models import Tenant
    from huike.core.tenancy import activate_tenant
    from huike.menu.models import Dish, DishCategory
    from huike.org import services
    from huike.org.models import Staff

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code="bench").first() or services.tenant_setup(
        name="压测集团", code="bench", admin_username="bench-hq", admin_password="bench-pw-123!"
    )
    activate_tenant(tenant)
    hq = Staff.objects.get(employee_no="HQ-0001").user
    brand = services.brand_create(acting_user=hq, name="压测品牌", code="bench-brand")
    stores = [
        services.store_create(
            acting_user=hq,
            brand=brand,
            name=f"压测{n}店",
            code=f"s{n}",
            city="长沙",
            address="1 号",
        )
        for n in range(1, 5)
    ]
    category = DishCategory.objects.create(name="热菜")
    dishes = [
        Dish.objects.create(
            category=category,
            code=f"D{n:03d}",
            name=f"菜{n}",
            price_regular=Decimal(10 + n),
            price_hall=Decimal(9 + n),
            price_vip_room=Decimal(12 + n),
        )
        for n in range(DISHES)
    ]
    return tenant, hq, stores, dishes


def order_spec(n: int, dishes) -> dict:
    closed = (timezone.now() - dt.timedelta(minutes=10 * n + 60)).replace(microsecond=0)
    lines = [dishes[(n * 7 + k * 13) % len(dishes)] for k in range(LINES)]
    total = sum((d.price_regular for d in lines), Decimal(0))
    return {
        "pos_order_id": f"B-{n:08d}",
        "closed_at": closed,
        "guest_phone": f"139{n % GUESTS:08d}",
        "table_label": f"A{n % 30:02d}",
        "lines": [{"dish_code": d.code, "qty": "1"} for d in lines],
        "payments": [{"method": "wechat", "amount": str(total)}],
    }


def bench_api(hq, store, dishes, size) -> float:
    from huike.core.api_auth import api_key_create

    _, key = api_key_create(user=hq, name="bench")
    client = Client(HTTP_HOST="localhost")  # an allowed host, as the real server is called
    headers = {"Authorization": f"Bearer {key}"}
    start = time.perf_counter()
    for n in range(size):
        spec = order_spec(n, dishes)
        body = {**spec, "store": store.pk, "closed_at": spec["closed_at"].isoformat()}
        response = client.post(
            "/api/v1/orders", body, content_type="application/json", headers=headers
        )
        assert response.status_code == 201, response.content
    return time.perf_counter() - start


def csv_file(store, dishes, size, offset) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["store_code", "pos_order_id", "closed_at", "table", "guest_phone", "pay_wechat"]
        + ["dish_code", "qty"]
    )
    for n in range(offset, offset + size):
        spec = order_spec(n, dishes)
        for k, line in enumerate(spec["lines"]):
            head = (
                [
                    store.code,
                    spec["pos_order_id"],
                    spec["closed_at"].isoformat(),
                    spec["table_label"],
                    spec["guest_phone"],
                    spec["payments"][0]["amount"],
                ]
                if k == 0
                else [store.code, spec["pos_order_id"], "", "", "", ""]
            )
            writer.writerow(head + [line["dish_code"], line["qty"]])
    return SimpleUploadedFile("bench.csv", out.getvalue().encode())


def bench_bulk(tenant, store, dishes, size) -> float:
    """The baseline: the same headers, lines and payments by bulk_create, nothing derived."""
    from huike.orders.models import Order, OrderLine, OrderPayment

    by_code = {d.code: d for d in dishes}
    start = time.perf_counter()
    for chunk_start in range(0, size, 1000):
        specs = [order_spec(n, dishes) for n in range(chunk_start, min(size, chunk_start + 1000))]
        orders = Order.objects.bulk_create(
            [
                Order(
                    tenant=tenant,
                    store=store,
                    pos_order_id=s["pos_order_id"],
                    closed_at=s["closed_at"],
                    table_label=s["table_label"],
                    subtotal=Decimal(s["payments"][0]["amount"]),
                    total=Decimal(s["payments"][0]["amount"]),
                    fingerprint="-",
                )
                for s in specs
            ]
        )
        lines, payments = [], []
        for order, s in zip(orders, specs, strict=True):
            for k, line in enumerate(s["lines"], start=1):
                dish = by_code[line["dish_code"]]
                lines.append(
                    OrderLine(
                        tenant=tenant,
                        order=order,
                        line_no=k,
                        dish=dish,
                        dish_code=dish.code,
                        dish_name=dish.name,
                        qty=Decimal(1),
                        unit_price=dish.price_regular,
                        line_total=dish.price_regular,
                    )
                )
            payments.append(
                OrderPayment(tenant=tenant, order=order, method="wechat", amount=order.total)
            )
        OrderLine.objects.bulk_create(lines)
        OrderPayment.objects.bulk_create(payments)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="orders per measurement")
    size = parser.parse_args().size
    from huike.orders.imports import import_orders

    tenant, hq, stores, dishes = setup()
    rows = size * LINES
    engine = django.db.connection.vendor

    api_seconds = bench_api(hq, stores[0], dishes, size)
    upload = csv_file(stores[1], dishes, size, offset=size)
    start = time.perf_counter()
    report = import_orders(acting_user=hq, upload=upload)
    import_seconds = time.perf_counter() - start
    assert report.orders_posted == size, report.as_dict()
    bulk_seconds = bench_bulk(tenant, stores[2], dishes, size)

    upload = csv_file(stores[3], dishes, size, offset=2 * size)
    tracemalloc.start()
    import_orders(acting_user=hq, upload=upload)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"engine {engine}; {size} orders × {LINES} lines = {rows} lines per measurement")
    print(
        f"API POST /orders  {size} orders  {size / api_seconds:8.1f} orders/s  "
        f"bulk insert {size / bulk_seconds:8.1f} orders/s  ratio {api_seconds / bulk_seconds:.1f}×"
    )
    print(
        f"CSV import        {rows} rows    {rows / import_seconds:8.1f} rows/s    "
        f"bulk insert {rows / bulk_seconds:8.1f} rows/s    "
        f"ratio {import_seconds / bulk_seconds:.1f}×"
    )
    print(
        f"CSV import memory {rows} rows    peak {peak / 1024 / 1024:.1f} MiB of Python objects "
        f"(file {upload.size / 1024 / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
