"""Cards, points and stored value through the services: every change is ledger entries plus the
cached balance, bad input is a clear error that writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.ledger import CardNotUsable, InsufficientBalance, ledger_mismatches
from huike.loyalty.models import CardEvent, LedgerEntry, MembershipCard, PointsLot
from huike.loyalty.services import split_spend

from .conftest import balances, entry_count, fresh

D = Decimal


# --- Cards ------------------------------------------------------------------------------------
def test_issue_records_guest_store_staff_and_history(org, users, guest):
    cashier = users["cashier"]
    tier = services.tier_create(acting_user=users["hq"], code="gold", name="金卡", rank=2)
    card = services.card_issue(acting_user=cashier, guest=guest, store=org["store"], tier=tier)
    card = fresh(card)
    assert len(card.number) == 12 and card.number.isdigit()
    assert (card.guest, card.store, card.tier, card.signed_up_by) == (
        guest,
        org["store"],
        tier,
        cashier,
    )
    assert card.status == "active" and card.valid_until is None
    assert list(card.events.values_list("kind", flat=True)) == ["issued"]
    assert AuditEntry.objects.filter(object_type="loyalty.membershipcard", action="create").exists()


def test_a_guest_may_hold_several_cards(org, hq, guest, card):
    second = services.card_issue(acting_user=hq, guest=guest, store=org["store2"])
    assert set(guest.cards.values_list("pk", flat=True)) == {card.pk, second.pk}


def test_card_numbers_are_unique_in_the_tenant_but_not_across(org, hq, guest, card, other_org):
    with pytest.raises(errors.InvalidInput) as exc:
        services.card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0001")
    assert exc.value.code == "number_taken" and "number" in exc.value.fields
    assert MembershipCard.objects.count() == 1
    theirs = other_org["users"]["hq"]
    with tenant_context(other_org["tenant"]):
        their_guest = guest_create(acting_user=theirs, name="李", primary_phone="13800138000")
        other = services.card_issue(
            acting_user=theirs, guest=their_guest, store=other_org["store"], number="C0001"
        )
    assert other.number == "C0001" and other.tenant == other_org["tenant"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "有 空格"}, "number"),
        ({"number": "x" * 41}, "number"),
        ({"valid_from": dt.date(2030, 1, 2), "valid_until": dt.date(2030, 1, 1)}, "valid_until"),
        ({"store": 999999}, "store"),
        ({"tier": 999999}, "tier"),
    ],
)
def test_bad_card_input_is_refused_and_writes_nothing(org, hq, guest, changes, field):
    args = {"guest": guest, "store": org["store"], **changes}
    with pytest.raises(errors.InvalidInput) as exc:
        services.card_issue(acting_user=hq, **args)
    assert field in exc.value.fields
    assert MembershipCard.objects.count() == 0 and CardEvent.objects.count() == 0


def test_a_guest_of_another_tenant_cannot_get_a_card(org, hq, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = guest_create(acting_user=other_org["users"]["hq"], name="外")
    with pytest.raises(errors.InvalidInput) as exc:
        services.card_issue(acting_user=hq, guest=theirs.pk, store=org["store"])
    assert "guest" in exc.value.fields
    assert MembershipCard.objects.count() == 0


def test_freeze_blocks_every_movement_until_unfrozen(org, users, card):
    hq = users["hq"]
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    services.card_freeze(acting_user=hq, card=card, reason="客人要求")
    before = entry_count()
    for call in (
        lambda: services.stored_value_spend(acting_user=hq, card=card, amount="10"),
        lambda: services.stored_value_top_up(acting_user=hq, card=card, amount="10"),
        lambda: services.points_accrue(acting_user=hq, card=card, points=5),
    ):
        with pytest.raises(CardNotUsable) as exc:
            call()
        assert exc.value.code == "card_frozen" and exc.value.status == 409
    assert entry_count() == before
    with pytest.raises(CardNotUsable):
        services.card_freeze(acting_user=hq, card=card)  # already frozen
    services.card_unfreeze(acting_user=hq, card=card)
    services.stored_value_spend(acting_user=hq, card=card, amount="10")
    assert balances(card)["principal"] == D("90.00")
    assert list(fresh(card).events.values_list("kind", flat=True)) == [
        "issued",
        "frozen",
        "unfrozen",
    ]


def test_lost_and_expired_cards_are_refused(org, hq, guest, card):
    services.card_report_lost(acting_user=hq, card=card)
    with pytest.raises(CardNotUsable) as exc:
        services.stored_value_top_up(acting_user=hq, card=card, amount="10")
    assert exc.value.code == "card_lost"
    old = services.card_issue(
        acting_user=hq,
        guest=guest,
        store=org["store"],
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 12, 31),
    )
    with pytest.raises(CardNotUsable) as exc:
        services.stored_value_top_up(acting_user=hq, card=old, amount="10")
    assert exc.value.code == "card_expired"
    assert entry_count() == 0


def test_replace_moves_every_balance_and_lot_to_a_new_card(org, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    services.card_report_lost(acting_user=hq, card=card)
    # (balances stay on a lost card until it is replaced; HQ adjusts before the loss here)
    card = fresh(card)
    MembershipCard.objects.filter(pk=card.pk).update(status="active")
    services.points_accrue(acting_user=hq, card=card, points=30, expires_on=dt.date(2099, 1, 1))
    services.points_accrue(acting_user=hq, card=card, points=20, expires_on=dt.date(2098, 1, 1))
    services.card_report_lost(acting_user=hq, card=card)

    new = services.card_replace(acting_user=hq, card=card, number="C0002", reason="补卡")

    old = fresh(card)
    assert old.status == "lost" and old.replaced_by == new
    assert balances(old) == {"points": 0, "principal": D("0.00"), "bonus": D("0.00")}
    assert balances(new) == {"points": 50, "principal": D("100.00"), "bonus": D("0.00")}
    assert sorted(new.points_lots.values_list("expires_on", "remaining")) == [
        (dt.date(2098, 1, 1), 20),
        (dt.date(2099, 1, 1), 30),
    ]
    transfers = LedgerEntry.objects.filter(cause="transfer")
    assert transfers.count() == 4 and len(set(transfers.values_list("operation", flat=True))) == 1
    assert set(transfers.filter(card=new).values_list("related_card", flat=True)) == {old.pk}
    assert fresh(new).guest_id == old.guest_id
    assert list(old.events.values_list("kind", flat=True))[-1] == "replaced"
    with pytest.raises(CardNotUsable) as exc:
        services.card_replace(acting_user=hq, card=old)
    assert exc.value.code == "invalid_card_status"


# --- Stored value -----------------------------------------------------------------------------
def test_top_up_adds_the_bonus_of_the_highest_rule_reached(org, hq, card):
    services.top_up_rule_create(acting_user=hq, pay_at_least="500", bonus="50")
    services.top_up_rule_create(acting_user=hq, pay_at_least="1000", bonus="200")
    entries = services.stored_value_top_up(acting_user=hq, card=card, amount="1000")
    assert [(e.kind, e.amount, e.cause) for e in entries] == [
        ("principal", D("1000.00"), "top_up"),
        ("bonus", D("200.00"), "top_up"),
    ]
    services.stored_value_top_up(acting_user=hq, card=card, amount="999.99")
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    assert balances(card) == {"points": 0, "principal": D("2099.99"), "bonus": D("250.00")}


def test_brand_rules_override_the_groups_rules(org, hq, card):
    services.top_up_rule_create(acting_user=hq, pay_at_least="100", bonus="50")
    services.top_up_rule_create(acting_user=hq, pay_at_least="100", bonus="5", brand=org["brand"])
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    assert balances(card)["bonus"] == D("5.00")


def test_spend_takes_principal_and_bonus_in_proportion(org, hq, card):
    services.top_up_rule_create(acting_user=hq, pay_at_least="1000", bonus="200")
    services.stored_value_top_up(acting_user=hq, card=card, amount="1000")
    entries = services.stored_value_spend(acting_user=hq, card=card, amount="120")
    assert {e.kind: e.amount for e in entries} == {"principal": D("-100.00"), "bonus": D("-20.00")}
    services.stored_value_spend(acting_user=hq, card=card, amount="1080")
    assert balances(card) == {"points": 0, "principal": D("0.00"), "bonus": D("0.00")}


@pytest.mark.parametrize(
    ("principal", "bonus", "amount", "expected"),
    [
        (D("100"), D("0"), D("10"), (D("10"), D("0"))),
        (D("0"), D("5"), D("5"), (D("0"), D("5"))),
        (D("0.01"), D("0.01"), D("0.01"), (D("0.00"), D("0.01"))),
        (D("1000"), D("200"), D("0.01"), (D("0.01"), D("0.00"))),
        (D("3"), D("3"), D("6"), (D("3"), D("3"))),
    ],
)
def test_split_spend_stays_within_both_parts(principal, bonus, amount, expected):
    got = split_spend(principal=principal, bonus=bonus, amount=amount)
    assert got == expected and sum(got) == amount
    assert D(0) <= got[0] <= principal and D(0) <= got[1] <= bonus


def test_spending_more_than_held_is_refused_and_writes_nothing(org, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    before = entry_count()
    with pytest.raises(InsufficientBalance) as exc:
        services.stored_value_spend(acting_user=hq, card=card, amount="100.01")
    assert exc.value.code == "insufficient_balance" and exc.value.status == 409
    assert entry_count() == before and balances(card)["principal"] == D("100.00")


@pytest.mark.parametrize("amount", ["0", "-5", "10.001", "abc", "", "NaN", "Infinity", "1e10"])
def test_bad_amounts_are_refused_and_write_nothing(org, hq, card, amount):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    before = entry_count()
    for call in (services.stored_value_top_up, services.stored_value_spend):
        with pytest.raises(errors.InvalidInput) as exc:
            call(acting_user=hq, card=card, amount=amount)
        assert "amount" in exc.value.fields
    with pytest.raises(errors.InvalidInput):
        services.stored_value_spend(acting_user=hq, card=card, amount=10.5)  # a float
    assert entry_count() == before and balances(card)["principal"] == D("100.00")


def test_refund_returns_principal_and_forfeits_its_bonus(org, hq, card):
    services.top_up_rule_create(acting_user=hq, pay_at_least="1000", bonus="200")
    services.stored_value_top_up(acting_user=hq, card=card, amount="1000")
    entries = services.stored_value_refund(acting_user=hq, card=card, amount="500", reason="退卡")
    assert {e.kind: e.amount for e in entries} == {"principal": D("-500.00"), "bonus": D("-100.00")}
    assert all(e.cause == "refund" and e.reason == "退卡" for e in entries)
    with pytest.raises(InsufficientBalance):
        services.stored_value_refund(acting_user=hq, card=card, amount="500.01", reason="x")
    with pytest.raises(errors.InvalidInput) as exc:
        services.stored_value_refund(acting_user=hq, card=card, amount="1", reason=" ")
    assert "reason" in exc.value.fields
    services.stored_value_refund(acting_user=hq, card=card, amount="500", reason="退卡")
    assert balances(card) == {"points": 0, "principal": D("0.00"), "bonus": D("0.00")}


# --- Points -----------------------------------------------------------------------------------
def test_points_are_spent_closest_to_expiry_first(org, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=100, expires_on=dt.date(2099, 12, 31))
    services.points_accrue(acting_user=hq, card=card, points=40, expires_on=dt.date(2098, 12, 31))
    services.points_spend(acting_user=hq, card=card, points=50)
    lots = dict(PointsLot.objects.values_list("expires_on", "remaining"))
    assert lots == {dt.date(2098, 12, 31): 0, dt.date(2099, 12, 31): 90}
    assert balances(card)["points"] == 90
    with pytest.raises(InsufficientBalance):
        services.points_spend(acting_user=hq, card=card, points=91)
    assert balances(card)["points"] == 90


def test_default_expiry_is_the_end_of_next_year(org, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=10)
    lot = PointsLot.objects.get()
    assert lot.expires_on == dt.date(dt.date.today().year + 1, 12, 31)


def test_expiry_takes_exactly_the_lots_past_their_date(org, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=70, expires_on=dt.date(2030, 1, 1))
    services.points_accrue(acting_user=hq, card=card, points=30, expires_on=dt.date(2031, 1, 1))
    services.points_spend(acting_user=hq, card=card, points=50)  # 20 left of the 2030 lot
    done = services.points_expire(today=dt.date(2030, 1, 2))
    assert done == {"cards": 1, "points": 20}
    entry = LedgerEntry.objects.get(cause="expiry")
    assert entry.points == -20 and entry.actor is None
    assert balances(card)["points"] == 30
    assert services.points_expire(today=dt.date(2030, 1, 2)) == {"cards": 0, "points": 0}


def test_hq_adjusts_with_a_reason_and_never_below_zero(org, users, card):
    hq = users["hq"]
    services.points_adjust(acting_user=hq, card=card, points=25, reason="补录消费")
    services.points_adjust(acting_user=hq, card=card, points=-5, reason="重复积分")
    assert balances(card)["points"] == 20
    before = entry_count()
    with pytest.raises(InsufficientBalance):
        services.points_adjust(acting_user=hq, card=card, points=-21, reason="x")
    with pytest.raises(errors.InvalidInput) as exc:
        services.points_adjust(acting_user=hq, card=card, points=5, reason="")
    assert "reason" in exc.value.fields
    with pytest.raises(errors.InvalidInput):
        services.points_adjust(acting_user=hq, card=card, points=0, reason="x")
    with pytest.raises(errors.PermissionDenied):
        services.points_adjust(acting_user=users["cashier"], card=card, points=5, reason="x")
    assert entry_count() == before
    entry = LedgerEntry.objects.filter(cause="adjustment").order_by("pk").first()
    assert entry.actor == hq and entry.reason == "补录消费"


@pytest.mark.parametrize("points", [0, -3, True, 1.5, "x", 10**10])
def test_bad_points_are_refused(org, hq, card, points):
    with pytest.raises(errors.InvalidInput) as exc:
        services.points_accrue(acting_user=hq, card=card, points=points)
    assert "points" in exc.value.fields
    assert entry_count() == 0


# --- Permissions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"), [("cashier", True), ("manager", True), ("waiter", False)]
)
def test_who_may_take_stored_value(org, users, card, role, allowed):
    services.stored_value_top_up(acting_user=users["hq"], card=card, amount="50")
    if allowed:
        services.stored_value_spend(acting_user=users[role], card=card, amount="5")
        assert balances(card)["principal"] == D("45.00")
    else:
        with pytest.raises(errors.PermissionDenied):
            services.stored_value_spend(acting_user=users[role], card=card, amount="5")
        assert balances(card)["principal"] == D("50.00")


def test_cashier_may_not_freeze_or_refund(org, users, card):
    with pytest.raises(errors.PermissionDenied):
        services.card_freeze(acting_user=users["cashier"], card=card)
    with pytest.raises(errors.PermissionDenied):
        services.stored_value_refund(
            acting_user=users["cashier"], card=card, amount="1", reason="x"
        )
    assert fresh(card).status == "active"


# --- Append-only and the database's own guards ------------------------------------------------
def test_ledger_entries_cannot_be_changed_or_deleted(org, hq, card):
    (entry,) = services.stored_value_top_up(acting_user=hq, card=card, amount="10")
    entry.amount = D("1000")
    with pytest.raises(errors.Conflict):
        entry.save()
    with pytest.raises(errors.Conflict):
        entry.delete()
    assert LedgerEntry.objects.get().amount == D("10.00")


def test_a_changed_entry_is_refused_by_postgresql_and_caught_by_the_check_on_sqlite(org, hq, card):
    """PostgreSQL's trigger refuses UPDATE and DELETE of entries outright. SQLite has no such
    trigger (restore and test teardown delete rows there), so a change made behind the app's
    back is caught by the ledger check instead."""
    (entry,) = services.stored_value_top_up(acting_user=hq, card=card, amount="10")
    if connection.vendor == "postgresql":
        for sql in (
            "UPDATE loyalty_ledgerentry SET amount = 1000 WHERE id = %s",
            "DELETE FROM loyalty_ledgerentry WHERE id = %s",
        ):
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [entry.pk])
        assert LedgerEntry.objects.get().amount == D("10.00")
        assert ledger_mismatches() == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE loyalty_ledgerentry SET amount = 1000 WHERE id = %s", [entry.pk])
        assert [m["number"] for m in ledger_mismatches()] == [card.number]


def test_the_database_refuses_a_negative_cached_balance(org, card):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipCard.objects.filter(pk=card.pk).update(principal_balance=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipCard.objects.filter(pk=card.pk).update(points_balance=-1)


def test_a_card_not_yet_valid_is_refused(org, hq, guest):
    later = services.card_issue(
        acting_user=hq, guest=guest, store=org["store"], valid_from=dt.date(2099, 1, 1)
    )
    with pytest.raises(CardNotUsable) as exc:
        services.stored_value_top_up(acting_user=hq, card=later, amount="10")
    assert exc.value.code == "card_not_yet_valid" and entry_count() == 0


def test_cards_follow_their_guest_in_a_merge_and_back_on_undo(org, hq, guest, card):
    from huike.guests.merging import guest_merge, guest_merge_undo

    survivor = guest_create(acting_user=hq, name="王芳", primary_phone="13900139000")
    services.stored_value_top_up(acting_user=hq, card=card, amount="10")
    merge = guest_merge(acting_user=hq, survivor=survivor, merged=guest)
    assert fresh(card).guest_id == survivor.pk
    assert balances(card)["principal"] == D("10.00")  # the card's value does not move
    guest_merge_undo(acting_user=hq, merge=merge)
    assert fresh(card).guest_id == guest.pk
