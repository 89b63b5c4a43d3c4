"""The card page's actions in the console: a manager freezes, reports lost and replaces a card;
HQ adjusts points with a reason and refunds principal — a double submit moves value once; other
roles see neither the buttons nor the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.loyalty import services
from huike.loyalty.models import MembershipCard

from .conftest import balances, fresh

pytestmark = pytest.mark.django_db


def url(card, action: str) -> str:
    return f"/loyalty/cards/{card.pk}/{action}/"


def test_a_manager_freezes_unfreezes_reports_lost_and_replaces(client, users, card):
    client.force_login(users["manager"])
    page = client.get(f"/loyalty/cards/{card.pk}/").content.decode()
    assert 'data-testid="card-freeze"' in page and 'data-testid="card-adjust"' not in page
    assert client.post(url(card, "freeze"), {"reason": "客人要求"}).status_code == 302
    assert fresh(card).status == "frozen"
    assert client.post(url(card, "unfreeze"), {}).status_code == 302
    assert fresh(card).status == "active"
    assert client.post(url(card, "lost"), {"reason": "丢失"}).status_code == 302
    assert fresh(card).status == "lost"
    replaced = client.post(url(card, "replace"), {"number": "C0002", "reason": "补卡"})
    new = MembershipCard.objects.get(number="C0002")
    assert replaced.status_code == 302 and replaced["Location"] == f"/loyalty/cards/{new.pk}/"
    assert fresh(card).replaced_by_id == new.pk
    again = client.post(url(card, "freeze"), {})  # a lost card cannot be frozen
    assert again.status_code == 200 and 'data-testid="form-errors"' in again.content.decode()


def test_hq_adjusts_points_with_a_reason_once(client, hq, card):
    client.force_login(hq)
    no_reason = client.post(url(card, "adjust"), {"token": "PA-1", "points": "50", "reason": ""})
    assert 'data-testid="error-reason"' in no_reason.content.decode()
    form = {"token": "PA-2", "points": "50", "reason": "补录积分"}
    assert client.post(url(card, "adjust"), form).status_code == 302
    assert client.post(url(card, "adjust"), form).status_code == 302  # a double submit
    assert balances(card)["points"] == 50
    too_many = client.post(url(card, "adjust"), {"token": "PA-3", "points": "-80", "reason": "错"})
    assert 'data-testid="form-errors"' in too_many.content.decode()
    assert balances(card)["points"] == 50


def test_hq_refunds_principal_once_and_other_roles_may_not(client, hq, users, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="300")
    client.force_login(hq)
    form = {"token": "RF-1", "amount": "100", "reason": "客人退卡"}
    assert client.post(url(card, "refund"), form).status_code == 302
    assert client.post(url(card, "refund"), form).status_code == 302
    assert balances(card)["principal"] == Decimal("200.00")
    over = client.post(url(card, "refund"), {"token": "RF-2", "amount": "500", "reason": "x"})
    assert over.status_code == 200 and balances(card)["principal"] == Decimal("200.00")
    client.force_login(users["cashier"])
    assert client.get(url(card, "refund")).status_code == 403
    assert client.get(url(card, "adjust")).status_code == 403
    assert client.get(url(card, "nonsense")).status_code == 404
