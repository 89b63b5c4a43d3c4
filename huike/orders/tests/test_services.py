"""Posting orders: the guest's history moves with them in one transaction; bad input writes
nothing; the POS's own number makes posting idempotent; refunds and corrections reverse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.models import AuditEntry
from huike.guests.models import Guest
from huike.guests.services import guest_create
from huike.orders import effects, services
from huike.orders.models import GuestDishTally, GuestPlaceTally, Order, OrderLine, OrderPayment
from huike.orders.services import order_correct, order_post, order_refund

from .factories import hours_ago, order_args


def post(user, at_store, **changes):
    return order_post(acting_user=user, **order_args(at_store, **changes))


def tallies(guest) -> dict:
    return {
        t.dish.code: (t.times_ordered, t.qty)
        for t in GuestDishTally.objects.filter(guest=guest).select_related("dish")
    }


def nothing_written():
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0 and OrderPayment.objects.count() == 0
    assert Guest.objects.count() == 0
    assert GuestDishTally.objects.count() == 0 and GuestPlaceTally.objects.count() == 0


def test_posting_writes_the_order_and_moves_the_guests_history(org, hq, menu):
    closed = hours_ago(2)
    order = post(hq, org["store"], closed_at=closed)
    assert order.replayed is False
    assert (order.subtotal, order.discount, order.service_charge, order.total) == (
        Decimal("276.00"),
        Decimal("16.00"),
        Decimal("26.00"),
        Decimal("286.00"),
    )
    assert [(ln.line_no, ln.dish_code, ln.line_total) for ln in order.lines.all()] == [
        (1, "D001", Decimal("128.00")),
        (2, "D002", Decimal("136.00")),
        (3, "D003", Decimal("12.00")),
    ]
    assert sorted(order.payments.values_list("method", "amount")) == [
        ("cash", Decimal("86.00")),
        ("wechat", Decimal("200.00")),
    ]
    guest = Guest.objects.get()
    assert order.guest == guest and guest.primary_phone == "+8613812345678"
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("286.00"))
    assert guest.first_visit_at == guest.last_visit_at == closed
    assert tallies(guest) == {
        "D001": (1, Decimal("1")),
        "D002": (1, Decimal("2")),
        "D003": (1, Decimal("4")),
    }
    place = GuestPlaceTally.objects.get(guest=guest)
    assert (place.store, place.table_label, place.visits) == (org["store"], "牡丹厅", 1)
    entries = AuditEntry.objects.filter(object_type="orders.order", object_id=str(order.pk))
    assert entries.count() == 1
    assert entries.get().changes["guest_now"] == {"visit_count": 1, "total_spend": "286.00"}


def test_prices_come_from_the_dish_tier_when_the_line_has_none(org, hq, menu):
    order = post(
        hq,
        org["store"],
        lines=[{"dish_code": "D001", "qty": "1", "price_tier": "vip_room"}],
        discount="0",
        service_charge="0",
        payments=[{"method": "card", "amount": "138"}],
    )
    line = order.lines.get()
    assert (line.unit_price, line.price_tier, order.total) == (
        Decimal("138.00"),
        "vip_room",
        Decimal("138.00"),
    )


def test_a_second_order_adds_up_and_moves_the_last_visit(org, hq, menu):
    first = post(hq, org["store"], closed_at=hours_ago(30))
    second = post(
        hq,
        org["store2"],
        pos_order_id="P-0002",
        closed_at=hours_ago(1),
        table_label="A1",
        lines=[{"dish_code": "D001", "qty": "1.5", "unit_price": "100"}],
        discount="0",
        service_charge="0",
        payments=[{"method": "alipay", "amount": "150"}],
    )
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (2, Decimal("436.00"))
    assert (guest.first_visit_at, guest.last_visit_at) == (first.closed_at, second.closed_at)
    assert tallies(guest)["D001"] == (2, Decimal("2.5"))
    assert GuestDishTally.objects.get(guest=guest, dish__code="D001").last_ordered_at == (
        second.closed_at
    )
    assert GuestPlaceTally.objects.filter(guest=guest).count() == 2


def test_an_unknown_phone_creates_a_guest_and_a_known_one_is_reused(org, hq, menu):
    known = guest_create(acting_user=hq, name="王先生", primary_phone="13900001111")
    post(hq, org["store"])
    post(hq, org["store"], pos_order_id="P-0002", guest_phone="139 0000 1111")
    assert Guest.objects.count() == 2
    known.refresh_from_db()
    assert known.visit_count == 1 and known.orders.count() == 1


def test_an_order_without_a_guest_touches_no_guest(org, hq, menu):
    order = post(hq, org["store"], guest_phone=None)
    assert order.guest is None and not order.visit_counted
    assert Guest.objects.count() == 0 and GuestDishTally.objects.count() == 0


def test_a_failure_half_way_leaves_nothing(org, hq, menu, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # the guest's tallies are written last, after the header, lines, payments and the guest
    monkeypatch.setattr(effects, "write_guest_changes", broken)
    with pytest.raises(RuntimeError):
        post(hq, org["store"])
    nothing_written()
    assert not AuditEntry.objects.filter(object_type="orders.order").exists()


def _other_tenant_store(other_org):
    return other_org["store"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"dish_code": "NOPE", "qty": "1"}]}, "lines.0.dish_code"),
        ({"lines": [{"dish_code": "D001", "qty": "-1"}]}, "lines.0.qty"),
        ({"lines": [{"dish_code": "D001", "qty": "0"}]}, "lines.0.qty"),
        ({"lines": [{"dish_code": "D001", "qty": "abc"}]}, "lines.0.qty"),
        ({"lines": [{"dish_code": "D001", "qty": "1", "unit_price": "-5"}]}, "lines.0.unit_price"),
        (
            {"lines": [{"dish_code": "D001", "qty": "1", "price_tier": "gold"}]},
            "lines.0.price_tier",
        ),
        ({"lines": []}, "lines"),
        ({"total": "300.00"}, "total"),
        ({"subtotal": "270.00"}, "subtotal"),
        ({"payments": [{"method": "cash", "amount": "280"}]}, "payments"),
        ({"payments": [{"method": "bitcoin", "amount": "286"}]}, "payments.0.method"),
        ({"payments": [{"method": "cash", "amount": "0"}]}, "payments.0.amount"),
        ({"discount": "400"}, "discount"),
        ({"discount": "1.005"}, "discount"),
        ({"closed_at": timezone.now() + dt.timedelta(hours=1)}, "closed_at"),
        ({"closed_at": dt.datetime(2026, 1, 1, 12, 0)}, "closed_at"),  # no time zone
        ({"opened_at": hours_ago(1), "closed_at": hours_ago(2)}, "opened_at"),
        ({"guest_phone": "12345"}, "guest_phone"),
        ({"party_size": 0}, "party_size"),
        ({"pos_order_id": ""}, "pos_order_id"),
        ({"pos_order_id": "x" * 65}, "pos_order_id"),
        ({"table_label": "桌" * 41}, "table_label"),
        ({"store": 999_999}, "store"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_written(org, hq, menu, changes, field):
    with pytest.raises(errors.InvalidInput) as refused:
        post(hq, org["store"], **changes)
    assert field in refused.value.fields, refused.value.fields
    assert all(refused.value.fields[field])
    nothing_written()


def test_another_tenants_store_is_not_found(org, other_org, hq, menu):
    with pytest.raises(errors.InvalidInput) as refused:
        post(hq, other_org["store"])
    assert list(refused.value.fields) == ["store"]
    assert Order.all_tenants.count() == 0


def test_a_store_outside_the_cashiers_row_scope_is_not_found(org, users, menu):
    with pytest.raises(errors.InvalidInput) as refused:
        post(users["cashier"], org["store2"])
    assert list(refused.value.fields) == ["store"]
    assert post(users["cashier"], org["store"]).pk


def test_roles_without_the_permission_cannot_post(org, users, menu):
    with pytest.raises(errors.PermissionDenied):
        post(users["waiter"], org["store"])
    assert Order.objects.count() == 0


def test_the_same_order_twice_is_stored_once(org, hq, menu):
    first = post(hq, org["store"])
    again = post(hq, org["store"], payments=list(reversed(order_args(org["store"])["payments"])))
    assert again.replayed is True and again.pk == first.pk
    assert Order.objects.count() == 1
    assert Guest.objects.get().visit_count == 1
    assert AuditEntry.objects.filter(object_type="orders.order").count() == 1


def test_the_same_number_with_other_content_is_a_duplicate(org, hq, menu):
    post(hq, org["store"])
    with pytest.raises(services.DuplicateOrder) as refused:
        post(hq, org["store"], table_label="兰花厅")
    assert refused.value.code == "duplicate_order" and refused.value.status == 409
    assert "P-0001" in str(refused.value.message)
    assert Order.objects.count() == 1 and Guest.objects.get().total_spend == Decimal("286.00")


def test_the_same_number_at_another_store_is_another_order(org, hq, menu):
    post(hq, org["store"])
    post(hq, org["store2"])
    assert Order.objects.count() == 2 and Guest.objects.get().visit_count == 2


# --- Refunds ---------------------------------------------------------------------------------
def test_a_partial_refund_takes_back_its_share_and_keeps_the_visit(org, hq, menu):
    order = post(hq, org["store"])
    refund = order_refund(
        acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 2, "qty": 1}]
    )
    # 68 of 276 refunded: discount 16 × 68/276 = 3.94, service charge 26 × 68/276 = 6.41
    assert (refund.kind, refund.original, refund.subtotal) == ("refund", order, Decimal("68.00"))
    assert refund.guest == order.guest and not refund.visit_counted
    assert (refund.discount, refund.service_charge, refund.total) == (
        Decimal("3.94"),
        Decimal("6.41"),
        Decimal("70.47"),
    )
    assert sum(refund.payments.values_list("amount", flat=True)) == Decimal("70.47")
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("215.53"))
    assert tallies(guest)["D002"] == (1, Decimal("1"))
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("70.47") and order.visit_counted


def test_refunding_everything_reverses_the_order_to_zero(org, hq, menu):
    earlier = post(hq, org["store"], pos_order_id="P-0000", closed_at=hours_ago(48))
    order = post(hq, org["store"], table_label="兰花厅")
    order_refund(acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 2, "qty": 1}])
    rest = order_refund(acting_user=hq, order=order, pos_order_id="R-2")
    assert rest.total == Decimal("215.53")  # the two refunds add up to the order's 286.00
    order.refresh_from_db()
    assert order.refunded_amount == order.total and not order.visit_counted
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("286.00"))
    assert guest.last_visit_at == earlier.closed_at  # recomputed from what is left
    assert tallies(guest) == {
        "D001": (1, Decimal("1")),
        "D002": (1, Decimal("2")),
        "D003": (1, Decimal("4")),
    }
    assert GuestPlaceTally.objects.get(guest=guest, table_label="兰花厅").visits == 0
    assert OrderLine.objects.filter(order=order, refunded_qty=0).count() == 0
    with pytest.raises(errors.Conflict) as again:
        order_refund(acting_user=hq, order=order, pos_order_id="R-3")
    assert again.value.code == "already_refunded"


def test_a_refund_sent_twice_is_stored_once(org, hq, menu):
    order = post(hq, org["store"])
    first = order_refund(acting_user=hq, order=order, pos_order_id="R-1")
    again = order_refund(acting_user=hq, order=order, pos_order_id="R-1")
    assert again.pk == first.pk and again.replayed
    with pytest.raises(services.DuplicateOrder):
        order_refund(acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 1, "qty": 1}])
    assert Guest.objects.get().total_spend == Decimal("0.00")


def test_refunding_more_than_is_left_is_refused(org, hq, menu):
    order = post(hq, org["store"])
    with pytest.raises(errors.InvalidInput) as refused:
        order_refund(acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 2, "qty": 3}])
    assert "lines.0.qty" in refused.value.fields
    with pytest.raises(errors.InvalidInput) as refused:
        order_refund(acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 9, "qty": 1}])
    assert "lines.0.line" in refused.value.fields
    assert Order.objects.count() == 1
    assert Guest.objects.get().total_spend == Decimal("286.00")


# --- Corrections -----------------------------------------------------------------------------
def correction_args(**changes):
    return {
        "pos_order_id": "C-1",
        "closed_at": hours_ago(2),
        "guest_phone": "13812345678",
        "table_label": "牡丹厅",
        "lines": [{"dish_code": "D001", "qty": "1"}],
        "payments": [{"method": "cash", "amount": "128"}],
        **changes,
    }


def test_a_correction_replaces_the_orders_effect(org, hq, menu):
    order = post(hq, org["store"])
    correction = order_correct(acting_user=hq, order=order, **correction_args())
    order.refresh_from_db()
    assert order.status == "superseded" and not order.visit_counted
    assert (correction.kind, correction.original, correction.store) == (
        "correction",
        order,
        org["store"],
    )
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("128.00"))
    assert tallies(guest) == {
        "D001": (1, Decimal("1")),
        "D002": (0, Decimal("0")),
        "D003": (0, Decimal("0")),
    }
    assert GuestPlaceTally.objects.get(guest=guest).visits == 1
    with pytest.raises(errors.Conflict) as refused:
        order_refund(acting_user=hq, order=order, pos_order_id="R-1")
    assert refused.value.code == "order_superseded"


def test_a_correction_can_move_the_order_to_another_guest(org, hq, menu):
    order = post(hq, org["store"])
    order_correct(acting_user=hq, order=order, **correction_args(guest_phone="13900002222"))
    wrong = Guest.objects.get(primary_phone="+8613812345678")
    right = Guest.objects.get(primary_phone="+8613900002222")
    assert (wrong.visit_count, wrong.total_spend, wrong.last_visit_at) == (
        0,
        Decimal("0.00"),
        None,
    )
    assert (right.visit_count, right.total_spend) == (1, Decimal("128.00"))


def test_a_correction_sent_twice_is_stored_once(org, hq, menu):
    order = post(hq, org["store"])
    args = correction_args()
    first = order_correct(acting_user=hq, order=order, **args)
    again = order_correct(acting_user=hq, order=order, **args)
    assert again.replayed and again.pk == first.pk
    with pytest.raises(services.DuplicateOrder):
        order_correct(acting_user=hq, order=order, **correction_args(table_label="兰花厅"))
    assert Guest.objects.get().visit_count == 1


# --- Recount and moving history (guest merge) ------------------------------------------------
def _history(guest) -> tuple:
    guest.refresh_from_db()
    places = sorted(
        GuestPlaceTally.objects.filter(guest=guest, visits__gt=0).values_list(
            "store_id", "table_label", "visits"
        )
    )
    dishes = sorted(
        (code, times, qty.normalize()) for code, (times, qty) in tallies(guest).items() if times
    )
    return (
        guest.visit_count,
        guest.total_spend,
        guest.first_visit_at,
        guest.last_visit_at,
        dishes,
        places,
    )


def test_a_recount_gives_what_posting_kept(org, hq, menu):
    order = post(hq, org["store"], closed_at=hours_ago(50))
    post(hq, org["store2"], pos_order_id="P-2", table_label="A1")
    order_refund(acting_user=hq, order=order, pos_order_id="R-1", lines=[{"line": 2, "qty": 1}])
    guest = Guest.objects.get()
    kept = _history(guest)
    services.guest_history_recount(guest=guest)
    assert _history(guest) == kept


def test_moving_orders_to_another_guest_and_back(org, hq, menu):
    post(hq, org["store"], closed_at=hours_ago(50))
    post(hq, org["store"], pos_order_id="P-2", guest_phone="13900002222", table_label="A1")
    one = Guest.objects.get(primary_phone="+8613812345678")
    two = Guest.objects.get(primary_phone="+8613900002222")
    before_one, before_two = _history(one), _history(two)
    moved = services.guest_history_move(source=one, target=two)
    assert len(moved) == 1
    assert _history(one)[:2] == (0, Decimal("0.00"))
    assert _history(two)[:2] == (2, Decimal("572.00"))
    assert dict((c, t) for c, t, _q in _history(two)[4]) == {"D001": 2, "D002": 2, "D003": 2}
    services.guest_history_move(source=two, target=one, order_ids=moved)
    assert (_history(one), _history(two)) == (before_one, before_two)
    with pytest.raises(errors.InvalidInput):
        services.guest_history_move(source=one, target=one)
