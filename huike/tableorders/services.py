"""Every write of the table orders app (R6): one function per business action, one transaction
each, permission-checked (except the guest's own submit, which the table's token authorises),
audited, with a live floor event where staff should see it at once.

* ``pre_order_set`` replaces the dishes pre-ordered with an active booking, priced at the
  booking table's tier.
* ``table_code_get_or_create`` / ``table_code_regenerate`` manage the table's QR token.
* ``table_order_submit`` turns the guest's cart into a ticket: prices from the server, a
  submission key so a double tap sends one ticket, at most ``MAX_LINES`` lines of at most
  ``MAX_QUANTITY`` each, and at most ``RATE_LIMIT`` tickets per table in ``RATE_WINDOW``.
* ``table_order_confirm`` / ``table_order_reject``: a conditional update from ``new``, so of two
  staff handling one ticket at once exactly one wins; the other gets ``ticket_handled``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import ZERO
from huike.core.permissions import check_perm
from huike.live import bus
from huike.menu.models import DiningTable, Dish
from huike.menu.selectors import store_menu
from huike.reservations import permissions as reservation_perms
from huike.reservations.models import Booking

from . import permissions as perms
from .models import PreOrderedDish, TableCode, TableOrderLine, TableOrderTicket

MAX_LINES = 30
MAX_QUANTITY = 50
MAX_NOTE = 100
RATE_LIMIT = 6  # tickets per table …
RATE_WINDOW = dt.timedelta(minutes=10)  # … in this window
TOKEN_BYTES = 18  # 24 URL-safe characters, 144 random bits
Status = TableOrderTicket.Status


# --- Price tier and menu ----------------------------------------------------------------------
def price_tier_of(table: DiningTable | None) -> str:
    """A private room orders at the VIP-room price, a hall table (or no table yet) at the hall
    price."""
    if table is not None and table.kind == DiningTable.Kind.ROOM:
        return Dish.PriceTier.VIP_ROOM
    return Dish.PriceTier.HALL


def _quantity(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _clean_lines(lines, *, store, tier: str) -> list[dict]:
    """``lines`` (dicts of dish, quantity, note) checked against the store's menu at ``tier``:
    each dish once, on the menu, a whole quantity from 1 to MAX_QUANTITY; priced here."""
    if not isinstance(lines, list | tuple):
        raise errors.InvalidInput(fields={"lines": [_("Send a list of dishes.")]})
    if len(lines) > MAX_LINES:
        raise errors.InvalidInput(
            fields={"lines": [_("At most %(n)s dishes at once.") % {"n": MAX_LINES}]},
            code="too_many_lines",
        )
    problems: list[str] = []
    wanted: list[tuple[int, int, int, str]] = []
    seen: set[int] = set()
    for number, line in enumerate(lines, start=1):
        line = line if isinstance(line, dict) else {}
        dish_id = _quantity(line.get("dish"))
        quantity = _quantity(line.get("quantity"))
        note = str(line.get("note") or "").strip()
        if dish_id is None:
            problems.append(_("Line %(n)s: choose a dish.") % {"n": number})
            continue
        if dish_id in seen:
            problems.append(_("Line %(n)s: this dish is already listed.") % {"n": number})
            continue
        seen.add(dish_id)
        if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            problems.append(
                _("Line %(n)s: the quantity must be a whole number from 1 to %(max)s.")
                % {"n": number, "max": MAX_QUANTITY}
            )
            continue
        if len(note) > MAX_NOTE:
            problems.append(
                _("Line %(n)s: the note has at most %(max)s characters.")
                % {"n": number, "max": MAX_NOTE}
            )
            continue
        wanted.append((number, dish_id, quantity, note))
    menu = {d.pk: d for d in store_menu(store=store, tier=tier).filter(pk__in=seen)}
    cleaned = []
    for number, dish_id, quantity, note in wanted:
        dish = menu.get(dish_id)
        if dish is None:
            name = Dish.objects.filter(pk=dish_id).values_list("name", flat=True).first()
            problems.append(
                _("%(dish)s is not available at this store.") % {"dish": name}
                if name
                else _("Line %(n)s: dish not found.") % {"n": number}
            )
            continue
        cleaned.append({"dish": dish, "quantity": quantity, "note": note, "price": dish.price})
    if problems:
        raise errors.InvalidInput(fields={"lines": problems}, code="invalid_lines")
    return cleaned


# --- Pre-ordering with a booking --------------------------------------------------------------
@transaction.atomic
def pre_order_set(*, acting_user, booking, lines) -> list[PreOrderedDish]:
    """Replace the dishes pre-ordered with an active booking (pending, confirmed or seated) by
    ``lines``; an empty list clears them. Unit prices are the booking table's tier."""
    check_perm(acting_user, reservation_perms.BOOK)
    pk = booking.pk if isinstance(booking, Booking) else booking
    try:
        booking = Booking.objects.select_for_update(of=("self",)).select_related("table").get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc
    if not booking.is_active:
        raise errors.Conflict(
            _("The dishes of a booking that is %(status)s cannot be changed.")
            % {"status": booking.get_status_display()},
            code="invalid_booking_status",
        )
    tier = price_tier_of(booking.table)
    cleaned = _clean_lines(lines, store=booking.store, tier=tier)
    existing = PreOrderedDish.objects.filter(booking=booking)
    before = [[p.dish_id, p.quantity] for p in existing.order_by("position", "pk")]
    existing.delete()
    rows = PreOrderedDish.objects.bulk_create(
        [
            PreOrderedDish(
                tenant_id=booking.tenant_id,
                booking=booking,
                dish=line["dish"],
                quantity=line["quantity"],
                unit_price=line["price"],
                price_tier=tier,
                note=line["note"],
                position=position,
            )
            for position, line in enumerate(cleaned)
        ]
    )
    after = [[p.dish_id, p.quantity] for p in rows]
    if before != after or any(line["note"] for line in cleaned):
        audit_record(
            action=Action.UPDATE,
            actor=acting_user,
            obj=booking,
            changes={"pre_order": [before, after], "price_tier": tier},
        )
    return rows


