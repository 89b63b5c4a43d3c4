"""Menu services and selectors: categories, dishes, availability per store, store_menu."""

from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.permissions import keep_denial_audited
from huike.core.tenancy import tenant_context
from huike.menu import selectors, services
from huike.menu.models import Dish, DishAvailability, DishCategory

from .factories import category, dish


@pytest.fixture
def hunan(hq):
    return category(hq, "湘菜", 10)


def test_category_create_update_delete_audited(org, hq):
    cat = category(hq, " 粤式点心 ", 5)
    assert cat.name == "粤式点心" and cat.sort_order == 5
    services.category_update(acting_user=hq, category=cat, name="点心", sort_order=7)
    cat.refresh_from_db()
    assert (cat.name, cat.sort_order) == ("点心", 7)
    pk = cat.pk
    services.category_delete(acting_user=hq, category=cat)
    assert not DishCategory.objects.filter(pk=pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="menu.dishcategory", object_id=str(pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_category_name_is_unique_in_the_tenant(org, hq, hunan):
    with pytest.raises(errors.InvalidInput) as exc:
        category(hq, "湘菜")
    assert "name" in exc.value.fields
    assert DishCategory.objects.count() == 1


def test_category_with_dishes_cannot_be_deleted(org, hq, hunan):
    dish(hq, hunan)
    with pytest.raises(errors.Conflict) as exc:
        services.category_delete(acting_user=hq, category=hunan)
    assert exc.value.code == "in_use"
    assert DishCategory.objects.filter(pk=hunan.pk).exists()


def test_dish_create_keeps_exact_prices(org, hq, hunan):
    created = dish(hq, hunan, price_regular="48.5", service_charge=Decimal("2"))
    created.refresh_from_db()
    assert created.price_regular == Decimal("48.50")
    assert created.price_hall == Decimal("42.00")
    assert created.service_charge == Decimal("2.00")
    assert isinstance(created.price_vip_room, Decimal)
    entry = AuditEntry.objects.get(object_type="menu.dish", object_id=str(created.pk))
    assert entry.action == "create" and entry.changes["price_regular"] == "48.50"


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("price_regular", "-1", "negative"),
        ("price_hall", "12.3.4", "38.50"),
        ("price_vip_room", "abc", "38.50"),
        ("price_regular", "12.345", "2 decimal"),
        ("service_charge", "-0.01", "negative"),
        ("price_regular", "1e30", "38.50"),
        ("price_regular", "2000000", "too large"),
        ("price_regular", 12.5, "float"),
    ],
)
def test_dish_create_refuses_bad_prices(org, hq, hunan, settings, field, value, fragment):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(errors.InvalidInput) as exc:
        dish(hq, hunan, **{field: value})
    assert fragment in exc.value.fields[field][0]
    assert not Dish.objects.exists()


def test_dish_create_reports_every_bad_price_at_once(org, hq, hunan):
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, hunan, price_regular="-5", price_hall="x", price_vip_room="")
    assert set(exc.value.fields) == {"price_regular", "price_hall", "price_vip_room"}


def test_dish_create_refuses_bad_fields(org, hq, hunan, other_org):
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, hunan, code="D1", name="名" * 61)
    assert "name" in exc.value.fields
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, hunan, code="D2", kind="soup")
    assert "kind" in exc.value.fields
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, 999_999, code="D3")
    assert exc.value.fields["category"]
    with tenant_context(other_org["tenant"]):
        foreign = category(other_org["users"]["hq"], "别家的")
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, foreign.pk, code="D4")
    assert exc.value.fields["category"]
    assert not Dish.objects.exists()


def test_dish_code_is_unique_in_the_tenant_only(org, hq, hunan, other_org):
    dish(hq, hunan, code="X1")
    with pytest.raises(errors.InvalidInput) as exc:
        dish(hq, hunan, code="X1", name="另一道")
    assert "code" in exc.value.fields
    other_hq = other_org["users"]["hq"]
    with tenant_context(other_org["tenant"]):
        theirs = dish(other_hq, category(other_hq, "湘菜"), code="X1")
    assert theirs.code == "X1" and Dish.all_tenants.filter(code="X1").count() == 2


def test_dish_update_changes_and_audits_only_what_changed(org, hq, hunan):
    d = dish(hq, hunan)
    cantonese = category(hq, "粤菜")
    services.dish_update(
        acting_user=hq, dish=d, price_hall="40", category=cantonese.pk, recommended=True
    )
    d.refresh_from_db()
    assert d.price_hall == Decimal("40.00") and d.category == cantonese and d.recommended
    entry = AuditEntry.objects.filter(object_type="menu.dish", action="update").get()
    assert set(entry.changes) == {"price_hall", "category_id", "recommended"}
    services.dish_update(acting_user=hq, dish=d, price_hall="40.00")
    assert AuditEntry.objects.filter(object_type="menu.dish", action="update").count() == 1


