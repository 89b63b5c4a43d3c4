"""A failed nightly ledger check alerts HQ on the home page — this brand group's cards only."""

from django.db import connection
from django.urls import reverse

from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.jobs import ledger_check


def _tamper(card):
    """A balance changed behind the app's back (what the check exists to catch)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE loyalty_membershipcard SET points_balance = 999 WHERE id = %s", [card.pk]
        )


def test_hq_sees_the_cards_that_differ_and_other_roles_do_not(client, org, hq, users, other_org):
    card = services.card_issue(
        acting_user=hq,
        guest=guest_create(acting_user=hq, name="王芳", primary_phone="13800138000"),
        store=org["store"],
        number="C0001",
    )
    with tenant_context(other_org["tenant"]):
        their_hq = other_org["users"]["hq"]
        theirs = services.card_issue(
            acting_user=their_hq,
            guest=guest_create(acting_user=their_hq, name="李四", primary_phone="13900139000"),
            store=other_org["store"],
            number="X9999",
        )
    _tamper(card)
    _tamper(theirs)
    assert not ledger_check().ok

    client.force_login(hq)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-alert-loyalty-ledger"' in page
    assert "C0001" in page and "X9999" not in page  # never another brand group's cards

    client.force_login(users["waiter"])
    assert "home-alert-loyalty-ledger" not in client.get(reverse("home")).content.decode()


def test_no_alert_when_the_ledger_agrees(client, org, hq):
    services.card_issue(
        acting_user=hq,
        guest=guest_create(acting_user=hq, name="王芳", primary_phone="13800138000"),
        store=org["store"],
        number="C0001",
    )
    assert ledger_check().ok
    client.force_login(hq)
    assert "home-alert-" not in client.get(reverse("home")).content.decode()
