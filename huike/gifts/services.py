"""Every write of points-for-gifts: one function per business action, one transaction each,
permission-checked and audited. Points move only through the loyalty services
(``points_spend`` / ``points_accrue``), which lock the card; the gift row is locked first, then
the card, so that two redemptions never deadlock."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm, restrict
from huike.core.services import save_changes, save_new
from huike.loyalty import services as loyalty
from huike.loyalty.ledger import points_amount, reason_text
from huike.loyalty.models import LedgerEntry, MembershipCard
from huike.org.models import Brand, Store

from . import permissions as perms
from .models import Gift, GiftRedemption

MAX_QTY = 1000
MAX_STOCK = 1_000_000
EDITABLE = {"name", "description", "points_cost", "active", "brand", "stores", "sort_order"}


class GiftOutOfStock(errors.Conflict):
    code = "gift_out_of_stock"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("This gift is out of stock."), **kw)


# --- Input ------------------------------------------------------------------------------------
def _whole(value, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number in [minimum, maximum]; anything else is a field error."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidInput(fields={field: [_("Enter a whole number.")]})
    if value < minimum:
        raise errors.InvalidInput(fields={field: [_("Must be at least %(n)s.") % {"n": minimum}]})
    if value > maximum:
        raise errors.InvalidInput(fields={field: [_("This amount is too large.")]})
    return value


def _brand(value):
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Brand) else value
    try:
        return Brand.objects.get(pk=pk)
    except (Brand.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"brand": [_("Not found.")]}) from exc


def _stores(values, brand) -> list[Store]:
    pks = [v.pk if isinstance(v, Store) else v for v in values or []]
    try:
        stores = list(Store.objects.filter(pk__in=pks))
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"stores": [_("Not found.")]}) from exc
    if len(stores) != len(set(pks)):
        raise errors.InvalidInput(fields={"stores": [_("Not found.")]})
    if brand is not None and any(s.brand_id != brand.pk for s in stores):
        raise errors.InvalidInput(fields={"stores": [_("This store belongs to another brand.")]})
    return stores


def _clean_gift_fields(data: dict, *, brand_default=None) -> tuple[dict, list | None]:
    """Validated model fields and the store list (None: unchanged)."""
    cleaned = {}
    if "name" in data:
        cleaned["name"] = str(data["name"] or "").strip()
    if "description" in data:
        cleaned["description"] = str(data["description"] or "").strip()
    if "points_cost" in data:
        cleaned["points_cost"] = points_amount(data["points_cost"], field="points_cost")
    if "sort_order" in data:
        cleaned["sort_order"] = _whole(
            data["sort_order"], field="sort_order", minimum=-32768, maximum=32767
        )
    if "active" in data:
        cleaned["active"] = bool(data["active"])
    if "brand" in data:
        cleaned["brand"] = _brand(data["brand"])
    brand = cleaned.get("brand", brand_default)
    stores = _stores(data["stores"], brand) if data.get("stores") is not None else None
    return cleaned, stores


# --- Catalogue --------------------------------------------------------------------------------
@transaction.atomic
def gift_create(
    *,
    acting_user,
    name: str,
    points_cost: int,
    stock: int = 0,
    description: str = "",
    active: bool = True,
    brand=None,
    stores=(),
    sort_order: int = 0,
) -> Gift:
    """Add a gift to the catalogue (新增礼品) with its opening stock (0 or more)."""
    check_perm(acting_user, perms.MANAGE)
    fields, store_list = _clean_gift_fields(
        {
            "name": name,
            "description": description,
            "points_cost": points_cost,
            "sort_order": sort_order,
            "active": active,
            "brand": brand,
            "stores": list(stores or []),
        }
    )
    stock = _whole(stock, field="stock", minimum=0, maximum=MAX_STOCK)
    gift = save_new(
        Gift(stock=stock, **fields),
        actor=acting_user,
        extra={"stores": sorted(s.pk for s in store_list or [])},
    )
    gift.stores.set(store_list or [])
    return gift


@transaction.atomic
def gift_update(*, acting_user, gift: Gift, **changes) -> Gift:
    """Change a gift's name, description, points, brand, stores, order or active flag. Stock
    changes only by ``gift_stock_adjust`` (with a reason)."""
    check_perm(acting_user, perms.MANAGE)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    fields, store_list = _clean_gift_fields(changes, brand_default=gift.brand)
    if store_list is None and "brand" in fields and fields["brand"] is not None:
        _stores(list(gift.stores.all()), fields["brand"])  # the kept stores must fit the brand
    save_changes(gift, actor=acting_user, changes=fields)
    if store_list is not None:
        before = sorted(gift.stores.values_list("pk", flat=True))
        after = sorted(s.pk for s in store_list)
        if before != after:
            gift.stores.set(store_list)
            audit_record(
                action=Action.UPDATE,
                actor=acting_user,
                obj=gift,
                changes={"stores": [before, after]},
            )
    return gift


def gift_deactivate(*, acting_user, gift: Gift) -> Gift:
    """Take a gift off the catalogue (下架); its history stays."""
    return gift_update(acting_user=acting_user, gift=gift, active=False)


@transaction.atomic
def gift_stock_adjust(*, acting_user, gift: Gift, change: int, reason: str) -> Gift:
    """Add stock (a delivery) or take it (breakage, a count) with a reason; never below 0."""
    check_perm(acting_user, perms.MANAGE)
    if isinstance(change, str) and change.strip().lstrip("+-").isdigit():
        change = int(change.strip())
    if isinstance(change, bool) or not isinstance(change, int):
        raise errors.InvalidInput(fields={"change": [_("Enter a whole number.")]})
    if change == 0:
        raise errors.InvalidInput(fields={"change": [_("Must not be zero.")]})
    reason = reason_text(reason, required=True)
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    after = gift.stock + change
    if after < 0:
        raise errors.InvalidInput(
            fields={"change": [_("Only %(n)s in stock.") % {"n": gift.stock}]}
        )
    if after > MAX_STOCK:
        raise errors.InvalidInput(fields={"change": [_("This amount is too large.")]})
    Gift.objects.filter(pk=gift.pk).update(stock=after)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=gift,
        changes={"stock": [gift.stock, after], "reason": reason},
    )
    gift.stock = after
    return gift


# --- Redemption -------------------------------------------------------------------------------
def _redeeming_store(acting_user, store) -> Store:
    """The store where the gift is handed over: one the user works for (their row scope)."""
    if store in (None, ""):
        raise errors.InvalidInput(fields={"store": [_("This field is required.")]})
    pk = store.pk if isinstance(store, Store) else store
    try:
        return restrict(Store.objects.filter(active=True), acting_user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"store": [_("Not found.")]}) from exc


@transaction.atomic
def gift_redeem(
    *, acting_user, card: MembershipCard, gift: Gift, qty: int = 1, store
) -> GiftRedemption:
    """Redeem points for a gift (积分换礼): the points (``qty`` × the gift's cost) and the stock
    go together or not at all. Out of stock → ``gift_out_of_stock``; too few points → the
    loyalty ``insufficient_balance``; a frozen, lost or expired card → the loyalty codes."""
    check_perm(acting_user, perms.REDEEM)
    qty = _whole(qty, field="qty", minimum=1, maximum=MAX_QTY)
    store = _redeeming_store(acting_user, store)
    gift = Gift.objects.select_for_update().get(pk=gift.pk)  # the gift first, then the card
    if not gift.active:
        raise errors.InvalidInput(fields={"gift": [_("This gift is no longer offered.")]})
    if not gift.offered_at(store):
        raise errors.InvalidInput(fields={"store": [_("This gift is not offered at this store.")]})
    if gift.stock < qty:
        raise GiftOutOfStock()
    reference = f"GIFT-{uuid.uuid4().hex[:16].upper()}"
    entry = loyalty.points_spend(
        acting_user=acting_user,
        card=card,
        points=gift.points_cost * qty,
        cause=LedgerEntry.Cause.GIFT,
        reference=reference,
        store=store,
        reason=f"{gift.name} × {qty}"[:200],
    )
    Gift.objects.filter(pk=gift.pk).update(stock=F("stock") - qty)
    redemption = GiftRedemption(
        tenant_id=gift.tenant_id,
        gift=gift,
        card_id=entry.card_id,
        guest_id=MembershipCard.objects.values_list("guest_id", flat=True).get(pk=entry.card_id),
        qty=qty,
        points=-entry.points,
        store=store,
        reference=reference,
        operation=entry.operation,
        redeemed_by=acting_user if acting_user is not None and acting_user.pk else None,
        redeemed_at=timezone.now(),
    )
    redemption.save()
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=redemption,
        changes={"gift": gift.pk, "card": entry.card_id, "qty": qty, "points": redemption.points},
    )
    return redemption


def _card_holding_points(card_id: int) -> MembershipCard:
    """The card the points go back to: the card itself, or the card that replaced it."""
    card = MembershipCard.objects.get(pk=card_id)
    seen = {card.pk}
    while card.replaced_by_id is not None and card.replaced_by_id not in seen:
        card = MembershipCard.objects.get(pk=card.replaced_by_id)
        seen.add(card.pk)
    return card


@transaction.atomic
def gift_cancel(*, acting_user, redemption: GiftRedemption, reason: str) -> GiftRedemption:
    """Cancel a redemption (撤销兑换) with a reason: the points go back to the card (or to the
    card that replaced it) as a reversal entry and the gift back to stock, once; a second
    cancel is ``already_cancelled``."""
    check_perm(acting_user, perms.CANCEL)
    reason = reason_text(reason, required=True)
    Gift.objects.select_for_update().get(pk=redemption.gift_id)  # the gift first, then the card
    redemption = GiftRedemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status == GiftRedemption.Status.CANCELLED:
        raise errors.Conflict(_("This redemption was already cancelled."), code="already_cancelled")
    entry = loyalty.points_accrue(
        acting_user=acting_user,
        card=_card_holding_points(redemption.card_id),
        points=redemption.points,
        cause=LedgerEntry.Cause.REVERSAL,
        reference=redemption.reference,
        store=redemption.store_id,
        reason=reason,
    )
    Gift.objects.filter(pk=redemption.gift_id).update(stock=F("stock") + redemption.qty)
    now = timezone.now()
    GiftRedemption.objects.filter(pk=redemption.pk).update(
        status=GiftRedemption.Status.CANCELLED,
        cancelled_by=acting_user,
        cancelled_at=now,
        cancel_reason=reason,
        refund_operation=entry.operation,
    )
    redemption.refresh_from_db()
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=redemption,
        changes={"status": ["redeemed", "cancelled"], "reason": reason, "card": entry.card_id},
    )
    return redemption
