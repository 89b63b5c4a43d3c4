"""Console pages of the menu app: dish list and filters, dish form, availability matrix,
categories, Excel export and import."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.menu.models import Dish, DishAvailability, DishCategory

from .factories import category, dish, workbook_bytes

HX = {"HX-Request": "true"}


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def signed_in(client, user):
    client.force_login(user)
    return client


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr[^>]*data-dish-code="{re.escape(code)}".*?</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


@pytest.fixture
def hunan(hq):
    return category(hq, "湘菜", 10)


def dish_post(cat, **changes) -> dict:
    data = {
        "category": str(cat.pk),
        "code": "XC001",
        "name": "剁椒鱼头",
        "unit": "份",
        "kind": "dish",
        "price_regular": "128",
        "price_hall": "118.00",
        "price_vip_room": "148.50",
        "service_charge": "",
        "discountable": "on",
        "active": "on",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    "name,arg",
    [
        ("dish_list", None),
        ("dish_create", None),
        ("dish_edit", "dish"),
        ("dish_import", None),
        ("category_list", None),
        ("category_edit", "category"),
    ],
)
def test_each_page_renders_for_hq(client, org, hq, hunan, name, arg):
    targets = {"dish": dish(hq, hunan).pk, "category": hunan.pk}
    url = reverse(name, args=[targets[arg]] if arg else [])
    response = signed_in(client, hq).get(url)
    assert response.status_code == 200
    assert b"<html" in response.content


def test_the_menu_links_dishes_for_those_who_may_see_them(client, users):
    page = signed_in(client, users["waiter"]).get(reverse("home")).content.decode()
    assert tid("nav-dishes") in page


def test_dish_list_shows_prices_and_filters_with_htmx(client, org, hq, hunan):
    drinks = category(hq, "酒水", 90)
    dish(hq, hunan, code="A1", name="剁椒鱼头", price_regular="128.5", recommended=True)
    dish(hq, drinks, code="B1", name="青岛啤酒", kind="drinks", active=False)
    signed_in(client, hq)
    page = client.get(reverse("dish_list")).content.decode()
    assert "¥128.50" in row_of(page, "A1") and tid("dish-recommended") in row_of(page, "A1")
    assert tid("dish-inactive") in row_of(page, "B1")
    for button in ("dish-create", "dish-export", "dish-import", "dish-filters"):
        assert tid(button) in page
    partial = client.get(reverse("dish_list"), {"kind": "drinks"}, headers=HX).content.decode()
    assert "<html" not in partial and 'data-dish-code="B1"' in partial
    assert 'data-dish-code="A1"' not in partial
    by_category = client.get(reverse("dish_list"), {"category": hunan.pk}, headers=HX)
    assert 'data-dish-code="B1"' not in by_category.content.decode()
    active = client.get(reverse("dish_list"), {"active": "yes", "q": "鱼"}, headers=HX)
    assert 'data-dish-code="A1"' in active.content.decode()
    none = client.get(reverse("dish_list"), {"q": "不存在"}, headers=HX).content.decode()
    assert tid("dish-empty") in none


def test_dish_list_query_count_is_bounded(client, org, hq, hunan):
    signed_in(client, hq)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dish_list")).status_code == 200
        return len(captured)

    dish(hq, hunan, code="A0")
    before = queries()
    for n in range(8):
        dish(hq, category(hq, f"类{n}"), code=f"N{n}")
    # one more category choice in the filter is no more queries either
    assert queries() == before


def test_dish_create_saves_and_redirects(client, org, hq, hunan):
    response = signed_in(client, hq).post(reverse("dish_create"), dish_post(hunan), headers=HX)
    assert response.status_code == 204
    created = Dish.objects.get(code="XC001")
    assert response["HX-Redirect"] == reverse("dish_edit", args=[created.pk])
    assert str(created.price_regular) == "128.00" and str(created.service_charge) == "0.00"
    assert created.discountable and created.active and not created.recommended


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"price_regular": "-5"}, "price_regular"),
        ({"price_hall": "12.3.4"}, "price_hall"),
        ({"name": "名" * 61}, "name"),
        ({"category": "999999"}, "category"),
        ({"kind": "soup"}, "kind"),
    ],
)
def test_dish_form_shows_errors_beside_the_field(client, org, hq, hunan, changes, field):
    response = signed_in(client, hq).post(
        reverse("dish_create"), dish_post(hunan, **changes), headers=HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert tid(f"error-{field}") in html and "<html" not in html
    assert not Dish.objects.exists()


def test_duplicate_code_is_shown_beside_the_code(client, org, hq, hunan):
    dish(hq, hunan, code="XC001")
    response = signed_in(client, hq).post(reverse("dish_create"), dish_post(hunan), headers=HX)
    assert tid("error-code") in response.content.decode()
    assert Dish.objects.count() == 1


def test_dish_edit_saves_changes(client, org, hq, hunan):
    d = dish(hq, hunan)
    data = dish_post(hunan, code=d.code, name="辣椒炒肉（大）", price_hall="45", recommended="on")
    response = signed_in(client, hq).post(reverse("dish_edit", args=[d.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("dish_list")
    d.refresh_from_db()
    assert d.name == "辣椒炒肉（大）" and str(d.price_hall) == "45.00" and d.recommended


def test_availability_matrix_switches_stores(client, org, hq, hunan):
    d = dish(hq, hunan)
    signed_in(client, hq)
    page = client.get(reverse("dish_edit", args=[d.pk])).content.decode()
    assert tid("availability-form") in page
    assert tid(f"availability-{org['store'].code}") in page
    response = client.post(
        reverse("dish_availability", args=[d.pk]), {"stores": [str(org["store"].pk)]}
    )
    assert response.status_code == 302
    assert DishAvailability.objects.get(dish=d, store=org["store2"]).active is False
    assert not DishAvailability.objects.filter(dish=d, store=org["store"]).exists()
    page = client.get(reverse("dish_edit", args=[d.pk])).content.decode()
    box = re.search(rf"<input[^>]*{tid('availability-' + org['store2'].code)}[^>]*>", page)
    assert box and "checked" not in box.group(0)


def test_waiter_sees_dishes_but_cannot_change_them(client, org, users, hq, hunan):
    d = dish(hq, hunan)
    signed_in(client, users["waiter"])
    page = client.get(reverse("dish_list")).content.decode()
    assert 'data-dish-code="D001"' in page and tid("dish-create") not in page
    detail = client.get(reverse("dish_edit", args=[d.pk])).content.decode()
    assert tid("dish-submit") not in detail and tid("availability-submit") not in detail
    for url, data in [
        (reverse("dish_edit", args=[d.pk]), dish_post(hunan, name="改")),
        (reverse("dish_create"), dish_post(hunan, code="W1")),
        (reverse("dish_availability", args=[d.pk]), {}),
        (reverse("category_list"), {"name": "新", "sort_order": "0"}),
    ]:
        assert client.post(url, data).status_code == 403
    assert client.get(reverse("dish_import")).status_code == 403
    assert client.get(reverse("dish_export")).status_code == 403
    d.refresh_from_db()
    assert d.name == "辣椒炒肉" and not DishAvailability.objects.exists()
    denials = AuditEntry.objects.filter(action="permission_denied", actor=users["waiter"])
    assert denials.count() == 6


def test_another_tenants_dish_is_not_found(client, org, hq, other_org):
    other_hq = other_org["users"]["hq"]
    with tenant_context(other_org["tenant"]):
        theirs = dish(other_hq, category(other_hq, "别家"), code="T2")
    signed_in(client, hq)
    assert client.get(reverse("dish_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("category_edit", args=[theirs.category_id])).status_code == 404


def test_categories_add_rename_and_delete(client, org, hq, hunan):
    signed_in(client, hq)
    response = client.post(reverse("category_list"), {"name": "粤式点心", "sort_order": "20"})
    assert response.status_code == 302
    dim_sum = DishCategory.objects.get(name="粤式点心")
    duplicate = client.post(
        reverse("category_list"), {"name": "湘菜", "sort_order": "1"}, headers=HX
    )
    assert tid("error-name") in duplicate.content.decode()
    client.post(reverse("category_edit", args=[dim_sum.pk]), {"name": "点心", "sort_order": "5"})
    dim_sum.refresh_from_db()
    assert (dim_sum.name, dim_sum.sort_order) == ("点心", 5)
    dish(hq, hunan)
    page = client.get(reverse("category_list")).content.decode()
    assert page.count(tid("category-delete")) == 1  # only the empty one offers delete
    client.post(reverse("category_delete", args=[hunan.pk]))
    assert DishCategory.objects.filter(pk=hunan.pk).exists()
    refused = client.get(reverse("category_list")).content.decode()
    assert "alert-danger" in refused
    client.post(reverse("category_delete", args=[dim_sum.pk]))
    assert not DishCategory.objects.filter(pk=dim_sum.pk).exists()


def test_export_button_downloads_the_workbook(client, org, hq, hunan):
    dish(hq, hunan, code="A1")
    response = signed_in(client, hq).get(reverse("dish_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "A1"


def test_import_page_shows_counts_and_the_bad_rows(client, org, hq):
    rows = [
        ["A1", "剁椒鱼头", "湘菜", "份", "dish", "128", "118", "148"],
        ["A2", "坏价", "湘菜", "份", "dish", "12.3.4", "1", "1"],
    ]
    file = io.BytesIO(workbook_bytes(rows))
    file.name = "menu.xlsx"
    response = signed_in(client, hq).post(reverse("dish_import"), {"file": file}, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and tid("import-result") in html
    assert re.search(rf"{tid('import-created')}>1<", html)
    assert re.search(rf"{tid('import-rejected')}>1<", html)
    assert 'data-row="3"' in html
    assert list(Dish.objects.values_list("code", flat=True)) == ["A1"]


def test_import_page_refuses_a_bad_file_beside_the_field(client, org, hq):
    file = io.BytesIO(b"not a spreadsheet")
    file.name = "menu.csv"
    response = signed_in(client, hq).post(reverse("dish_import"), {"file": file})
    html = response.content.decode()
    assert response.status_code == 200 and tid("error-file") in html
    assert tid("import-result") not in html
    assert not Dish.objects.exists()