# --- Table QR codes ---------------------------------------------------------------------------
def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def table_code_get_or_create(*, acting_user, table: DiningTable) -> TableCode:
    """The table's QR code, made the first time it is asked for."""
    check_perm(acting_user, perms.HANDLE)
    found = TableCode.objects.filter(table=table).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            code = TableCode.objects.create(table=table, token=_new_token())
    except IntegrityError:  # made by a concurrent request
        return TableCode.objects.get(table=table)
    audit_record(action=Action.CREATE, actor=acting_user, obj=code, changes={"table": table.pk})
    return code


@transaction.atomic
def table_code_regenerate(*, acting_user, table: DiningTable) -> TableCode:
    """A new token for the table's QR code: the old printed code stops working at once."""
    check_perm(acting_user, perms.HANDLE)
    code = TableCode.objects.select_for_update().filter(table=table).first()
    if code is None:
        return table_code_get_or_create(acting_user=acting_user, table=table)
    code.token = _new_token()
    code.regenerated_at = timezone.now()
    code.save(update_fields=["token", "regenerated_at"])
    audit_record(
        action=Action.UPDATE, actor=acting_user, obj=code, changes={"token": "regenerated"}
    )
    return code


def table_of_code(code: TableCode) -> DiningTable | None:
    """The table a public token leads to, or None when the table or its store is closed."""
    table = code.table
    if not table.active or not table.store.active:
        return None
    return table


# --- Self-ordering at the table ---------------------------------------------------------------
def _publish(ticket: TableOrderTicket) -> None:
    bus.publish(
        f"store:{ticket.store_id}:floor",
        "table_order",
        {
            "ticket": ticket.pk,
            "table": ticket.table_id,
            "status": ticket.status,
            "total": str(ticket.total),
        },
    )


def _client_key(value) -> str:
    key = str(value or "").strip()
    if not 8 <= len(key) <= 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise errors.InvalidInput(
            fields={"key": [_("The order form is out of date. Reload the page.")]},
            code="invalid_key",
        )
    return key


