"""Console pages of the loyalty app: a membership card with its balances, history and ledger,
and the cashier's top-up form on it (HTMX: the form alone is swapped on error)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.idempotency import run_once
from huike.core.money import format_cny
from huike.core.permissions import check_perm, has_perm

from . import permissions as perms
from . import selectors, services
from .forms import TopUpForm

LEDGER_PAGE = 50


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
