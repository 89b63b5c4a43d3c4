"""Reads of the loyalty app: fetch-and-authorize a card, its JSON form, its ledger."""

from __future__ import annotations

from django.db.models import Sum

from huike.core import errors
from huike.core.permissions import check_perm, get_for_user
from huike.guests.selectors import guest_by_phone

from . import permissions as perms
from .models import LedgerEntry, MembershipCard


def card_get_for_user(*, user, card_id) -> MembershipCard:
    """A card of the user's brand group; another group's, or none, is NotFound. Cards are
    shared across the group's stores (a member pays at any store), like guests."""
    check_perm(user, perms.VIEW)
    return get_for_user(MembershipCard.objects.select_related("tier", "store"), user, pk=card_id)


def card_list(*, user, guest: int | None = None, number: str | None = None):
    check_perm(user, perms.VIEW)
    cards = MembershipCard.objects.select_related("tier").order_by("-issued_at", "-pk")
    if guest is not None:
        cards = cards.filter(guest_id=guest)
    if number:
        cards = cards.filter(number=number.strip())
    return cards


def card_data(card: MembershipCard) -> dict:
    tier = card.tier
    return {
        "id": card.pk,
        "number": card.number,
        "guest": card.guest_id,
        "tier": {"id": tier.pk, "code": tier.code, "name": tier.name, "rank": tier.rank}
        if tier
        else None,
        "status": card.status,
        "valid_from": card.valid_from,
        "valid_until": card.valid_until,
        "store": card.store_id,
        "signed_up_by": card.signed_up_by_id,
        "issued_at": card.issued_at,
        "replaced_by": card.replaced_by_id,
        "balances": {
            "points": card.points_balance,
            "principal": card.principal_balance,
            "bonus": card.bonus_balance,
            "stored_value": card.principal_balance + card.bonus_balance,
        },
    }


def entry_data(entry: LedgerEntry) -> dict:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "points": entry.points,
        "amount": entry.amount,
        "cause": entry.cause,
        "reference": entry.reference,
        "order": entry.order_id,
        "related_card": entry.related_card_id,
        "operation": entry.operation,
        "store": entry.store_id,
        "actor": entry.actor_id,
        "reason": entry.reason,
        "created_at": entry.created_at,
    }


def card_ledger(card: MembershipCard):
    return LedgerEntry.objects.filter(card=card).order_by("-created_at", "-pk")


def card_search(*, user, query: str = ""):
    """Cards for the card list: by card number, or every card of the guest with that phone
    (any common way of writing it); without a query the latest issued."""
    cards = card_list(user=user).select_related("guest")
    query = (query or "").strip()
    if not query:
        return cards
    by_number = cards.filter(number=query)
    if by_number.exists():
        return by_number
    try:
        guest = guest_by_phone(query)
    except errors.InvalidInput:
        return cards.none()
    return cards.filter(guest=guest) if guest is not None else cards.none()


def points_earned(order) -> int:
    """The points an order credited (before any refund took them back)."""
    return (
        LedgerEntry.objects.filter(order=order, kind="points", cause="order").aggregate(
            s=Sum("points")
        )["s"]
        or 0
    )
