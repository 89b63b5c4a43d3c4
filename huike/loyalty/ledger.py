"""The ledger's mechanics: locking a card, validating amounts, writing entries together with the
cached balances, and the check that every cached balance equals its ledger sum.

Every balance change goes through ``post_entries`` inside a transaction that holds the card's
row lock (``lock_card``): the entries and the new cached balances are written together, and a
balance that would go below zero raises ``InsufficientBalance`` before anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import CENT, ZERO, MoneyField

from .models import LedgerEntry, MembershipCard, PointsLot

MAX_AMOUNT = Decimal("9999999.99")  # one top-up or spend
MAX_POINTS = 1_000_000_000


class InsufficientBalance(errors.Conflict):
    code = "insufficient_balance"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("The card's balance is not enough for this."), **kw)


class CardNotUsable(errors.Conflict):
    code = "card_not_usable"


# --- Input ------------------------------------------------------------------------------------
def money_amount(value, *, field: str = "amount") -> Decimal:
    """A positive CNY amount with at most two decimal places; anything else is a field error
    (an over-precise amount is refused, never rounded)."""
    if isinstance(value, bool | float) or value is None or value == "":
        raise errors.InvalidInput(fields={field: [_("Enter an amount, e.g. 100.00.")]})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise errors.InvalidInput(fields={field: [_("Enter an amount, e.g. 100.00.")]}) from exc
    if not amount.is_finite():
        raise errors.InvalidInput(fields={field: [_("Enter an amount, e.g. 100.00.")]})
    if amount != amount.quantize(CENT):
        raise errors.InvalidInput(fields={field: [_("At most %(n)s decimal places.") % {"n": 2}]})
    if amount <= 0:
        raise errors.InvalidInput(fields={field: [_("Must be more than %(n)s.") % {"n": 0}]})
    if amount > MAX_AMOUNT:
        raise errors.InvalidInput(fields={field: [_("This amount is too large.")]})
    return amount.quantize(CENT)


def points_amount(value, *, field: str = "points", signed: bool = False) -> int:
    """A whole number of points, more than zero (or, ``signed``, not zero)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise errors.InvalidInput(fields={field: [_("Enter a whole number.")]})
    if value == 0 or (value < 0 and not signed):
        message = _("Must not be zero.") if signed else _("Must be more than %(n)s.") % {"n": 0}
        raise errors.InvalidInput(fields={field: [message]})
    if abs(value) > MAX_POINTS:
        raise errors.InvalidInput(fields={field: [_("This amount is too large.")]})
    return value


def reason_text(value, *, required: bool, field: str = "reason") -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise errors.InvalidInput(fields={field: [_("Give a reason.")]})
    if len(text) > 200:
        raise errors.InvalidInput(fields={field: [_("At most %(n)s characters.") % {"n": 200}]})
    return text


# --- Locking and posting ----------------------------------------------------------------------
def lock_card(card: MembershipCard | int) -> MembershipCard:
    """The card's row, locked until the end of the transaction (on SQLite the transaction holds
    the write lock from its start: decision 0003). Call inside ``transaction.atomic``."""
    pk = card.pk if isinstance(card, MembershipCard) else card
    return MembershipCard.objects.select_for_update().select_related("store").get(pk=pk)


@dataclass
class Move:
    """One entry to write: a kind and its signed value (int points or Decimal CNY)."""

    kind: str
    value: int | Decimal


_BALANCE_FIELD = {
    LedgerEntry.Kind.POINTS: "points_balance",
    LedgerEntry.Kind.PRINCIPAL: "principal_balance",
    LedgerEntry.Kind.BONUS: "bonus_balance",
}


def post_entries(
    card: MembershipCard,
    moves: list[Move],
    *,
    cause: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    order=None,
    related_card: MembershipCard | None = None,
    store=None,
    operation: uuid.UUID | None = None,
) -> list[LedgerEntry]:
    """Write ``moves`` on the locked ``card`` and its cached balances; refuse (writing nothing)
    when any balance would go below zero. Zero moves are skipped."""
    moves = [m for m in moves if m.value]
    new = {field: getattr(card, field) for field in _BALANCE_FIELD.values()}
    for move in moves:
        new[_BALANCE_FIELD[move.kind]] += move.value
    if any(v < 0 for v in new.values()):
        raise InsufficientBalance()
    operation = operation or uuid.uuid4()
    entries = [
        LedgerEntry(
            tenant_id=card.tenant_id,
            card=card,
            kind=move.kind,
            points=move.value if move.kind == LedgerEntry.Kind.POINTS else 0,
            amount=move.value if move.kind != LedgerEntry.Kind.POINTS else ZERO,
            cause=cause,
            reference=reference[:64],
            order=order,
            related_card=related_card,
            store=store,
            operation=operation,
            actor=actor if actor is not None and actor.pk else None,
            reason=reason[:200],
        )
        for move in moves
    ]
    for entry in entries:
        entry.save()
    deltas = {f: v - getattr(card, f) for f, v in new.items() if v != getattr(card, f)}
    if deltas:
        # Increments, not the computed values: even a caller that forgot the lock could not
        # lose an update, and the CHECK constraints would refuse a balance below zero. Money is
        # rounded to the cent in the statement: SQLite adds decimals as floating point
        # (0.01 + 0.01 + 4.01 - 4.03 is not 0 there), PostgreSQL's numeric is exact anyway.
        MembershipCard.objects.filter(pk=card.pk).update(
            **{
                f: F(f) + delta if f == "points_balance" else Round(F(f) + delta, 2)
                for f, delta in deltas.items()
            }
        )
        for field in deltas:
            setattr(card, field, new[field])
    return entries


