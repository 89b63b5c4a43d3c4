"""Gift services: the catalogue, redemption (points and stock together or not at all),
cancellation once, and bad input that writes nothing."""

from __future__ import annotations

import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.gifts import services
from huike.gifts.models import Gift, GiftRedemption
from huike.gifts.permissions import GRANTS
from huike.loyalty import services as loyalty
from huike.loyalty.ledger import ledger_mismatches
from huike.loyalty.models import LedgerEntry, MembershipCard
from huike.org.models import Role


def points(card) -> int:
    return MembershipCard.objects.get(pk=card.pk).points_balance


def stock(gift) -> int:
    return Gift.objects.get(pk=gift.pk).stock


def nothing_written(card, gift, *, points_before: int, stock_before: int) -> None:
    assert points(card) == points_before
    assert stock(gift) == stock_before
    assert not GiftRedemption.objects.exists()
    assert not LedgerEntry.objects.filter(cause="gift").exists()


def test_redeem_takes_points_and_stock_together(org, users, card, gift):
    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, qty=2, store=org["store"]
    )
    assert (redemption.qty, redemption.points, redemption.status) == (2, 600, "redeemed")
    assert redemption.guest_id == card.guest_id and redemption.store_id == org["store"].pk
    assert points(card) == 400 and stock(gift) == 3
    entry = LedgerEntry.objects.get(cause="gift")
    assert entry.points == -600 and entry.operation == redemption.operation
    assert entry.reference == redemption.reference and entry.store_id == org["store"].pk
    assert ledger_mismatches() == []
    assert AuditEntry.objects.filter(object_type="gifts.giftredemption").count() == 1


def test_out_of_stock_is_refused_and_writes_nothing(org, users, card, gift):
    with pytest.raises(errors.Conflict) as exc:
        services.gift_redeem(
            acting_user=users["cashier"], card=card, gift=gift, qty=6, store=org["store"]
        )
    assert exc.value.code == "gift_out_of_stock"
    nothing_written(card, gift, points_before=1000, stock_before=5)


def test_points_over_the_balance_are_refused(org, users, card, gift):
    with pytest.raises(errors.Conflict) as exc:
        services.gift_redeem(
            acting_user=users["cashier"], card=card, gift=gift, qty=4, store=org["store"]
        )
    assert exc.value.code == "insufficient_balance"
    nothing_written(card, gift, points_before=1000, stock_before=5)


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (loyalty.card_freeze, "card_frozen"),
        (loyalty.card_report_lost, "card_lost"),
    ],
)
def test_an_unusable_card_is_refused(org, users, hq, card, gift, action, code):
    action(acting_user=hq, card=card)
    with pytest.raises(errors.Conflict) as exc:
        services.gift_redeem(acting_user=users["cashier"], card=card, gift=gift, store=org["store"])
    assert exc.value.code == code
    nothing_written(card, gift, points_before=1000, stock_before=5)


def test_an_expired_card_is_refused(org, users, card, gift):
    import datetime as dt

    MembershipCard.objects.filter(pk=card.pk).update(
        valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 12, 31)
    )
    with pytest.raises(errors.Conflict) as exc:
        services.gift_redeem(acting_user=users["cashier"], card=card, gift=gift, store=org["store"])
    assert exc.value.code == "card_expired"
    nothing_written(card, gift, points_before=1000, stock_before=5)


@pytest.mark.parametrize("qty", [0, -1, "x", 1.5, True])
def test_zero_negative_or_odd_quantities_are_field_errors(org, users, card, gift, qty):
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_redeem(
            acting_user=users["cashier"], card=card, gift=gift, qty=qty, store=org["store"]
        )
    assert set(exc.value.fields) == {"qty"}
    nothing_written(card, gift, points_before=1000, stock_before=5)


def test_an_inactive_gift_or_one_not_offered_at_the_store_is_refused(org, hq, users, card, gift):
    services.gift_deactivate(acting_user=hq, gift=gift)
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_redeem(acting_user=users["cashier"], card=card, gift=gift, store=org["store"])
    assert set(exc.value.fields) == {"gift"}
    only_two = services.gift_create(
        acting_user=hq, name="二店礼品", points_cost=10, stock=3, stores=[org["store2"]]
    )
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_redeem(
            acting_user=users["cashier"], card=card, gift=only_two, store=org["store"]
        )
    assert set(exc.value.fields) == {"store"}
    assert not GiftRedemption.objects.exists() and points(card) == 1000


def test_a_cashier_redeems_only_at_their_own_store(org, users, card, gift):
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_redeem(
            acting_user=users["cashier"], card=card, gift=gift, store=org["store2"]
        )
    assert set(exc.value.fields) == {"store"}
    redemption = services.gift_redeem(
        acting_user=users["hq"], card=card, gift=gift, store=org["store2"]
    )
    assert redemption.store_id == org["store2"].pk


def test_roles_without_the_permission_may_not_redeem_or_manage(org, users, card, gift):
    with pytest.raises(errors.PermissionDenied):
        services.gift_redeem(acting_user=users["waiter"], card=card, gift=gift, store=org["store"])
    with pytest.raises(errors.PermissionDenied):
        services.gift_create(acting_user=users["cashier"], name="x", points_cost=1)
    with pytest.raises(errors.PermissionDenied):
        services.gift_stock_adjust(acting_user=users["cashier"], gift=gift, change=1, reason="x")
    assert stock(gift) == 5 and Gift.objects.count() == 1


