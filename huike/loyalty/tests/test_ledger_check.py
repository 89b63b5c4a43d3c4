"""The nightly ledger check and ``manage.py check_ledger``: cached balances equal ledger sums,
and a card that differs is reported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from huike.core.jobs import last_run
from huike.loyalty import jobs, services, tasks
from huike.loyalty.models import MembershipCard


def test_check_passes_when_every_card_agrees(org, hq, card, capsys):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    services.points_accrue(acting_user=hq, card=card, points=7)
    call_command("check_ledger")
    run = last_run(jobs.LEDGER_CHECK)
    assert run.ok and run.detail["differing"] == [] and run.detail["cards"] == 1
    assert "1" in capsys.readouterr().out


def test_check_reports_a_card_whose_cache_differs(org, hq, card, capsys):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    MembershipCard.objects.filter(pk=card.pk).update(principal_balance=Decimal("150"))
    with pytest.raises(CommandError):
        call_command("check_ledger")
    run = last_run(jobs.LEDGER_CHECK)
    assert not run.ok
    (bad,) = run.detail["differing"]
    assert bad["number"] == "C0001"
    assert bad["cached"]["principal"] == "150.00" and bad["ledger"]["principal"] == "100.00"
    assert "C0001" in capsys.readouterr().out


def test_check_reports_points_lots_that_do_not_add_up(org, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=10)
    card.points_lots.update(remaining=3)
    tasks.nightly_ledger_check.call_local()
    run = last_run(jobs.LEDGER_CHECK)
    assert not run.ok and run.detail["differing"][0]["lots"] == 3


def test_points_expiry_job_runs_for_every_tenant(org, hq, card):
    import datetime as dt

    services.points_accrue(acting_user=hq, card=card, points=10, expires_on=dt.date(2030, 1, 1))
    run = jobs.points_expiry(today=dt.date(2030, 6, 1))
    assert run.ok and run.detail == {"cards": 1, "points": 10, "cards_expired": 0}
    card.refresh_from_db()
    assert card.points_balance == 0


def test_cards_past_their_validity_are_marked_expired(org, hq, guest, card):
    import datetime as dt

    ending = services.card_issue(
        acting_user=hq,
        guest=guest,
        store=org["store"],
        valid_from=dt.date(2029, 1, 1),
        valid_until=dt.date(2030, 1, 1),
    )
    run = jobs.points_expiry(today=dt.date(2030, 1, 2))
    assert run.detail["cards_expired"] == 1
    ending.refresh_from_db()
    card.refresh_from_db()
    assert ending.status == "expired" and card.status == "active"
    assert list(ending.events.values_list("kind", flat=True)) == ["issued", "expired"]
    assert jobs.points_expiry(today=dt.date(2030, 1, 2)).detail["cards_expired"] == 0
