"""Tier rules (L2): upgrades by points, spend or visits in a rolling window, each downgrade
policy, brand policy beating the group default, the nightly job, and bad input writing
nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.models import AuditEntry, JobRun
from huike.core.timeutils import local_today
from huike.loyalty import services, tiers
from huike.loyalty.jobs import tiers_nightly
from huike.loyalty.models import CardEvent, MembershipCard, Tier, TierPolicy
from huike.orders.services import order_post
from huike.orders.tests.factories import hours_ago, make_menu
from huike.org import services as org_services

from .conftest import fresh


@pytest.fixture
def ladder(org, hq):
    """银卡 (base), 金卡 (1000 points, ¥500 or 3 visits in 30 days), 钻石卡 (¥5000 in 365)."""
    return {
        "silver": tiers.tier_define(acting_user=hq, code="silver", name="银卡", rank=1),
        "gold": tiers.tier_define(
            acting_user=hq,
            code="gold",
            name="金卡",
            rank=2,
            qualify_points=1000,
            qualify_spend="500.00",
            qualify_visits=3,
            window_days=30,
            benefits="免服务费",
            points_multiplier="1.5",
        ),
        "diamond": tiers.tier_define(
            acting_user=hq, code="diamond", name="钻石卡", rank=3, qualify_spend="5000"
        ),
    }


def _order(store, guest, pos_id: str, *, qty: str = "1", closed_at=None):
    """A sale of 剁椒鱼头 ×qty (¥128 each) for the guest, paid in cash."""
    total = Decimal("128.00") * Decimal(qty)
    return order_post(
        acting_user=store_hq(),
        store=store,
        pos_order_id=pos_id,
        guest=guest,
        closed_at=closed_at or hours_ago(1),
        lines=[{"dish_code": "D001", "qty": qty}],
        payments=[{"method": "cash", "amount": str(total)}],
        member_checkout=False,
    )


def store_hq():
    from huike.org.models import Staff

    return Staff.objects.get(employee_no="HQ-0001").user


@pytest.fixture
def menu(org):
    return make_menu()


def test_a_card_without_qualification_gets_the_base_tier(ladder, card):
    change = tiers.tier_evaluate(card)
    assert change.direction == "up" and change.new == ladder["silver"] and change.old is None
    card = fresh(card)
    assert card.tier == ladder["silver"] and card.tier_since == local_today()
    event = CardEvent.objects.get(card=card, kind="tier_up")
    assert "银卡" in event.reason
    assert AuditEntry.objects.filter(object_id=str(card.pk), changes__tier=[None, "silver"])
    assert tiers.tier_evaluate(card) is None  # nothing more to do


def test_upgrade_by_points_earned_on_orders(ladder, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=999)
    services.points_adjust(acting_user=hq, card=card, points=500, reason="不计入")
    assert tiers.tier_evaluate(card).new == ladder["silver"]
    services.points_accrue(acting_user=hq, card=card, points=1)
    change = tiers.tier_evaluate(card)
    assert change.new == ladder["gold"] and change.measures["30"]["points"] == 1000


def test_upgrade_by_spend_net_of_refunds(ladder, org, guest, card, menu):
    from huike.orders.services import order_refund

    sale = _order(org["store"], guest, "S-1", qty="4")  # ¥512
    order_refund(
        acting_user=org["users"]["hq"],
        order=sale,
        pos_order_id="R-1",
        lines=[{"line": 1, "qty": "1"}],
    )  # ¥384 left
    assert tiers.tier_evaluate(card).new == ladder["silver"]
    _order(org["store"], guest, "S-2", qty="1")  # ¥512
    change = tiers.tier_evaluate(card)
    assert change.new == ladder["gold"] and change.measures["30"]["spend"] == "512.00"


def test_upgrade_by_visits_in_the_window_only(ladder, org, guest, card, menu):
    _order(org["store"], guest, "V-0", closed_at=hours_ago(24 * 40))  # outside 30 days
    _order(org["store"], guest, "V-1")
    _order(org["store"], guest, "V-2")
    assert fresh(card).tier is None
    assert tiers.tier_evaluate(card).new == ladder["silver"]
    _order(org["store"], guest, "V-3")
    change = tiers.tier_evaluate(card)
    assert change.new == ladder["gold"] and change.measures["30"]["visits"] == 3


def test_upgrade_skips_to_the_highest_tier_reached(ladder, org, guest, card, menu):
    _order(org["store"], guest, "BIG", qty="40")  # ¥5120
    change = tiers.tier_evaluate(card)
    assert change.new == ladder["diamond"] and change.old is None


def _gold_card(ladder, hq, card, *, since: dt.date):
    MembershipCard.objects.filter(pk=card.pk).update(tier=ladder["gold"], tier_since=since)
    return fresh(card)


def test_never_downgrade_is_the_default(ladder, hq, card):
    card = _gold_card(ladder, hq, card, since=local_today() - dt.timedelta(days=400))
    assert tiers.tier_evaluate(card) is None
    assert fresh(card).tier == ladder["gold"]


def test_downgrade_at_once_goes_to_the_highest_tier_still_reached(ladder, org, hq, card):
    tiers.tier_policy_set(acting_user=hq, brand=org["brand"], downgrade="at_once")
    card = _gold_card(ladder, hq, card, since=local_today())
    change = tiers.tier_evaluate(card)
    assert (change.direction, change.old, change.new) == ("down", ladder["gold"], ladder["silver"])
    assert CardEvent.objects.filter(card=card, kind="tier_down").count() == 1


def test_the_brand_policy_beats_the_group_default(ladder, org, hq, card):
    tiers.tier_policy_set(acting_user=hq, downgrade="at_once")
    tiers.tier_policy_set(acting_user=hq, brand=org["brand"], downgrade="never")
    card = _gold_card(ladder, hq, card, since=local_today())
    assert tiers.tier_evaluate(card) is None
    TierPolicy.objects.filter(brand=org["brand"]).delete()
    assert tiers.tier_evaluate(card).new == ladder["silver"]  # the group default now


def test_downgrade_on_a_yearly_requalification_date(ladder, org, hq, card):
    tiers.tier_policy_set(acting_user=hq, downgrade="on_date", requalify_month=1, requalify_day=1)
    services.points_accrue(acting_user=hq, card=card, points=1000)
    today = local_today()
    assert tiers.tier_evaluate(card, today=today).new == ladder["gold"]
    assert fresh(card).requalify_on == dt.date(today.year + 1, 1, 1)
    later = today + dt.timedelta(days=400)  # the points are out of the window by then
    MembershipCard.objects.filter(pk=card.pk).update(requalify_on=later + dt.timedelta(days=1))
    assert tiers.tier_evaluate(card, today=later) is None  # kept until the date
    change = tiers.tier_evaluate(card, today=later + dt.timedelta(days=1))
    assert change.direction == "down" and fresh(card).tier == ladder["silver"]


def test_requalification_date_keeps_the_tier_before_it(ladder, org, hq, card):
    tiers.tier_policy_set(acting_user=hq, downgrade="on_date", requalify_months=6)
    today = local_today()
    MembershipCard.objects.filter(pk=card.pk).update(
        tier=ladder["gold"], tier_since=today, requalify_on=today + dt.timedelta(days=1)
    )
    assert tiers.tier_evaluate(card, today=today) is None
    assert fresh(card).tier == ladder["gold"]
    change = tiers.tier_evaluate(card, today=today + dt.timedelta(days=1))
    assert change.direction == "down" and fresh(card).tier == ladder["silver"]


def test_a_card_that_requalifies_keeps_its_tier_and_gets_the_next_date(ladder, hq, card):
    tiers.tier_policy_set(acting_user=hq, downgrade="on_date", requalify_months=6)
    services.points_accrue(acting_user=hq, card=card, points=1000)
    today = local_today()
    MembershipCard.objects.filter(pk=card.pk).update(
        tier=ladder["gold"], tier_since=today, requalify_on=today
    )
    assert tiers.tier_evaluate(card, today=today) is None
    card = fresh(card)
    assert card.tier == ladder["gold"] and card.requalify_on == tiers.add_months(today, 6)


def test_a_card_first_seen_under_the_date_policy_gets_a_date_not_a_downgrade(ladder, hq, card):
    tiers.tier_policy_set(acting_user=hq, downgrade="on_date", requalify_months=3)
    since = local_today() - dt.timedelta(days=10)
    card = _gold_card(ladder, hq, card, since=since)
    assert tiers.tier_evaluate(card) is None
    assert fresh(card).requalify_on == tiers.add_months(since, 3)


def test_only_active_cards_are_evaluated(ladder, hq, card):
    services.card_freeze(acting_user=hq, card=card)
    assert tiers.tier_evaluate(card) is None and fresh(card).tier is None


def test_the_nightly_job_evaluates_every_active_card(ladder, org, hq, guest, card):
    other = services.card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0002")
    services.points_accrue(acting_user=hq, card=other, points=1000)
    run = tiers_nightly()
    assert run.ok and run.detail == {"cards": 2, "up": 2, "down": 0}
    assert fresh(card).tier == ladder["silver"] and fresh(other).tier == ladder["gold"]
    assert JobRun.objects.filter(name="loyalty_tiers_evaluate").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("qualify_points", 0),
        ("qualify_points", -5),
        ("qualify_spend", "-1"),
        ("qualify_spend", "0"),
        ("qualify_spend", "1.005"),
        ("qualify_visits", 0),
        ("window_days", 0),
        ("points_multiplier", "0"),
        ("points_multiplier", "-1"),
    ],
)
def test_bad_tier_rules_are_field_errors(org, hq, field, value):
    with pytest.raises(errors.InvalidInput) as caught:
        tiers.tier_define(acting_user=hq, code="x", name="X", **{field: value})
    assert field in caught.value.fields
    assert Tier.objects.count() == 0


def test_a_tier_is_updated_and_codes_are_unique(ladder, hq):
    tiers.tier_update(acting_user=hq, tier=ladder["gold"], qualify_visits="", window_days=60)
    gold = Tier.objects.get(code="gold")
    assert gold.qualify_visits is None and gold.window_days == 60
    with pytest.raises(errors.InvalidInput) as caught:
        tiers.tier_define(acting_user=hq, code="gold", name="又一个金卡")
    assert "code" in caught.value.fields


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"downgrade": "on_date"}, "requalify_months"),
        ({"downgrade": "on_date", "requalify_month": 2, "requalify_day": 30}, "requalify_day"),
        ({"downgrade": "on_date", "requalify_month": 13, "requalify_day": 1}, "requalify_month"),
        ({"downgrade": "on_date", "requalify_months": 0}, "requalify_months"),
        (
            {
                "downgrade": "on_date",
                "requalify_months": 6,
                "requalify_month": 1,
                "requalify_day": 1,
            },
            "requalify_months",
        ),
        ({"downgrade": "sometimes"}, "downgrade"),
        ({"downgrade": "never", "brand": 99999}, "brand"),
    ],
)
def test_bad_policies_are_field_errors(org, hq, values, field):
    with pytest.raises(errors.InvalidInput) as caught:
        tiers.tier_policy_set(acting_user=hq, **values)
    assert field in caught.value.fields
    assert TierPolicy.objects.count() == 0


def test_marketing_configures_and_a_cashier_may_not(org, users):
    tiers.tier_define(acting_user=users["marketing"], code="m", name="M")
    with pytest.raises(errors.PermissionDenied):
        tiers.tier_define(acting_user=users["cashier"], code="c", name="C")
    with pytest.raises(errors.PermissionDenied):
        tiers.tier_policy_set(acting_user=users["cashier"], downgrade="never")
    assert list(Tier.objects.values_list("code", flat=True)) == ["m"]


def test_a_second_brand_policy_is_an_update(org, hq):
    brand2 = org_services.brand_create(acting_user=hq, name="二号品牌", code="b2")
    tiers.tier_policy_set(acting_user=hq, brand=brand2, downgrade="never")
    tiers.tier_policy_set(acting_user=hq, brand=brand2, downgrade="at_once")
    assert list(TierPolicy.objects.values_list("downgrade", flat=True)) == ["at_once"]


@pytest.mark.parametrize(
    ("since", "months", "after", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), 6, dt.date(2026, 12, 1), dt.date(2027, 1, 15)),
    ],
)
def test_next_requalification_by_months(since, months, after, expected):
    policy = TierPolicy(downgrade="on_date", requalify_months=months)
    assert tiers.next_requalify(policy, after=after, since=since) == expected


def test_next_yearly_requalification_is_after_today():
    policy = TierPolicy(downgrade="on_date", requalify_month=3, requalify_day=1)
    assert tiers.next_requalify(
        policy, after=dt.date(2026, 3, 1), since=dt.date(2026, 1, 1)
    ) == dt.date(2027, 3, 1)
    assert tiers.next_requalify(
        policy, after=dt.date(2026, 2, 1), since=dt.date(2026, 1, 1)
    ) == dt.date(2026, 3, 1)


def test_the_demo_is_idempotent_and_completes_a_bare_gold_tier(db):
    from huike.core.models import Tenant
    from huike.core.tenancy import tenant_context
    from huike.loyalty import demo
    from huike.loyalty.models import AccrualRule, AccrualSettings
    from huike.org import demo as org_demo
    from huike.org.models import Staff

    org_demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        services.tier_create(acting_user=hq, code="gold", name="金卡", rank=2)  # as pricing does
    demo.load()
    demo.load()
    with tenant_context(tenant):
        assert list(Tier.objects.order_by("rank").values_list("name", flat=True)) == [
            "银卡",
            "金卡",
            "钻石卡",
        ]
        assert Tier.objects.get(code="gold").qualify_spend == Decimal("3000.00")
        assert AccrualRule.objects.count() == 2 and AccrualSettings.objects.get().day_cap == 5000
        assert TierPolicy.objects.get().downgrade == "on_date"