def test_cancel_gives_points_and_stock_back_once(org, users, card, gift):
    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, qty=2, store=org["store"]
    )
    done = services.gift_cancel(
        acting_user=users["manager"], redemption=redemption, reason="客人改主意"
    )
    assert done.status == "cancelled" and done.cancelled_by_id == users["manager"].pk
    assert points(card) == 1000 and stock(gift) == 5
    reversal = LedgerEntry.objects.get(cause="reversal")
    assert reversal.points == 600 and reversal.operation == done.refund_operation
    assert reversal.reference == redemption.reference
    with pytest.raises(errors.Conflict) as exc:
        services.gift_cancel(acting_user=users["manager"], redemption=redemption, reason="again")
    assert exc.value.code == "already_cancelled"
    assert points(card) == 1000 and stock(gift) == 5
    assert LedgerEntry.objects.filter(cause="reversal").count() == 1
    assert ledger_mismatches() == []


def test_cancel_needs_a_reason_and_the_permission(org, users, card, gift):
    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, store=org["store"]
    )
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_cancel(acting_user=users["manager"], redemption=redemption, reason=" ")
    assert set(exc.value.fields) == {"reason"}
    with pytest.raises(errors.PermissionDenied):
        services.gift_cancel(acting_user=users["cashier"], redemption=redemption, reason="x")
    assert GiftRedemption.objects.get().status == "redeemed" and stock(gift) == 4


def test_cancel_after_the_card_was_replaced_credits_the_new_card(org, hq, users, card, gift):
    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, store=org["store"]
    )
    new = loyalty.card_replace(acting_user=hq, card=card)
    services.gift_cancel(acting_user=hq, redemption=redemption, reason="补卡后撤销")
    assert points(new) == 1000 and points(card) == 0
    assert ledger_mismatches() == []


def test_catalogue_create_update_and_stock_adjust(org, hq, users, gift):
    marketing = users["marketing"]
    cup = services.gift_create(
        acting_user=marketing,
        name="茶具",
        points_cost=800,
        stock=0,
        brand=org["brand"],
        stores=[org["store"]],
        sort_order=2,
    )
    assert list(cup.stores.all()) == [org["store"]] and cup.brand == org["brand"]
    services.gift_update(acting_user=marketing, gift=cup, points_cost=900, stores=[])
    cup.refresh_from_db()
    assert cup.points_cost == 900 and not cup.stores.exists()
    services.gift_stock_adjust(acting_user=marketing, gift=cup, change=10, reason="到货")
    services.gift_stock_adjust(acting_user=marketing, gift=cup, change="-3", reason="破损")
    assert stock(cup) == 7
    stock_audits = AuditEntry.objects.filter(object_type="gifts.gift", object_id=str(cup.pk))
    assert any(e.changes.get("reason") == "破损" for e in stock_audits)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"points_cost": 0}, "points_cost"),
        ({"points_cost": -5}, "points_cost"),
        ({"stock": -1}, "stock"),
        ({"name": ""}, "name"),
        ({"name": "保温杯"}, "name"),  # taken
        ({"brand": 999999}, "brand"),
        ({"stores": [999999]}, "stores"),
    ],
)
def test_bad_catalogue_input_is_a_field_error(org, hq, gift, kwargs, field):
    data = {"name": "新礼品", "points_cost": 10, "stock": 1, **kwargs}
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_create(acting_user=hq, **data)
    assert field in exc.value.fields
    assert Gift.objects.count() == 1


@pytest.mark.parametrize(("change", "reason"), [(0, "x"), (-6, "x"), (1, ""), ("x", "y")])
def test_bad_stock_adjustments_change_nothing(org, hq, gift, change, reason):
    with pytest.raises(errors.InvalidInput):
        services.gift_stock_adjust(acting_user=hq, gift=gift, change=change, reason=reason)
    assert stock(gift) == 5


def test_stores_of_another_brand_are_refused(org, hq):
    from huike.org.services import brand_create

    other = brand_create(acting_user=hq, name="别的品牌", code="other")
    with pytest.raises(errors.InvalidInput) as exc:
        services.gift_create(
            acting_user=hq, name="x", points_cost=1, brand=other, stores=[org["store"]]
        )
    assert set(exc.value.fields) == {"stores"}


def test_new_brand_groups_get_the_gift_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "gifts.redeem" not in roles["waiter"]


def test_the_frozen_migration_grants_match_the_app(db):
    import importlib

    frozen = importlib.import_module("huike.gifts.migrations.0002_grant_default_permissions")
    assert {k: set(v) for k, v in frozen.GRANTS.items()} == {k: set(v) for k, v in GRANTS.items()}


def test_the_demo_loads_once(db):
    from huike.gifts import demo
    from huike.org import demo as org_demo

    tenant = org_demo.load()
    demo.load()
    demo.load()
    assert Gift.all_tenants.filter(tenant=tenant).count() == len(demo.GIFTS)
    assert Gift.all_tenants.filter(tenant=tenant, stock__gt=0).count() == len(demo.GIFTS)


def test_redemptions_follow_a_guest_merge_with_the_card_and_back_on_undo(
    org, users, hq, card, gift
):
    from huike.guests.merging import guest_merge, guest_merge_undo
    from huike.guests.services import guest_create

    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, qty=1, store=org["store"]
    )
    survivor = guest_create(acting_user=hq, name="王芳", primary_phone="13900139002")
    merge = guest_merge(acting_user=hq, survivor=survivor, merged=card.guest)
    assert GiftRedemption.objects.get(pk=redemption.pk).guest == survivor
    assert MembershipCard.objects.get(pk=card.pk).guest == survivor
    guest_merge_undo(acting_user=hq, merge=merge, reason="误合并")
    assert GiftRedemption.objects.get(pk=redemption.pk).guest_id == card.guest_id
