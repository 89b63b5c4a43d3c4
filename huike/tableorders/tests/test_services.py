"""The services: pre-orders at the booking table's tier, the QR token, the guest's submit (server
prices, idempotency, limits, rate limit) and staff confirming or rejecting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.models import AuditEntry
from huike.menu.models import Dish
from huike.reservations import services as booking_services
from huike.tableorders import services
from huike.tableorders.models import PreOrderedDish, TableCode, TableOrderTicket

from .conftest import book

pytestmark = pytest.mark.django_db


def _lines(*pairs):
    return [{"dish": d.pk, "quantity": q, "note": ""} for d, q in pairs]


def test_a_private_room_pre_orders_at_the_vip_room_price_a_hall_table_at_the_hall_price(
    org, hq, floor, menu
):
    room = book(org, hq, floor["牡丹厅"], size=8)
    hall = book(org, hq, floor["A1"])
    services.pre_order_set(
        acting_user=hq, booking=room, lines=_lines((menu["fish"], 1), (menu["tea"], 4))
    )
    services.pre_order_set(acting_user=hq, booking=hall, lines=_lines((menu["fish"], 2)))
    room_lines = {p.dish_id: p for p in PreOrderedDish.objects.filter(booking=room)}
    assert room_lines[menu["fish"].pk].unit_price == Decimal("98.00")
    assert room_lines[menu["tea"].pk].unit_price == Decimal("18.00")
    assert {p.price_tier for p in room_lines.values()} == {Dish.PriceTier.VIP_ROOM}
    hall_line = PreOrderedDish.objects.get(booking=hall)
    assert (hall_line.unit_price, hall_line.price_tier) == (Decimal("88.00"), "hall")
    assert AuditEntry.objects.filter(object_id=str(room.pk), action="update").exists()


def test_setting_the_pre_order_replaces_the_list(org, hq, floor, menu):
    booking = book(org, hq, floor["A1"])
    services.pre_order_set(
        acting_user=hq, booking=booking, lines=_lines((menu["fish"], 1), (menu["pork"], 2))
    )
    services.pre_order_set(
        acting_user=hq,
        booking=booking,
        lines=[{"dish": menu["tea"].pk, "quantity": "3", "note": "少糖"}],
    )
    rows = list(PreOrderedDish.objects.filter(booking=booking).values_list("dish_id", "quantity"))
    assert rows == [(menu["tea"].pk, 3)]
    services.pre_order_set(acting_user=hq, booking=booking, lines=[])
    assert not PreOrderedDish.objects.filter(booking=booking).exists()


@pytest.mark.parametrize("dish_key", ["off_here", "retired"])
def test_a_dish_not_on_the_stores_menu_is_refused_and_nothing_changes(
    org, hq, floor, menu, dish_key
):
    booking = book(org, hq, floor["A1"])
    services.pre_order_set(acting_user=hq, booking=booking, lines=_lines((menu["fish"], 1)))
    with pytest.raises(errors.InvalidInput) as exc:
        services.pre_order_set(
            acting_user=hq, booking=booking, lines=_lines((menu["pork"], 1), (menu[dish_key], 1))
        )
    assert exc.value.code == "invalid_lines"
    assert menu[dish_key].name in " ".join(str(m) for m in exc.value.fields["lines"])
    assert list(
        PreOrderedDish.objects.filter(booking=booking).values_list("dish_id", flat=True)
    ) == [menu["fish"].pk]


@pytest.mark.parametrize("quantity", [0, -1, 2.5, "2.5", "", None, True, 51])
def test_quantities_must_be_whole_positive_numbers(org, hq, floor, menu, quantity):
    booking = book(org, hq, floor["A1"])
    with pytest.raises(errors.InvalidInput) as exc:
        services.pre_order_set(
            acting_user=hq,
            booking=booking,
            lines=[{"dish": menu["fish"].pk, "quantity": quantity}],
        )
    assert "lines" in exc.value.fields


def test_a_dish_listed_twice_and_too_many_lines_are_refused(org, hq, floor, menu):
    booking = book(org, hq, floor["A1"])
    with pytest.raises(errors.InvalidInput):
        services.pre_order_set(
            acting_user=hq, booking=booking, lines=_lines((menu["fish"], 1), (menu["fish"], 2))
        )
    with pytest.raises(errors.InvalidInput) as exc:
        services.pre_order_set(
            acting_user=hq, booking=booking, lines=_lines(*[(menu["fish"], 1)] * 31)
        )
    assert exc.value.code == "too_many_lines"


@pytest.mark.parametrize("finish", ["cancel", "complete"])
def test_a_cancelled_or_completed_booking_refuses_changes(org, hq, floor, menu, finish):
    booking = book(org, hq, floor["A1"])
    if finish == "cancel":
        booking_services.booking_cancel(acting_user=hq, booking=booking, reason="改期")
    else:
        booking_services.booking_seat(acting_user=hq, booking=booking)
        booking_services.booking_complete(acting_user=hq, booking=booking)
    with pytest.raises(errors.Conflict) as exc:
        services.pre_order_set(acting_user=hq, booking=booking, lines=_lines((menu["fish"], 1)))
    assert exc.value.code == "invalid_booking_status"


def test_pre_ordering_needs_the_booking_permission(org, users, floor, menu):
    booking = book(org, users["hq"], floor["A1"])
    with pytest.raises(errors.PermissionDenied):
        services.pre_order_set(
            acting_user=users["cashier"], booking=booking, lines=_lines((menu["fish"], 1))
        )


# --- QR codes and the guest's submit ----------------------------------------------------------
@pytest.fixture
def code(org, users, floor):
    return services.table_code_get_or_create(acting_user=users["captain"], table=floor["A1"])


def test_a_table_code_is_made_once_and_regenerating_changes_the_token(users, floor, code):
    again = services.table_code_get_or_create(acting_user=users["captain"], table=floor["A1"])
    assert again.pk == code.pk and len(code.token) >= 24
    old = code.token
    fresh = services.table_code_regenerate(acting_user=users["captain"], table=floor["A1"])
    assert fresh.token != old and fresh.regenerated_at is not None
    assert not TableCode.objects.filter(token=old).exists()
    with pytest.raises(errors.PermissionDenied):
        services.table_code_regenerate(acting_user=users["cashier"], table=floor["A1"])


def test_submit_prices_from_the_server_and_sends_one_ticket_per_key(code, menu, floor):
    lines = [
        {"dish": menu["fish"].pk, "quantity": "2", "note": "微辣", "price": "0.01"},
        {"dish": menu["tea"].pk, "quantity": 1, "unit_price": "0"},
    ]
    ticket, created = services.table_order_submit(code=code, client_key="k" * 16, lines=lines)
    again, created_again = services.table_order_submit(
        code=code, client_key="k" * 16, lines=lines[:1]
    )
    assert created and not created_again and again.pk == ticket.pk
    assert TableOrderTicket.objects.count() == 1
    assert ticket.total == Decimal("188.00")  # 2 × 88 + 12 at the hall price
    assert ticket.status == "new" and ticket.store_id == floor["A1"].store_id
    notes = list(ticket.lines.values_list("dish_name", "quantity", "unit_price", "note"))
    assert notes == [
        ("剁椒鱼头", 2, Decimal("88.00"), "微辣"),
        ("菊花茶", 1, Decimal("12.00"), ""),
    ]


def test_a_rooms_code_orders_at_the_vip_room_price(users, floor, menu):
    room_code = services.table_code_get_or_create(
        acting_user=users["captain"], table=floor["牡丹厅"]
    )
    ticket, _ = services.table_order_submit(
        code=room_code, client_key="room-key-0001", lines=[{"dish": menu["fish"].pk, "quantity": 1}]
    )
    assert ticket.total == Decimal("98.00") and ticket.price_tier == "vip_room"


@pytest.mark.parametrize(
    ("key", "lines", "code_name"),
    [
        ("short", [{"dish": 1, "quantity": 1}], "invalid_key"),
        ("good-key-0001", [], "empty_order"),
        ("good-key-0002", "not a list", "invalid_input"),
    ],
)
def test_bad_submits_are_refused(code, menu, key, lines, code_name):
    with pytest.raises(errors.InvalidInput) as exc:
        services.table_order_submit(code=code, client_key=key, lines=lines)
    assert exc.value.code == code_name
    assert not TableOrderTicket.objects.exists()


def test_an_unavailable_dish_or_too_much_is_refused(code, menu):
    with pytest.raises(errors.InvalidInput):
        services.table_order_submit(
            code=code,
            client_key="good-key-0003",
            lines=[{"dish": menu["off_here"].pk, "quantity": 1}],
        )
    with pytest.raises(errors.InvalidInput):
        services.table_order_submit(
            code=code, client_key="good-key-0004", lines=[{"dish": menu["fish"].pk, "quantity": 99}]
        )
    assert not TableOrderTicket.objects.exists()


def test_a_table_sends_at_most_the_rate_limit_in_ten_minutes(code, menu, monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMIT", 3)
    line = [{"dish": menu["tea"].pk, "quantity": 1}]
    for i in range(3):
        services.table_order_submit(code=code, client_key=f"rate-key-{i:04d}", lines=line)
    with pytest.raises(errors.Throttled) as exc:
        services.table_order_submit(code=code, client_key="rate-key-9999", lines=line)
    assert exc.value.code == "table_order_rate_limited"
    assert TableOrderTicket.objects.count() == 3
    TableOrderTicket.objects.update(created_at=timezone.now() - services.RATE_WINDOW)
    services.table_order_submit(code=code, client_key="rate-key-later", lines=line)
    assert TableOrderTicket.objects.count() == 4


def test_a_closed_table_takes_no_orders(code, menu, floor):
    floor["A1"].active = False
    floor["A1"].save()
    with pytest.raises(errors.NotFound):
        services.table_order_submit(
            code=code, client_key="closed-key-01", lines=[{"dish": menu["tea"].pk, "quantity": 1}]
        )


# --- Staff handling ---------------------------------------------------------------------------
@pytest.fixture
def ticket(code, menu):
    found, _ = services.table_order_submit(
        code=code, client_key="ticket-key-01", lines=[{"dish": menu["fish"].pk, "quantity": 1}]
    )
    return found


def test_confirming_twice_is_refused_cleanly(users, ticket):
    done = services.table_order_confirm(acting_user=users["waiter"], ticket=ticket)
    assert done.status == "confirmed" and done.confirmed_by == users["waiter"]
    assert done.handled_at is not None
    with pytest.raises(errors.Conflict) as exc:
        services.table_order_confirm(acting_user=users["captain"], ticket=ticket)
    assert exc.value.code == "ticket_handled"
    with pytest.raises(errors.Conflict):
        services.table_order_reject(acting_user=users["captain"], ticket=ticket, reason="重复")
    ticket.refresh_from_db()
    assert ticket.confirmed_by == users["waiter"] and ticket.rejected_by is None


def test_rejecting_needs_a_reason(users, ticket):
    with pytest.raises(errors.InvalidInput) as exc:
        services.table_order_reject(acting_user=users["captain"], ticket=ticket, reason="  ")
    assert "reason" in exc.value.fields
    done = services.table_order_reject(acting_user=users["captain"], ticket=ticket, reason="售罄")
    assert (done.status, done.reject_reason, done.rejected_by) == (
        "rejected",
        "售罄",
        users["captain"],
    )


def test_only_table_order_handlers_confirm(users, ticket):
    for role in ("cashier", "desk", "marketing"):
        with pytest.raises(errors.PermissionDenied):
            services.table_order_confirm(acting_user=users[role], ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_events_reach_the_floor_channel(users, ticket, monkeypatch):
    sent = []
    monkeypatch.setattr(services.bus, "publish", lambda *a: sent.append(a))
    services.table_order_confirm(acting_user=users["manager"], ticket=ticket)
    assert sent == [
        (
            f"store:{ticket.store_id}:floor",
            "table_order",
            {
                "ticket": ticket.pk,
                "table": ticket.table_id,
                "status": "confirmed",
                "total": "88.00",
            },
        )
    ]


def test_the_frozen_migration_grants_match_the_app(db):
    import importlib

    from huike.tableorders.permissions import GRANTS

    frozen = importlib.import_module(
        "huike.tableorders.migrations.0002_grant_default_permissions"
    ).GRANTS
    assert frozen == {role: list(codes) for role, codes in GRANTS.items()}
