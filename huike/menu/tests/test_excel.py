"""Dishes to and from Excel: export, the streamed import with its row-level report, refusals."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.permissions import keep_denial_audited
from huike.menu import excel
from huike.menu.models import Dish, DishCategory

from .factories import Upload, category, dish, workbook_bytes

GOOD = [
    "XC001",
    "剁椒鱼头",
    "湘菜",
    "份",
    "菜品",
    "128",
    "118.00",
    148.5,
    "0",
    "是",
    "是",
    "否",
    "是",
]


def run_import(user, rows, header=None, name="dishes.xlsx"):
    return excel.dish_import(acting_user=user, upload=Upload(workbook_bytes(rows, header), name))


def test_export_writes_every_dish_with_headers_in_the_readers_language(org, hq):
    hunan = category(hq, "湘菜")
    dish(hq, hunan, code="A1", name="剁椒鱼头", price_regular="128.5", recommended=True)
    dish(hq, hunan, code="A2", name="青岛啤酒", kind="drinks", discountable=False)
    with translation.override("en"):
        content = excel.dish_export(acting_user=hq)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Name", "Category") and rows[0][-1] == "Active"
    assert len(rows) == 3
    assert rows[1][:5] == ("A1", "剁椒鱼头", "湘菜", "份", "dish")
    assert Decimal(str(rows[1][5])) == Decimal("128.50")
    assert rows[1][9:] == ("yes", "yes", "no", "yes")
    assert rows[2][4] == "drinks" and rows[2][9] == "no"
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == hq and entry.changes == {"rows": 2, "format": "xlsx"}


def test_import_creates_dishes_and_categories_and_audits(org, hq):
    result = run_import(hq, [GOOD, ["DS001", "虾饺", "粤式点心", "笼", "dim sum", 38, 34, 42]])
    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 0, 0, [])
    head = Dish.objects.select_related("category").get(code="XC001")
    assert head.category.name == "湘菜" and head.kind == "dish"
    assert (head.price_regular, head.price_hall, head.price_vip_room) == (
        Decimal("128.00"),
        Decimal("118.00"),
        Decimal("148.50"),
    )
    assert head.recommended and not head.featured and head.discountable
    shrimp = Dish.objects.get(code="DS001")
    assert shrimp.kind == "dim_sum" and shrimp.active and shrimp.service_charge == 0
    assert set(DishCategory.objects.values_list("name", flat=True)) == {"湘菜", "粤式点心"}
    assert AuditEntry.objects.filter(object_type="menu.dish", action="create").count() == 2
    summary = AuditEntry.objects.get(changes__via="excel_import")
    assert summary.changes["created"] == 2 and summary.changes["rejected_rows"] == 0


def test_import_upserts_by_code(org, hq):
    hunan = category(hq, "湘菜")
    dish(hq, hunan, code="XC001", name="旧名", price_regular="100")
    dish(
        hq,
        hunan,
        code="XC002",
        name="小炒黄牛肉",
        price_regular="68",
        price_hall="62",
        price_vip_room="78",
    )
    same = [
        "XC002",
        "小炒黄牛肉",
        "湘菜",
        "份",
        "dish",
        "68",
        "62",
        "78",
        "0",
        "yes",
        "no",
        "no",
        "yes",
    ]
    result = run_import(hq, [GOOD, same])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    updated = Dish.objects.get(code="XC001")
    assert updated.name == "剁椒鱼头" and updated.price_regular == Decimal("128.00")
    assert Dish.objects.count() == 2
    untouched = Dish.objects.get(code="XC002")
    assert not AuditEntry.objects.filter(object_id=str(untouched.pk), action="update").exists()
    assert AuditEntry.objects.filter(object_id=str(updated.pk), action="update").count() == 1


def test_import_takes_good_rows_and_reports_bad_ones(org, hq):
    rows = [
        GOOD,
        ["B1", "负价", "湘菜", "份", "dish", "-5", "1", "1"],
        ["B2", "乱价", "湘菜", "份", "dish", "12.3.4", "1", "1"],
        ["B3", "怪类", "湘菜", "份", "soup", "1", "1", "1"],
        ["B4", None, "湘菜", "份", "dish", "1", "1", "1"],
        ["XC001", "重复", "湘菜", "份", "dish", "1", "1", "1"],
        ["B6", "布尔", "湘菜", "份", "dish", "1", "1", "1", "0", "maybe"],
        ["G2", "好行", "新类", None, None, "10", "9", "12"],
        ["B7", "长" * 61, "湘菜", "份", "dish", "1", "1", "1"],
    ]
    with translation.override("en"):
        result = run_import(hq, rows)
    assert (result.created, result.rejected_rows) == (2, 7)
    report = {(e.row, e.column): e.message for e in result.errors}
    assert "negative" in report[(3, "Regular price")]
    assert "38.50" in report[(4, "Regular price")]
    assert "soup" in report[(5, "Kind")]
    assert "required" in report[(6, "Name")]
    assert "row 2" in report[(7, "Code")]
    assert "yes or no" in report[(8, "Discountable")]
    assert "60" in report[(10, "Name")]
    assert set(Dish.objects.values_list("code", flat=True)) == {"XC001", "G2"}
    g2 = Dish.objects.get(code="G2")
    assert g2.unit == "份" and g2.kind == "dish" and g2.category.name == "新类"
    summary = AuditEntry.objects.get(changes__via="excel_import")
    assert summary.changes["rejected_rows"] == 7 and summary.changes["created"] == 2


def test_a_row_refused_by_the_service_leaves_nothing_behind(org, hq, monkeypatch):
    """A row that fails while being written (here: its dish) leaves no new category behind."""
    from huike.menu import services

    real = services.dish_create

    def failing(**kwargs):
        if kwargs["code"] == "BAD":
            raise errors.InvalidInput(fields={"code": ["refused"]})
        return real(**kwargs)

    monkeypatch.setattr(services, "dish_create", failing)
    result = run_import(hq, [["BAD", "坏", "只为坏行", "份", "dish", "1", "1", "1"], GOOD])
    assert result.created == 1 and [(e.row, e.message) for e in result.errors] == [(2, "refused")]
    assert not DishCategory.objects.filter(name="只为坏行").exists()
    assert list(Dish.objects.values_list("code", flat=True)) == ["XC001"]


def test_import_accepts_english_headers_and_words(org, hq):
    with translation.override("en"):
        header = [str(label) for _key, label in excel.COLUMNS]
    row = [
        "E1",
        "Milk tea",
        "Drinks",
        "cup",
        "drinks",
        "22",
        "20",
        "26",
        "0",
        "no",
        "yes",
        "no",
        "yes",
    ]
    with translation.override("zh-hans"):
        result = run_import(hq, [row], header=header)
    assert result.created == 1 and not result.errors
    tea = Dish.objects.get(code="E1")
    assert tea.kind == "drinks" and not tea.discountable and tea.recommended


@pytest.mark.parametrize(
    "content,name,code",
    [
        (b"code,name\nA1,x\n", "dishes.csv", "not_xlsx"),
        (b"code,name\nA1,x\n", "dishes.xlsx", "not_xlsx"),
        (b"PK\x03\x04 not really a zip", "dishes.xlsx", "not_xlsx"),
        (None, "dishes.xls", "not_xlsx"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused_with_nothing_written(org, hq, content, name, code):
    content = content if content is not None else workbook_bytes([GOOD])
    with pytest.raises(errors.InvalidInput) as exc:
        excel.dish_import(acting_user=hq, upload=Upload(content, name))
    assert exc.value.code == code and exc.value.fields["file"]
    assert not Dish.objects.exists() and not DishCategory.objects.exists()


def test_a_wrong_header_is_refused_with_nothing_written(org, hq):
    header = ["编号", "名称", "类别"]
    with translation.override("en"), pytest.raises(errors.InvalidInput) as exc:
        run_import(hq, [GOOD], header=header)
    assert exc.value.code == "wrong_header"
    assert "Code, Name, Category, Unit, Kind, Regular price" in str(exc.value.message)
    assert not Dish.objects.exists()


def test_too_large_files_are_refused(org, hq, monkeypatch):
    big = Upload(workbook_bytes([GOOD]))
    big.size = excel.MAX_BYTES + 1
    with pytest.raises(errors.InvalidInput) as exc:
        excel.dish_import(acting_user=hq, upload=big)
    assert exc.value.code == "file_too_large"
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    rows = [GOOD, [*GOOD[:1], "B"], ["C1", "C", "湘菜", "份", "dish", "1", "1", "1"]]
    rows[1] = ["B1", "B", "湘菜", "份", "dish", "1", "1", "1"]
    with pytest.raises(errors.InvalidInput) as exc:
        run_import(hq, rows)
    assert exc.value.code == "too_many_rows"
    assert not Dish.objects.exists()


def test_export_then_import_round_trips(org, hq):
    hunan, drinks = category(hq, "湘菜"), category(hq, "酒水")
    dish(hq, hunan, code="A1", name="剁椒鱼头", price_regular="128.50", featured=True)
    dish(
        hq,
        drinks,
        code="B1",
        name="青岛啤酒",
        kind="drinks",
        service_charge="1.10",
        discountable=False,
        active=False,
    )
    before = list(Dish.objects.order_by("code").values())
    content = excel.dish_export(acting_user=hq)
    result = excel.dish_import(acting_user=hq, upload=Upload(content))
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])
    assert list(Dish.objects.order_by("code").values()) == before
    Dish.objects.all().delete()
    result = excel.dish_import(acting_user=hq, upload=Upload(content))
    assert result.created == 2
    after = list(Dish.objects.order_by("code").values())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


def test_import_and_export_need_menu_manage(org, users):
    waiter = users["waiter"]
    for call in (
        lambda: excel.dish_export(acting_user=waiter),
        lambda: excel.dish_import(acting_user=waiter, upload=Upload(workbook_bytes([GOOD]))),
    ):
        with pytest.raises(errors.PermissionDenied) as denied:
            call()
        keep_denial_audited(denied.value)
    assert AuditEntry.objects.filter(action="permission_denied", actor=waiter).count() == 2
    assert not Dish.objects.exists()
