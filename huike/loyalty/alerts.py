"""The home-page alert of the loyalty app: the nightly ledger check found cards of this brand
group whose cached balances differ from their ledger (L8). Shown to whoever may adjust points."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from huike.core.home_alerts import HomeAlert, register_home_alert
from huike.core.jobs import last_run
from huike.core.permissions import has_perm

from . import permissions as perms
from .jobs import LEDGER_CHECK

SHOWN = 20  # card numbers listed; the check command lists them all


def ledger_alert(*, user, tenant) -> list[HomeAlert]:
    if not has_perm(user, perms.ADJUST):
        return []
    run = last_run(LEDGER_CHECK)
    if run is None or run.ok:
        return []
    cards = [c for c in run.detail.get("differing", []) if c.get("tenant") == tenant.pk]
    coupons = [c for c in run.detail.get("coupons_differing", []) if c.get("tenant") == tenant.pk]
    alerts = []
    if coupons:
        alerts.append(
            HomeAlert(
                "coupons-ledger",
                _("The nightly ledger check found coupons whose status differs from their events:"),
                [_("Coupon %(code)s: %(status)s") % c for c in coupons[:SHOWN]],
            )
        )
    if not cards:
        return alerts
    message = ngettext(
        "The nightly ledger check found %(n)s card whose balances differ from its ledger:",
        "The nightly ledger check found %(n)s cards whose balances differ from their ledger:",
        len(cards),
    ) % {"n": len(cards)}
    lines = [
        _("Card %(number)s: cached %(cached)s, ledger %(ledger)s")
        % {
            "number": c["number"],
            "cached": "/".join(str(v) for v in c["cached"].values()),
            "ledger": "/".join(str(v) for v in c["ledger"].values()),
        }
        for c in cards[:SHOWN]
    ]
    return [HomeAlert("loyalty-ledger", message, lines), *alerts]


register_home_alert(ledger_alert)