@transaction.atomic
def table_order_submit(*, code: TableCode, client_key, lines) -> tuple[TableOrderTicket, bool]:
    """The guest's cart sent from the table's QR page, as a new ticket for the floor staff.

    Returns ``(ticket, created)``: the same ``client_key`` sent again (a double tap, a reload)
    returns the first ticket. Prices come from the store's menu at the table's tier."""
    key = _client_key(client_key)
    code = (
        TableCode.objects.select_for_update(of=("self",))
        .select_related("table__store")
        .get(pk=code.pk)
    )
    table = table_of_code(code)
    if table is None:
        raise errors.NotFound()
    earlier = TableOrderTicket.objects.filter(table=table, client_key=key).first()
    if earlier is not None:
        return earlier, False
    recent = TableOrderTicket.objects.filter(
        table=table, created_at__gte=timezone.now() - RATE_WINDOW
    ).count()
    if recent >= RATE_LIMIT:
        raise errors.Throttled(
            _("This table has sent many orders just now. Please ask a waiter."),
            code="table_order_rate_limited",
        )
    tier = price_tier_of(table)
    cleaned = _clean_lines(lines, store=table.store, tier=tier)
    if not cleaned:
        raise errors.InvalidInput(
            fields={"lines": [_("Choose at least one dish.")]}, code="empty_order"
        )
    total = sum((line["price"] * line["quantity"] for line in cleaned), ZERO)
    ticket = TableOrderTicket.objects.create(
        store=table.store, table=table, price_tier=tier, total=total, client_key=key
    )
    TableOrderLine.objects.bulk_create(
        [
            TableOrderLine(
                tenant_id=ticket.tenant_id,
                ticket=ticket,
                dish=line["dish"],
                dish_name=line["dish"].name,
                quantity=line["quantity"],
                unit_price=line["price"],
                note=line["note"],
            )
            for line in cleaned
        ]
    )
    audit_record(
        action=Action.CREATE,
        actor=None,
        actor_name="table-qr",
        obj=ticket,
        changes={"table": table.pk, "lines": len(cleaned), "total": str(total)},
    )
    _publish(ticket)
    return ticket, True


def _handle(*, acting_user, ticket, to: str, reason: str = "") -> TableOrderTicket:
    check_perm(acting_user, perms.HANDLE)
    pk = ticket.pk if isinstance(ticket, TableOrderTicket) else ticket
    who = {"confirmed_by": acting_user} if to == Status.CONFIRMED else {"rejected_by": acting_user}
    changed = TableOrderTicket.objects.filter(pk=pk, status=Status.NEW).update(
        status=to, handled_at=timezone.now(), reject_reason=reason, **who
    )
    if not changed:
        current = TableOrderTicket.objects.filter(pk=pk).first()
        if current is None:
            raise errors.NotFound()
        raise errors.Conflict(
            _("This order has already been %(status)s.") % {"status": current.get_status_display()},
            code="ticket_handled",
        )
    ticket = TableOrderTicket.objects.get(pk=pk)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=ticket,
        changes={"status": [Status.NEW, to], **({"reason": reason} if reason else {})},
    )
    _publish(ticket)
    return ticket


@transaction.atomic
def table_order_confirm(*, acting_user, ticket) -> TableOrderTicket:
    """Staff take a new table order (it goes to the kitchen); a handled one is refused."""
    return _handle(acting_user=acting_user, ticket=ticket, to=Status.CONFIRMED)


@transaction.atomic
def table_order_reject(*, acting_user, ticket, reason: str) -> TableOrderTicket:
    """Staff turn a new table order down, with the reason (e.g. sold out, sent twice)."""
    text = (reason or "").strip()
    if not text:
        raise errors.InvalidInput(fields={"reason": [_("Give a reason.")]})
    if len(text) > 200:
        raise errors.InvalidInput(fields={"reason": [_("At most 200 characters.")]})
    return _handle(acting_user=acting_user, ticket=ticket, to=Status.REJECTED, reason=text)
