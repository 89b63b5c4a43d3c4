"""Services and selectors of the competitors app: validation, tenancy, audit, permissions and
the exact maths of the price comparison."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huike.competitors import selectors, services
from huike.competitors.models import Competitor, CompetitorDish, CompetitorNote
from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.permissions import default_permissions, keep_denial_audited
from huike.core.tenancy import tenant_context
from huike.menu.tests.factories import category, dish

from .factories import competitor, competitor_dish


@pytest.fixture
def ours(hq):
    cat = category(hq)
    return dish(hq, cat, "D001", "辣椒炒肉", price_regular="48.00", price_hall="42.00")


def test_default_grants():
    assert {"competitors.manage", "competitors.view"} <= set(default_permissions("hq"))
    assert {"competitors.manage", "competitors.view"} <= set(default_permissions("marketing"))
    assert "competitors.view" in default_permissions("manager")
    assert "competitors.manage" not in default_permissions("manager")
    assert not {"competitors.view", "competitors.manage"} & set(default_permissions("waiter"))


def test_create_update_audited(org, hq):
    rival = competitor(hq, "炊烟小炒黄牛肉", average_spend="85.5", website="https://example.cn")
    assert rival.average_spend == Decimal("85.50") and rival.tenant_id == org["tenant"].pk
    entry = AuditEntry.objects.filter(object_type="competitors.competitor").latest("seq")
    assert entry.action == AuditEntry.Action.CREATE and entry.object_id == str(rival.pk)
    services.competitor_update(acting_user=hq, competitor=rival, kind="partner", city=" 深圳 ")
    rival.refresh_from_db()
    assert rival.kind == "partner" and rival.city == "深圳"
    update = AuditEntry.objects.filter(object_type="competitors.competitor").latest("seq")
    assert update.action == AuditEntry.Action.UPDATE and set(update.changes) == {"kind", "city"}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"average_spend": "-1"}, "average_spend"),
        ({"average_spend": "12.345"}, "average_spend"),
        ({"name": "x" * 81}, "name"),
        ({"name": "  "}, "name"),
        ({"website": "not a url"}, "website"),
        ({"kind": "enemy"}, "kind"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_create_refuses_bad_input(org, hq, changes, field):
    data = {"name": "费大厨", **changes}
    with pytest.raises(errors.InvalidInput) as caught:
        services.competitor_create(acting_user=hq, **data)
    assert field in caught.value.fields
    assert not Competitor.objects.exists()


def test_name_unique_per_city(org, hq):
    competitor(hq, "费大厨", city="长沙")
    competitor(hq, "费大厨", city="深圳")
    with pytest.raises(errors.InvalidInput) as caught:
        competitor(hq, "费大厨", city="长沙")
    assert "city" in caught.value.fields


def test_note_records_author(org, hq):
    rival = competitor(hq)
    note = services.competitor_note_add(acting_user=hq, competitor=rival, text=" 周末排队一小时 ")
    assert note.text == "周末排队一小时" and note.author == hq and note.created_at
    with pytest.raises(errors.InvalidInput) as caught:
        services.competitor_note_add(acting_user=hq, competitor=rival, text="x" * 2001)
    assert "text" in caught.value.fields
    assert CompetitorNote.objects.count() == 1


def test_dish_add_update_delete(org, hq, ours):
    rival = competitor(hq)
    theirs = competitor_dish(hq, rival, our_dish=ours.pk, category=" 热菜 ")
    assert theirs.price == Decimal("58.00") and theirs.our_dish == ours
    assert theirs.category == "热菜"
    services.competitor_dish_update(acting_user=hq, dish=theirs, price="60", our_dish=None)
    theirs.refresh_from_db()
    assert theirs.price == Decimal("60.00") and theirs.our_dish is None
    services.competitor_dish_delete(acting_user=hq, dish=theirs)
    assert not CompetitorDish.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_type="competitors.competitordish")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.DELETE]


@pytest.mark.parametrize(
    "price,message",
    [("-0.01", "negative"), ("abc", "amount"), ("1.234", "decimal"), ("", "required")],
)
def test_dish_refuses_bad_price(org, hq, price, settings, message):
    settings.LANGUAGE_CODE = "en"
    rival = competitor(hq)
    with pytest.raises(errors.InvalidInput) as caught:
        competitor_dish(hq, rival, price=price)
    assert message in " ".join(str(m) for m in caught.value.fields["price"])


def test_dish_refuses_float_price(org, hq):
    rival = competitor(hq)
    with pytest.raises(errors.InvalidInput) as caught:
        competitor_dish(hq, rival, price=58.0)
    assert "price" in caught.value.fields


def test_dish_refuses_another_tenants_dish(org, hq, other_org):
    with tenant_context(other_org["tenant"]):
        foreign = dish(other_org["users"]["hq"], category(other_org["users"]["hq"]), "F001", "外")
    rival = competitor(hq)
    with pytest.raises(errors.InvalidInput) as caught:
        competitor_dish(hq, rival, our_dish=foreign.pk)
    assert "our_dish" in caught.value.fields
    assert not CompetitorDish.objects.exists()
    theirs = competitor_dish(hq, rival)
    with pytest.raises(errors.InvalidInput) as caught:
        services.competitor_dish_update(acting_user=hq, dish=theirs, our_dish=foreign.pk)
    assert "our_dish" in caught.value.fields
    theirs.refresh_from_db()
    assert theirs.our_dish_id is None


def test_unknown_field_refused(org, hq):
    rival = competitor(hq)
    with pytest.raises(errors.InvalidInput) as caught:
        services.competitor_update(acting_user=hq, competitor=rival, tenant=1)
    assert "tenant" in caught.value.fields


@pytest.mark.parametrize("role", ["waiter", "manager", "cashier"])
def test_writes_refused_without_manage_and_denial_audited(org, hq, users, role):
    rival = competitor(hq)
    with pytest.raises(errors.PermissionDenied):
        services.competitor_create(acting_user=users[role], name="x")
    with pytest.raises(errors.PermissionDenied) as denied:
        services.competitor_note_add(acting_user=users[role], competitor=rival, text="x")
    keep_denial_audited(denied.value)  # as the API and pages do once the request is over
    denial = AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_DENIED).latest("seq")
    assert denial.object_id == "competitors.manage" and denial.actor == users[role]
    assert Competitor.objects.count() == 1


def test_marketing_may_manage(org, users):
    rival = competitor(users["marketing"], "望湘园")
    assert rival.pk and Competitor.objects.get().name == "望湘园"


def test_price_difference_exact():
    assert selectors.price_difference(Decimal("48.00"), Decimal("58.00")) == (
        Decimal("10.00"),
        Decimal("20.8"),
    )
    assert selectors.price_difference(Decimal("30"), Decimal("20")) == (
        Decimal("-10.00"),
        Decimal("-33.3"),
    )
    # 0.15 / 0.30 = 50 %; 1/3 = 33.333… %; 2/3 of 0.03: 0.01/0.03 = 33.3 %
    assert selectors.price_difference(Decimal("0.30"), Decimal("0.45"))[1] == Decimal("50.0")
    assert selectors.price_difference(Decimal("0.03"), Decimal("0.04"))[1] == Decimal("33.3")
    # half up at the first decimal: 0.01/8 = 0.125 % → 0.1; 1/8 of 100 → 12.5 exactly
    assert selectors.price_difference(Decimal("8.00"), Decimal("9.00"))[1] == Decimal("12.5")
    assert selectors.price_difference(Decimal("16.00"), Decimal("16.01"))[1] == Decimal("0.1")
    assert selectors.price_difference(Decimal("0"), Decimal("5")) == (Decimal("5.00"), None)


def test_price_comparison(org, hq, ours):
    cat = ours.category
    other = dish(hq, cat, "D002", "剁椒鱼头", price_regular="128.00", price_hall="118.00")
    fei = competitor(hq, "费大厨")
    yan = competitor(hq, "炊烟")
    closed = competitor(hq, "已关店", active=False)
    competitor_dish(hq, fei, price="55.00", our_dish=ours, observed_at=dt.date(2026, 10, 1))
    competitor_dish(hq, fei, price="58.00", our_dish=ours, observed_at=dt.date(2026, 11, 1))
    competitor_dish(hq, yan, price="39.90", our_dish=ours.pk)
    competitor_dish(hq, yan, name="鱼头", price="128.00", our_dish=other)
    competitor_dish(hq, yan, name="无对标", price="10.00")
    competitor_dish(hq, closed, price="1.00", our_dish=ours)

    rows = selectors.price_comparison(user=hq)
    assert [r.dish.code for r in rows] == ["D001", "D002"]
    first = rows[0]
    assert first.our_price == Decimal("48.00")
    assert [(e.competitor.name, e.price, e.difference, e.percent) for e in first.entries] == [
        ("炊烟", Decimal("39.90"), Decimal("-8.10"), Decimal("-16.9")),
        ("费大厨", Decimal("58.00"), Decimal("10.00"), Decimal("20.8")),
    ]
    assert [(e.difference, e.percent) for e in rows[1].entries] == [
        (Decimal("0.00"), Decimal("0.0"))
    ]

    hall = selectors.price_comparison(user=hq, tier="hall")
    assert hall[0].our_price == Decimal("42.00")
    assert [(e.difference, e.percent) for e in hall[0].entries] == [
        (Decimal("-2.10"), Decimal("-5.0")),
        (Decimal("16.00"), Decimal("38.1")),
    ]
    with pytest.raises(errors.InvalidInput):
        selectors.price_comparison(user=hq, tier="vip_room")


def test_competitor_list_filters(org, hq):
    competitor(hq, "费大厨", cuisine="湘菜")
    competitor(hq, "海底捞", cuisine="火锅", kind="partner", active=False)
    assert [c.name for c in selectors.competitor_list(user=hq, search="火锅")] == ["海底捞"]
    assert [c.name for c in selectors.competitor_list(user=hq, kind="competitor")] == ["费大厨"]
    assert [c.name for c in selectors.competitor_list(user=hq, active=False)] == ["海底捞"]


def test_comparison_query_count_does_not_grow(org, hq, ours):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.price_comparison(user=hq)
            assert rows
        return len(queries)

    competitor_dish(hq, competitor(hq, "甲"), our_dish=ours)
    few = count()
    other = dish(hq, ours.category, "D002", "小炒黄牛肉")
    for name in ("乙", "丙", "丁"):
        rival = competitor(hq, name)
        competitor_dish(hq, rival, our_dish=ours)
        competitor_dish(hq, rival, name="黄牛肉", our_dish=other)
    assert count() == few