def test_dish_update_refuses_unknown_fields_and_negative_prices(org, hq, hunan):
    d = dish(hq, hunan)
    with pytest.raises(errors.InvalidInput) as exc:
        services.dish_update(acting_user=hq, dish=d, tenant=1)
    assert "tenant" in exc.value.fields
    with pytest.raises(errors.InvalidInput):
        services.dish_update(acting_user=hq, dish=d, price_regular="-3")
    d.refresh_from_db()
    assert d.price_regular == Decimal("48.00")


def test_waiter_can_list_but_not_manage_and_the_denial_is_audited(org, hq, users, hunan):
    waiter = users["waiter"]
    d = dish(hq, hunan)
    assert list(selectors.dish_list(user=waiter)) == [d]
    for call in [
        lambda: services.category_create(acting_user=waiter, name="新"),
        lambda: dish(waiter, hunan, code="W1"),
        lambda: services.dish_update(acting_user=waiter, dish=d, name="改"),
        lambda: services.dish_set_availability(
            acting_user=waiter, dish=d, store=org["store"], active=False
        ),
    ]:
        with pytest.raises(errors.PermissionDenied) as denied:
            call()
        keep_denial_audited(denied.value)  # as the API and pages do once the request is over
    denials = AuditEntry.objects.filter(action="permission_denied", object_id="menu.manage")
    assert denials.filter(actor=waiter).count() == 4
    d.refresh_from_db()
    assert d.name == "辣椒炒肉"


def test_dish_list_filters(org, hq, hunan):
    drinks = category(hq, "酒水", 90)
    a = dish(hq, hunan, code="A1", name="剁椒鱼头")
    b = dish(hq, drinks, code="B1", name="青岛啤酒", kind="drinks", active=False)
    assert list(selectors.dish_list(user=hq)) == [a, b]
    assert list(selectors.dish_list(user=hq, category=drinks)) == [b]
    assert list(selectors.dish_list(user=hq, category=hunan.pk)) == [a]
    assert list(selectors.dish_list(user=hq, kind="drinks")) == [b]
    assert list(selectors.dish_list(user=hq, active=True)) == [a]
    assert list(selectors.dish_list(user=hq, search="啤酒")) == [b]
    assert list(selectors.dish_list(user=hq, search="a1")) == [a]


def test_availability_per_store_and_store_menu_by_tier(org, hq, hunan):
    store, store2 = org["store"], org["store2"]
    a = dish(hq, hunan, code="A1", price_regular="48", price_hall="42", price_vip_room="56")
    b = dish(hq, hunan, code="B1", price_regular="30", price_hall="28", price_vip_room="36")
    dish(hq, hunan, code="C1", active=False)
    assert (
        services.dish_set_availability(acting_user=hq, dish=b, store=store2, active=False) is False
    )
    menu1 = list(selectors.store_menu(store=store, tier="hall"))
    assert [(d.code, d.price) for d in menu1] == [
        ("A1", Decimal("42.00")),
        ("B1", Decimal("28.00")),
    ]
    menu2 = list(selectors.store_menu(store=store2, tier="vip_room"))
    assert [(d.code, d.price) for d in menu2] == [("A1", Decimal("56.00"))]
    assert [d.price for d in selectors.store_menu(store=store2, tier="regular")] == [
        Decimal("48.00")
    ]
    # back on: one row per dish and store, switched, audited each time
    services.dish_set_availability(acting_user=hq, dish=b, store=store2, active=True)
    services.dish_set_availability(acting_user=hq, dish=b, store=store2, active=True)  # no-op
    assert DishAvailability.objects.filter(dish=b).count() == 1
    assert [d.code for d in selectors.store_menu(store=store2, tier="hall")] == ["A1", "B1"]
    changes = [
        e.changes["store_availability"]["on"]
        for e in AuditEntry.objects.filter(object_id=str(b.pk), action="update").order_by("seq")
    ]
    assert changes == [False, True]
    assert a.price_for("hall") == Decimal("42.00")


def test_store_menu_refuses_an_unknown_tier(org):
    with pytest.raises(errors.InvalidInput) as exc:
        selectors.store_menu(store=org["store"], tier="takeaway")
    assert "tier" in exc.value.fields


def test_availability_refuses_another_tenants_store(org, hq, hunan, other_org):
    d = dish(hq, hunan)
    with pytest.raises(errors.NotFound):
        services.dish_set_availability(
            acting_user=hq, dish=d, store=other_org["store"], active=False
        )
    assert not DishAvailability.all_tenants.exists()


def test_dish_by_code(org, hq, hunan):
    d = dish(hq, hunan, code="XC001")
    assert selectors.dish_by_code(" XC001 ") == d
    assert selectors.dish_by_code("nope") is None
    assert selectors.dishes_by_code(["XC001", "nope", None]) == {"XC001": d}
