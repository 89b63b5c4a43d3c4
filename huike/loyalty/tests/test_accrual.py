"""Points accrual rules (L3): each rule kind, their combination in the documented order, caps
per order and per day, the birthday week, brand rules beating group rules, expiry, and bad
rules refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.timeutils import local_today
from huike.guests.models import Guest
from huike.loyalty import accrual, services, tiers
from huike.loyalty.accrual import SaleLine
from huike.loyalty.models import AccrualRule, AccrualSettings, MembershipCard
from huike.orders.tests.factories import make_menu
from huike.org import services as org_services

D = Decimal


@pytest.fixture
def menu(org):
    return make_menu()


def per_yuan(hq, points=1, per="1.00", **kw):
    return accrual.accrual_rule_create(
        acting_user=hq, kind="per_amount", name="每元积分", points=points, per_amount=per, **kw
    )


def award(card, org, amount="100", lines=(), when=None):
    card = MembershipCard.objects.select_related("tier", "store", "guest").get(pk=card.pk)
    return accrual.points_for_sale(
        card,
        store=org["store"],
        lines=list(lines),
        amount_paid=D(amount),
        when=when or timezone.now(),
    )


def test_no_rules_no_points(org, card):
    result = award(card, org, "500")
    assert result.points == 0 and result.expires_on == dt.date(local_today().year + 1, 12, 31)
    assert result.explanation  # the total is always explained


def test_per_amount_rounds_down(org, hq, card):
    per_yuan(hq, points=2, per="10.00")
    result = award(card, org, "129.99")
    assert result.points == 24  # 12 × 2
    assert len(result.explanation) == 2


def test_per_dish_beats_per_category_and_combines_with_the_base(org, hq, card, menu):
    per_yuan(hq)
    fish, beef = menu["D001"], menu["D002"]
    accrual.accrual_rule_create(
        acting_user=hq, kind="per_dish", name="鱼头加分", points=10, dish=fish.pk
    )
    accrual.accrual_rule_create(
        acting_user=hq, kind="per_category", name="湘菜加分", points=3, category=fish.category_id
    )
    lines = [
        SaleLine(dish_id=fish.pk, category_id=fish.category_id, qty=D("2"), line_total=D("256")),
        SaleLine(dish_id=beef.pk, category_id=beef.category_id, qty=D("1.5"), line_total=D("102")),
    ]
    result = award(card, org, "358", lines)
    assert result.points == 358 + 20 + 4  # base, fish 10×2 (not its category), beef 3×1.5↓


def test_highest_campaign_times_tier_multiplier_then_caps(org, hq, card):
    per_yuan(hq)
    today = local_today()
    for m in ("1.5", "2"):
        accrual.accrual_rule_create(
            acting_user=hq,
            kind="campaign",
            name=f"活动{m}",
            multiplier=m,
            starts_on=today,
            ends_on=today,
        )
    accrual.accrual_rule_create(
        acting_user=hq,
        kind="campaign",
        name="过期活动",
        multiplier="5",
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=1),
    )
    gold = tiers.tier_define(
        acting_user=hq, code="gold", name="金卡", rank=2, points_multiplier="1.5"
    )
    MembershipCard.objects.filter(pk=card.pk).update(tier=gold)
    assert award(card, org, "101").points == 303  # 101 × 2 × 1.5
    accrual.accrual_settings_set(acting_user=hq, order_cap=250)
    assert award(card, org, "101").points == 250


def test_the_day_cap_counts_points_already_credited_today(org, hq, card):
    per_yuan(hq)
    accrual.accrual_settings_set(acting_user=hq, day_cap=500)
    services.points_accrue(acting_user=hq, card=card, points=420)
    services.points_adjust(acting_user=hq, card=card, points=1000, reason="不计入")
    assert award(card, org, "300").points == 80
    services.points_accrue(acting_user=hq, card=card, points=80)
    assert award(card, org, "300").points == 0
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert award(card, org, "300", when=tomorrow).points == 300


def test_birthday_week_doubles(org, hq, guest, card):
    per_yuan(hq)
    accrual.accrual_rule_create(
        acting_user=hq, kind="campaign", name="生日周双倍", multiplier="2", birthday_week=True
    )
    assert award(card, org, "100").points == 100  # no birthday known
    today = local_today()
    Guest.objects.filter(pk=guest.pk).update(birthday=today.replace(year=1992))
    assert award(card, org, "100").points == 200
    Guest.objects.filter(pk=guest.pk).update(
        birthday=(today + dt.timedelta(days=14)).replace(year=1992)
    )
    assert award(card, org, "100").points == 100


@pytest.mark.parametrize(
    ("birthday", "day", "expected"),
    [
        (dt.date(1990, 6, 10), dt.date(2026, 6, 8), True),  # Monday of that week
        (dt.date(1990, 6, 10), dt.date(2026, 6, 14), True),  # Sunday
        (dt.date(1990, 6, 10), dt.date(2026, 6, 15), False),
        (dt.date(1990, 12, 31), dt.date(2027, 1, 2), True),  # the week runs into the new year
        (dt.date(1992, 2, 29), dt.date(2026, 2, 28), True),
    ],
)
def test_birthday_week_is_monday_to_sunday(birthday, day, expected):
    assert accrual.in_birthday_week(birthday, day) is expected


def test_brand_rules_beat_group_rules(org, hq, card):
    per_yuan(hq, points=1)
    assert award(card, org, "100").points == 100
    per_yuan(hq, points=3, brand=org["brand"].pk)
    assert award(card, org, "100").points == 300
    other = org_services.brand_create(acting_user=hq, name="别的品牌", code="b2")
    per_yuan(hq, points=9, brand=other)
    assert award(card, org, "100").points == 300


def test_a_deactivated_rule_no_longer_counts(org, hq, card):
    rule = per_yuan(hq)
    accrual.accrual_rule_deactivate(acting_user=hq, rule=rule)
    assert award(card, org, "100").points == 0
    assert AccrualRule.objects.get(pk=rule.pk).active is False


def test_a_rule_for_one_tier_only(org, hq, card):
    gold = tiers.tier_define(acting_user=hq, code="gold", name="金卡", rank=2)
    per_yuan(hq, tier=gold.pk)
    assert award(card, org, "100").points == 0
    MembershipCard.objects.filter(pk=card.pk).update(tier=gold)
    assert award(card, org, "100").points == 100


def test_expiry_n_months_after_earning(org, hq, card):
    per_yuan(hq)
    accrual.accrual_settings_set(
        acting_user=hq, brand=org["brand"], expiry="months", expiry_months=6
    )
    assert award(card, org, "10").expires_on == tiers.add_months(local_today(), 6)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "per_amount", "points": 1}, "per_amount"),
        ({"kind": "per_amount", "points": 0, "per_amount": "1"}, "points"),
        ({"kind": "per_amount", "points": 1, "per_amount": "-1"}, "per_amount"),
        ({"kind": "per_dish", "points": 5}, "dish"),
        ({"kind": "per_dish", "points": 5, "dish": 99999}, "dish"),
        ({"kind": "per_category", "points": 5, "category": "x"}, "category"),
        ({"kind": "campaign", "multiplier": "0", "birthday_week": True}, "multiplier"),
        ({"kind": "campaign", "multiplier": "-2", "birthday_week": True}, "multiplier"),
        ({"kind": "campaign", "multiplier": "2"}, "starts_on"),
        (
            {
                "kind": "campaign",
                "multiplier": "2",
                "starts_on": dt.date(2026, 5, 2),
                "ends_on": dt.date(2026, 5, 1),
            },
            "ends_on",
        ),
        ({"kind": "per_amount", "points": 1, "per_amount": "1", "tier": 99999}, "tier"),
        ({"kind": "bonus", "points": 1}, "kind"),
        ({"kind": "per_amount", "points": 1, "per_amount": "1", "colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_field_errors(org, hq, values, field):
    with pytest.raises(errors.InvalidInput) as caught:
        accrual.accrual_rule_create(acting_user=hq, name="规则", **values)
    assert field in caught.value.fields
    assert AccrualRule.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"order_cap": 0}, "order_cap"),
        ({"day_cap": -1}, "day_cap"),
        ({"expiry": "months"}, "expiry_months"),
        ({"expiry": "months", "expiry_months": 0}, "expiry_months"),
    ],
)
def test_bad_settings_are_field_errors(org, hq, values, field):
    with pytest.raises(errors.InvalidInput) as caught:
        accrual.accrual_settings_set(acting_user=hq, **values)
    assert field in caught.value.fields
    assert AccrualSettings.objects.count() == 0


def test_a_negative_amount_paid_is_refused(org, card):
    with pytest.raises(errors.InvalidInput) as caught:
        award(card, org, "-1")
    assert "amount_paid" in caught.value.fields


def test_a_cashier_may_not_configure(org, users):
    with pytest.raises(errors.PermissionDenied):
        per_yuan(users["cashier"])
    assert AccrualRule.objects.count() == 0
