"""Console pages of the loyalty app: the card list (search by number or phone, issue a card),
a membership card with its balances, history and ledger, and the cashier's top-up form on it
(HTMX: the form alone is swapped on error)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.idempotency import run_once
from huike.core.money import format_cny
from huike.core.permissions import check_perm, has_perm, restrict, visible_fields
from huike.guests.selectors import guest_brief
from huike.org.models import Store

from . import permissions as perms
from . import selectors, services
from .forms import CardIssueForm, CardSearchForm, TopUpForm
from .models import Tier

LEDGER_PAGE = 50
CARD_PAGE = 25


@login_required
@require_http_methods(["GET", "POST"])
def card_list(request):
    """Find a card by its number or the guest's phone; issue one (开卡)."""
    search = CardSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    cards = selectors.card_search(user=request.user, query=query)
    may_issue = has_perm(request.user, perms.ISSUE_CARDS)
    issue = CardIssueForm(
        request.POST if request.method == "POST" else None,
        prefix="issue",
        stores=restrict(Store.objects.filter(active=True), request.user),
        tiers=Tier.objects.order_by("rank"),
    )
    if request.method == "POST":
        check_perm(request.user, perms.ISSUE_CARDS)
        ok, card = run_service(
            issue,
            lambda data: services.card_issue_by_phone(
                acting_user=request.user,
                guest_phone=data["guest_phone"],
                store=data["store"],
                number=data["number"],
                tier=data["tier"],
            ),
        )
        if ok:
            messages.success(request, _("Card %(number)s issued.") % {"number": card.number})
            return redirect_after_save(request, reverse("loyalty_card", args=[card.pk]))
    page = Paginator(cards, CARD_PAGE).get_page(request.GET.get("page"))
    visible = visible_fields(request.user, "guest")
    return render_page(
        request,
        "loyalty/card_list.html",
        "loyalty/partials/card_issue_form.html",
        {
            "search": search,
            "query": query,
            "querystring": urlencode({"q": query}) if query else "",
            "page": page,
            "rows": [
                {
                    "card": card,
                    "guest": guest_brief(user=request.user, guest=card.guest, visible=visible),
                }
                for card in page
            ],
            "issue": issue,
            "may_issue": may_issue,
        },
    )


def _top_up(request, card, data: dict) -> dict:
    """The top-up once per form token (a second submit replays the first)."""

    def perform():
        entries = services.stored_value_top_up(
            acting_user=request.user,
            card=card,
            amount=data["amount"].strip(),
            reference=data["reference"].strip(),
        )
        return 201, {
            "paid": str(sum(e.amount for e in entries if e.kind == "principal")),
            "bonus": str(sum(e.amount for e in entries if e.kind == "bonus")),
        }

    body = json.dumps({"amount": data["amount"].strip(), "reference": data["reference"].strip()})
    _status, payload, _replayed = run_once(
        scope=f"loyalty.console_top_up:{card.pk}:user:{request.user.pk}",
        key=data["token"],
        body=body.encode(),
        perform=perform,
    )
    return payload


@login_required
@require_http_methods(["GET", "POST"])
def card_detail(request, pk: int):
    card = selectors.card_get_for_user(user=request.user, card_id=pk)
    may_top_up = has_perm(request.user, perms.STORED_VALUE)
    form = TopUpForm(request.POST if request.method == "POST" and may_top_up else None)
    if request.method == "POST":
        check_perm(request.user, perms.STORED_VALUE)  # a 403 page for anyone else
        ok, done = run_service(form, lambda data: _top_up(request, card, data))
        if ok:
            messages.success(
                request,
                _("Topped up %(paid)s, bonus %(bonus)s.")
                % {"paid": format_cny(done["paid"]), "bonus": format_cny(done["bonus"])},
            )
            return redirect_after_save(request, reverse("loyalty_card", args=[card.pk]))
    page = Paginator(selectors.card_ledger(card).select_related("actor", "store"), LEDGER_PAGE)
    return render_page(
        request,
        "loyalty/card_detail.html",
        "loyalty/partials/top_up_form.html",
        {
            "card": card,
            "form": form,
            "may_top_up": may_top_up,
            "events": card.events.select_related("actor", "related_card"),
            "ledger": page.get_page(request.GET.get("page")),
        },
    )
