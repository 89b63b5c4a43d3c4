"""Import of order lines from CSV and Excel: good orders in, bad orders listed by row and column
with nothing half-imported, re-import idempotent, unreadable files refused."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huike.core import errors
from huike.core.api_auth import api_key_create
from huike.guests.models import Guest
from huike.orders.imports import import_orders
from huike.orders.models import Order

HEADER = [
    "store_code",
    "pos_order_id",
    "closed_at",
    "table",
    "party_size",
    "guest_phone",
    "discount",
    "pay_wechat",
    "pay_cash",
    "dish_code",
    "qty",
    "price_tier",
    "unit_price",
]


def rows(store_code="t1-s1"):
    return [
        # order A: 128 + 2 × 68 = 264, −4 discount = 260 (two rows)
        [
            store_code,
            "A",
            "2026-01-05 12:30",
            "牡丹厅",
            "4",
            "13812345678",
            "4",
            "200",
            "60",
            "D001",
            "1",
            "",
            "",
        ],
        [store_code, "A", "", "", "", "", "", "", "", "D002", "2", "regular", ""],
        # order B: bad — an unknown dish on its second row
        [store_code, "B", "2026-01-05 13:00", "A1", "2", "", "", "", "3", "D003", "1", "", ""],
        [store_code, "B", "", "", "", "", "", "", "", "D999", "1", "", ""],
        # order C: VIP-room price from the dish, 138
        [
            store_code,
            "C",
            "2026-01-06 19:00",
            "",
            "",
            "13812345678",
            "",
            "138",
            "",
            "D001",
            "1",
            "vip_room",
            "",
        ],
    ]


def csv_upload(data, *, encoding="utf-8", name="orders.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(data)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(data, name="orders.xlsx"):
    book = openpyxl.Workbook()
    for row in data:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_good_orders_go_in_and_a_bad_order_is_listed_by_row(org, hq, menu):
    report = import_orders(acting_user=hq, upload=csv_upload([HEADER, *rows()]))
    assert (report.rows, report.orders_posted, report.orders_rejected) == (5, 2, 1)
    assert [(e.row, e.column) for e in report.errors] == [(5, "dish_code")]
    assert "D999" in report.errors[0].message
    assert sorted(Order.objects.values_list("pos_order_id", flat=True)) == ["A", "C"]
    a = Order.objects.get(pos_order_id="A")
    assert (a.total, a.source, a.table_label, a.party_size) == (
        Decimal("260.00"),
        "import",
        "牡丹厅",
        4,
    )
    assert a.closed_at == dt.datetime(2026, 1, 5, 12, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert Order.objects.get(pos_order_id="C").total == Decimal("138.00")
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (2, Decimal("398.00"))


def test_importing_the_same_file_again_posts_nothing_twice(org, hq, menu):
    import_orders(acting_user=hq, upload=csv_upload([HEADER, *rows()]))
    again = import_orders(acting_user=hq, upload=csv_upload([HEADER, *rows()]))
    assert (again.orders_posted, again.orders_already_posted, again.orders_rejected) == (0, 2, 1)
    assert Order.objects.count() == 2 and Guest.objects.get().visit_count == 2


def test_excel_with_chinese_column_names(org, hq, menu):
    chinese = [
        "门店编码",
        "单号",
        "结账时间",
        "台号",
        "人数",
        "顾客手机",
        "整单优惠",
        "微信",
        "现金",
        "菜品编码",
        "数量",
        "价格档",
        "单价",
    ]
    data = [chinese, *rows()]
    data[1][2] = dt.datetime(2026, 1, 5, 12, 30)  # a real Excel date cell
    data[1][10] = 1
    data[5][11] = "贵宾包房价"
    report = import_orders(acting_user=hq, upload=xlsx_upload(data))
    assert (report.orders_posted, report.orders_rejected) == (2, 1), report.errors
    assert Order.objects.get(pos_order_id="A").closed_at == dt.datetime(
        2026, 1, 5, 4, 30, tzinfo=dt.UTC
    )


def test_a_csv_saved_by_chinese_excel_in_gb18030(org, hq, menu):
    report = import_orders(acting_user=hq, upload=csv_upload([HEADER, *rows()], encoding="gb18030"))
    assert report.orders_posted == 2
    assert Order.objects.get(pos_order_id="A").table_label == "牡丹厅"


def test_row_level_problems_reject_only_their_order(org, hq, menu):
    data = [HEADER, *rows()]
    data[2][3] = "兰花厅"  # order A: a second table on its second row
    data[3][2] = "yesterday"  # order B: not a time
    data.append(["t1-s1", "A", "", "", "", "", "", "", "", "D003", "1", "", ""])  # A again, apart
    data.append(
        ["t1-s2", "D", "2026-01-07 12:00", "", "", "12345", "", "", "3", "D003", "1", "", ""]
    )
    data.append(["nowhere", "E", "2026-01-07 12:00", "", "", "", "", "", "3", "D003", "1", "", ""])
    report = import_orders(acting_user=hq, upload=csv_upload(data))
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "table"),
        (4, "closed_at"),
        (7, "pos_order_id"),
        (8, "guest_phone"),
        (9, "store_code"),
    } <= found, report.errors
    assert list(Order.objects.values_list("pos_order_id", flat=True)) == ["C"]


def test_amounts_that_do_not_add_up_are_reported_on_the_order_row(org, hq, menu):
    data = [HEADER, *rows()]
    data[1][8] = "61"  # A paid 261 for 260
    report = import_orders(acting_user=hq, upload=csv_upload(data))
    assert [(e.row, e.column) for e in report.errors][:1] == [(2, "pay_*")]
    assert not Order.objects.filter(pos_order_id="A").exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: csv_upload([["store_code", "qty"], ["t1-s1", "1"]]), "missing_columns"),
        (lambda: SimpleUploadedFile("orders.xlsx", b"PK\x03\x04 not a zip"), "unreadable_file"),
        (lambda: SimpleUploadedFile("orders.csv", b""), "empty_file"),
    ],
)
def test_unreadable_files_are_refused_whole(org, hq, menu, upload, code):
    with pytest.raises(errors.InvalidInput) as refused:
        import_orders(acting_user=hq, upload=upload())
    assert refused.value.code == code and str(refused.value.message)
    assert Order.objects.count() == 0


def test_import_by_api_and_its_permission(org, users, menu):
    _, key = api_key_create(user=users["hq"], name="import")
    client = Client()
    response = client.post(
        "/api/v1/orders/import",
        {"file": csv_upload([HEADER, *rows()])},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["orders_posted"], body["orders_rejected"]) == (2, 1)
    assert body["errors"] == [
        {"row": 5, "column": "dish_code", "message": body["errors"][0]["message"]}
    ]
    _, cashier_key = api_key_create(user=users["cashier"], name="import")
    refused = client.post(
        "/api/v1/orders/import",
        {"file": csv_upload([HEADER, *rows()])},
        headers={"Authorization": f"Bearer {cashier_key}"},
    )
    assert refused.status_code == 403
