"""The card page in the console: balances, ledger and history, the cashier's top-up form (a
double submit tops up once), and the loyalty section of the 360."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.loyalty import services
from huike.loyalty.models import LedgerEntry

from .conftest import balances


def url(card) -> str:
    return f"/loyalty/cards/{card.pk}/"


def test_the_card_page_shows_balances_ledger_and_history(client, org, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="88.50", reference="R-1")
    services.points_accrue(acting_user=hq, card=card, points=12)
    client.force_login(org["users"]["desk"])
    page = client.get(url(card))
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥88.50" in html and 'data-testid="balance-points">12<' in html
    assert html.count('data-testid="ledger-entry"') == 2 and "R-1" in html
    assert 'data-testid="card-event"' in html
    assert 'data-testid="top-up-form"' not in html  # the desk may not take money


def test_a_cashier_tops_up_and_a_double_submit_pays_once(client, org, users, card):
    client.force_login(users["cashier"])
    form = {"token": "TU-same", "amount": "200", "reference": "R-9"}
    first = client.post(url(card), form, headers={"HX-Request": "true"})
    assert first.status_code == 204 and first["HX-Redirect"] == url(card)
    again = client.post(url(card), form)
    assert again.status_code == 302
    assert balances(card)["principal"] == Decimal("200.00")
    assert LedgerEntry.objects.filter(cause="top_up").count() == 1


@pytest.mark.parametrize("amount", ["0", "-3", "1.005", "abc"])
def test_a_bad_amount_is_shown_beside_the_field(client, org, users, card, amount):
    client.force_login(users["cashier"])
    response = client.post(
        url(card), {"token": f"TU-{amount}", "amount": amount}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-testid="error-amount"' in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_a_frozen_card_refuses_the_top_up_on_the_form(client, org, users, card):
    services.card_freeze(acting_user=users["hq"], card=card)
    client.force_login(users["cashier"])
    response = client.post(url(card), {"token": "TU-f", "amount": "10"})
    assert response.status_code == 200
    assert "此卡已冻结" in response.content.decode() or "frozen" in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_who_may_not_see_or_top_up(client, org, users, card, other_org):
    client.force_login(users["waiter"])
    assert client.get(url(card)).status_code == 403
    client.force_login(users["desk"])
    assert client.post(url(card), {"token": "TU-d", "amount": "10"}).status_code == 403
    client.force_login(other_org["users"]["hq"])
    assert client.get(url(card)).status_code == 404
    assert LedgerEntry.objects.count() == 0


def test_the_360_has_a_loyalty_section_for_a_guest_with_cards(client, org, hq, guest, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="66")
    client.force_login(hq)
    html = client.get(f"/guests/{guest.pk}/360/").content.decode()
    assert 'data-testid="section-loyalty"' in html and "C0001" in html and "¥66.00" in html
    client.force_login(org["users"]["waiter"])  # no loyalty.view, no spend field
    html = client.get(f"/guests/{guest.pk}/360/").content.decode()
    assert 'data-testid="section-loyalty"' not in html