# --- Points lots ------------------------------------------------------------------------------
def take_from_lots(card: MembershipCard, points: int, *, today=None) -> None:
    """Use ``points`` of the card's open lots, closest to expiry first (the card is locked and
    holds at least that many)."""
    left = points
    lots = PointsLot.objects.select_for_update().filter(card=card, remaining__gt=0)
    for lot in lots.order_by("expires_on", "pk"):
        if left == 0:
            break
        used = min(lot.remaining, left)
        lot.remaining -= used
        left -= used
        PointsLot.objects.filter(pk=lot.pk).update(remaining=lot.remaining)
    if left:
        raise InsufficientBalance()


# --- The check --------------------------------------------------------------------------------
def _sum(kind: str, column: str, output):
    entries = (
        LedgerEntry.all_tenants.filter(card=OuterRef("pk"), kind=kind)
        .order_by()
        .values("card")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=output), Value(0), output_field=output)


def ledger_mismatches(cards=None, *, limit: int = 1000) -> list[dict]:
    """Cards (of every tenant, unless ``cards`` narrows them) whose cached balances differ from
    their ledger sums, or whose open points lots do not add up to the points balance. Done by
    the database: one query over the cards with their sums."""
    from django.db.models import BigIntegerField

    money = MoneyField()
    lots = (
        PointsLot.all_tenants.filter(card=OuterRef("pk"))
        .order_by()
        .values("card")
        .annotate(total=Sum("remaining"))
        .values("total")
    )
    queryset = (MembershipCard.all_tenants.all() if cards is None else cards).annotate(
        ledger_points=_sum(LedgerEntry.Kind.POINTS, "points", BigIntegerField()),
        # rounded to the cent on both sides: SQLite sums decimals as floating point
        ledger_principal=Round(_sum(LedgerEntry.Kind.PRINCIPAL, "amount", money), 2),
        ledger_bonus=Round(_sum(LedgerEntry.Kind.BONUS, "amount", money), 2),
        cached_principal=Round(F("principal_balance"), 2),
        cached_bonus=Round(F("bonus_balance"), 2),
        lot_points=Coalesce(
            Subquery(lots, output_field=BigIntegerField()),
            Value(0),
            output_field=BigIntegerField(),
        ),
    )
    differing = queryset.filter(
        ~Q(points_balance=F("ledger_points"))
        | ~Q(cached_principal=F("ledger_principal"))
        | ~Q(cached_bonus=F("ledger_bonus"))
        | ~Q(points_balance=F("lot_points"))
    ).order_by("pk")[:limit]
    return [
        {
            "tenant": card.tenant_id,
            "card": card.pk,
            "number": card.number,
            "cached": {
                "points": card.points_balance,
                "principal": str(card.principal_balance),
                "bonus": str(card.bonus_balance),
            },
            "ledger": {
                "points": card.ledger_points,
                "principal": str(Decimal(card.ledger_principal).quantize(CENT)),
                "bonus": str(Decimal(card.ledger_bonus).quantize(CENT)),
            },
            "lots": card.lot_points,
        }
        for card in differing
    ]


def ledger_balances(card: MembershipCard) -> dict:
    """The card's balances summed from its ledger (for tests and the check)."""
    sums = {
        row["kind"]: row
        for row in LedgerEntry.all_tenants.filter(card=card)
        .values("kind")
        .annotate(points=Sum("points"), amount=Sum("amount"))
    }
    return {
        "points": (sums.get("points") or {}).get("points") or 0,
        "principal": ((sums.get("principal") or {}).get("amount") or ZERO).quantize(CENT),
        "bonus": ((sums.get("bonus") or {}).get("amount") or ZERO).quantize(CENT),
    }
