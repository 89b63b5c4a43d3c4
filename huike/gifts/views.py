"""Console pages of points-for-gifts: the catalogue (list, create, edit with stock), the till's
redemption page (find the card, choose a gift, redeem once per form token) and the redemption
history with cancellation."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.idempotency import run_once
from huike.core.permissions import check_perm, has_perm, restrict, visible_fields
from huike.guests.selectors import guest_brief
from huike.loyalty.selectors import card_get_for_user, card_search
from huike.org.models import Brand, Store

from . import permissions as perms
from . import selectors, services
from .forms import CancelForm, CardFindForm, GiftForm, RedeemForm, StockForm

PAGE = 25


def _gift_form(request, **kwargs) -> GiftForm:
    return GiftForm(
        request.POST if request.method == "POST" else None,
        brands=Brand.objects.filter(active=True).order_by("name"),
        stores=Store.objects.filter(active=True).order_by("name"),
        **kwargs,
    )


@login_required
def gift_list(request):
    gifts = selectors.gift_list(user=request.user)
    return render_page(
        request,
        "gifts/gift_list.html",
        "gifts/gift_list.html",
        {
            "gifts": gifts,
            "may_manage": has_perm(request.user, perms.MANAGE),
            "may_redeem": has_perm(request.user, perms.REDEEM),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def gift_create(request):
    check_perm(request.user, perms.MANAGE)
    form = _gift_form(request)
    if request.method == "POST":
        ok, gift = run_service(
            form, lambda data: services.gift_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Gift “%(name)s” added.") % {"name": gift.name})
            return redirect_after_save(request, reverse("gift_list"))
    return render_page(
        request,
        "gifts/gift_form.html",
        "gifts/partials/gift_form.html",
        {"form": form, "gift": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def gift_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE)
    gift = selectors.gift_get_for_user(user=request.user, gift_id=pk)
    form = _gift_form(request, editing=True, initial=GiftForm.initial_for(gift))
    if request.method == "POST":
        ok, saved = run_service(
            form, lambda data: services.gift_update(acting_user=request.user, gift=gift, **data)
        )
        if ok:
            messages.success(request, _("Gift “%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("gift_list"))
        gift.refresh_from_db()
    return render_page(
        request,
        "gifts/gift_form.html",
        "gifts/partials/gift_form.html",
        {"form": form, "gift": gift, "stock_form": StockForm()},
    )


@login_required
@require_POST
def gift_stock(request, pk: int):
    check_perm(request.user, perms.MANAGE)
    gift = selectors.gift_get_for_user(user=request.user, gift_id=pk)
    form = StockForm(request.POST)
    ok, saved = run_service(
        form,
        lambda data: services.gift_stock_adjust(
            acting_user=request.user, gift=gift, change=data["change"], reason=data["reason"]
        ),
    )
    if ok:
        messages.success(
            request, _("Stock of “%(name)s” is now %(n)s.") % {"name": saved.name, "n": saved.stock}
        )
        return redirect_after_save(request, reverse("gift_edit", args=[gift.pk]))
    return render_page(
        request,
        "gifts/gift_form.html",
        "gifts/partials/stock_form.html",
        {
            "form": _gift_form(request, editing=True, initial=GiftForm.initial_for(gift)),
            "gift": gift,
            "stock_form": form,
        },
        status=200,
    )


def _redeem_once(request, card, data: dict) -> dict:
    """The redemption once per form token (a second submit replays the first)."""

    def perform():
        redemption = services.gift_redeem(
            acting_user=request.user,
            card=card,
            gift=data["gift"],
            qty=data["qty"].strip(),
            store=data["store"],
        )
        return 201, {
            "gift": redemption.gift.name,
            "qty": redemption.qty,
            "points": redemption.points,
        }

    body = json.dumps(
        {"gift": data["gift"].pk, "qty": data["qty"].strip(), "store": data["store"].pk}
    )
    _status, payload, _replayed = run_once(
        scope=f"gifts.console_redeem:{card.pk}:user:{request.user.pk}",
        key=data["token"],
        body=body.encode(),
        perform=perform,
    )
    return payload


@login_required
def redeem_find(request):
    """积分换礼 at the till, step one: find the card by its number or the guest's phone."""
    check_perm(request.user, perms.REDEEM)
    search = CardFindForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    cards = card_search(user=request.user, query=query)[:PAGE] if query else []
    visible = visible_fields(request.user, "guest")
    return render_page(
        request,
        "gifts/redeem.html",
        "gifts/redeem.html",
        {
            "search": search,
            "query": query,
            "rows": [
                {"card": c, "guest": guest_brief(user=request.user, guest=c.guest, visible=visible)}
                for c in cards
            ],
            "card": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def redeem_card(request, card_pk: int):
    """Step two: choose a gift and how many, and redeem (once, however often it is sent)."""
    check_perm(request.user, perms.REDEEM)
    card = card_get_for_user(user=request.user, card_id=card_pk)
    form = RedeemForm(
        request.POST if request.method == "POST" else None,
        gifts=selectors.gift_list(user=request.user, active=True),
        stores=restrict(Store.objects.filter(active=True), request.user).order_by("name"),
    )
    if request.method == "POST":
        ok, done = run_service(form, lambda data: _redeem_once(request, card, data))
        if ok:
            messages.success(
                request,
                _("Redeemed %(qty)s × %(gift)s for %(points)s points.") % done,
            )
            return redirect_after_save(request, reverse("gift_redeem_card", args=[card.pk]))
    card.refresh_from_db()
    return render_page(
        request,
        "gifts/redeem.html",
        "gifts/partials/redeem_form.html",
        {
            "search": CardFindForm(),
            "card": card,
            "guest": guest_brief(user=request.user, guest=card.guest),
            "form": form,
            "recent": selectors.redemption_list(user=request.user, card=card.pk)[:10],
        },
    )


@login_required
def redemption_list(request):
    """The history, for a card or a gift (``?card=``, ``?gift=``) or all the user may see."""
    card = request.GET.get("card") or None
    gift = request.GET.get("gift") or None
    rows = selectors.redemption_list(
        user=request.user,
        card=int(card) if card and card.isdigit() else None,
        gift=int(gift) if gift and gift.isdigit() else None,
    )
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in (("card", card), ("gift", gift)) if v}
    return render_page(
        request,
        "gifts/redemption_list.html",
        "gifts/redemption_list.html",
        {
            "page": page,
            "querystring": urlencode(filters),
            "may_cancel": has_perm(request.user, perms.CANCEL),
            "cancel_form": CancelForm(),
        },
    )


@login_required
@require_POST
def redemption_cancel(request, pk: int):
    check_perm(request.user, perms.CANCEL)
    redemption = selectors.redemption_get_for_user(user=request.user, redemption_id=pk)
    form = CancelForm(request.POST)
    ok, _done = run_service(
        form,
        lambda data: services.gift_cancel(
            acting_user=request.user, redemption=redemption, reason=data["reason"]
        ),
    )
    if ok:
        messages.success(
            request, _("Redemption %(ref)s cancelled.") % {"ref": redemption.reference}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    back = reverse("gift_redemption_list") + f"?card={redemption.card_id}"
    return redirect_after_save(request, back)
