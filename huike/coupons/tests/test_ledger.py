"""The coupon side of the nightly ledger check: each coupon's status agrees with its events;
a status changed behind the app's back is found, fails the job and alerts HQ."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from huike.coupons import services
from huike.coupons.ledger import coupon_mismatches
from huike.loyalty.jobs import ledger_check


def test_issued_redeemed_and_voided_coupons_agree_with_their_events(org, hq, guest, cash_template):
    used, voided, _kept = (
        services.coupon_issue(acting_user=hq, template=cash_template, guest=guest, send=False)
        for _n in range(3)
    )
    services.coupon_redeem(acting_user=hq, code=used.code, store=org["store"])
    services.coupon_void(acting_user=hq, coupon=voided, reason="客人放弃")
    assert coupon_mismatches() == []
    run = ledger_check()
    assert run.ok and run.detail["coupons"] == 3


def test_a_status_changed_behind_the_apps_back_is_found(
    client, org, hq, users, guest, cash_template
):
    coupon = services.coupon_issue(acting_user=hq, template=cash_template, guest=guest, send=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE coupons_coupon SET status = 'expired' WHERE id = %s", [coupon.pk])
    [found] = coupon_mismatches()
    assert (found["code"], found["status"], found["events"]["expired"]) == (
        coupon.code,
        "expired",
        0,
    )
    with pytest.raises(CommandError):
        call_command("check_ledger")
    assert not ledger_check().ok
    client.force_login(hq)
    assert coupon.code in client.get(reverse("home")).content.decode()
    client.force_login(users["cashier"])
    assert coupon.code not in client.get(reverse("home")).content.decode()
