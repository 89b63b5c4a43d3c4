"""The card page's actions in the console, each a small form page: freeze, unfreeze and report
lost (managers), replace (补卡, managers), HQ's points correction with a reason, and a refund of
stored-value principal (退储值). Money and points forms carry a token: a second submit replays
the first instead of moving value twice."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.idempotency import run_once
from huike.core.permissions import check_perm

from . import permissions as perms
from . import selectors, services
from .forms import CardReasonForm, CardReplaceForm, PointsAdjustForm, StoredValueRefundForm


@dataclass(frozen=True)
class CardAction:
    title: object
    permission: str
    form: type
    danger: bool = False


ACTIONS = {
    "freeze": CardAction(gettext_lazy("Freeze the card"), perms.MANAGE_CARDS, CardReasonForm),
    "unfreeze": CardAction(gettext_lazy("Unfreeze the card"), perms.MANAGE_CARDS, CardReasonForm),
    "lost": CardAction(
        gettext_lazy("Report the card lost"), perms.MANAGE_CARDS, CardReasonForm, danger=True
    ),
    "replace": CardAction(gettext_lazy("Replace the card"), perms.MANAGE_CARDS, CardReplaceForm),
    "adjust": CardAction(gettext_lazy("Adjust points"), perms.ADJUST, PointsAdjustForm),
    "refund": CardAction(
        gettext_lazy("Refund stored value"), perms.REFUND, StoredValueRefundForm, danger=True
    ),
}


def _once(request, card, action: str, data: dict, perform) -> dict:
    body = json.dumps({k: v for k, v in data.items() if k != "token"}, sort_keys=True)
    _status, payload, _replayed = run_once(
        scope=f"loyalty.console_{action}:{card.pk}:user:{request.user.pk}",
        key=data["token"],
        body=body.encode(),
        perform=lambda: (201, perform()),
    )
    return payload


def _perform(request, card, action: str, data: dict):
    """Run the action's service; returns (the card to show next, the success message)."""
    user, reason = request.user, data.get("reason", "")
    if action == "freeze":
        services.card_freeze(acting_user=user, card=card, reason=reason)
        return card.pk, _("The card is frozen.")
    if action == "unfreeze":
        services.card_unfreeze(acting_user=user, card=card, reason=reason)
        return card.pk, _("The card can be used again.")
    if action == "lost":
        services.card_report_lost(acting_user=user, card=card, reason=reason)
        return card.pk, _("The card is reported lost.")
    if action == "replace":
        new = services.card_replace(
            acting_user=user, card=card, number=data["number"], reason=reason
        )
        return new.pk, _("Card %(number)s replaces it, with every balance.") % {
            "number": new.number
        }
    if action == "adjust":
        done = _once(
            request,
            card,
            action,
            data,
            lambda: {
                "points": services.points_adjust(
                    acting_user=user, card=card, points=data["points"].strip(), reason=reason
                ).points
            },
        )
        return card.pk, _("Points adjusted by %(points)s.") % {"points": done["points"]}
    done = _once(
        request,
        card,
        action,
        data,
        lambda: {
            "amount": str(
                -sum(
                    e.amount
                    for e in services.stored_value_refund(
                        acting_user=user, card=card, amount=data["amount"].strip(), reason=reason
                    )
                    if e.kind == "principal"
                )
            )
        },
    )
    return card.pk, _("Refunded %(amount)s of principal.") % {"amount": done["amount"]}


@login_required
@require_http_methods(["GET", "POST"])
def card_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    card = selectors.card_get_for_user(user=request.user, card_id=pk)
    check_perm(request.user, spec.permission)
    form = spec.form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, done = run_service(form, lambda data: _perform(request, card, action, data))
        if ok:
            shown, message = done
            messages.success(request, message)
            return redirect_after_save(request, reverse("loyalty_card", args=[shown]))
    return render_page(
        request,
        "loyalty/card_action.html",
        "loyalty/card_action.html",
        {"card": card, "form": form, "spec": spec, "action": action},
    )
