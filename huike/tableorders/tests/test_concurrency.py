"""Real threads, each on its own database connection, on SQLite and PostgreSQL alike: two staff
confirming one ticket at once (one wins, the other is told it is handled), and a double tap
sending the same cart twice at once (one ticket)."""

from __future__ import annotations

from collections import Counter

import pytest

from huike.core import errors
from huike.core.tenancy import tenant_context
from huike.core.testing import fire_concurrently
from huike.tableorders import services
from huike.tableorders.models import TableOrderTicket

from .conftest import make_floor, make_menu

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(live_org):
    table = make_floor(live_org["store"])["A1"]
    menu = make_menu(live_org["store"])
    code = services.table_code_get_or_create(acting_user=live_org["users"]["captain"], table=table)
    return live_org, code, menu


def _outcome(outcome) -> str:
    if outcome.error is None:
        return "ok"
    if isinstance(outcome.error, errors.DomainError):
        return outcome.error.code
    raise outcome.error


def test_two_staff_confirming_one_ticket_at_once_one_wins(setup):
    org, code, menu = setup
    ticket, _ = services.table_order_submit(
        code=code, client_key="race-key-0001", lines=[{"dish": menu["fish"].pk, "quantity": 1}]
    )
    staff = [org["users"]["captain"], org["users"]["waiter"]]

    def confirm(i):
        with tenant_context(org["tenant"]):
            return services.table_order_confirm(acting_user=staff[i], ticket=ticket.pk)

    outcomes = fire_concurrently(confirm, 2)
    assert Counter(_outcome(o) for o in outcomes) == {"ok": 1, "ticket_handled": 1}
    winner = next(o.value for o in outcomes if o.error is None)
    ticket.refresh_from_db()
    assert ticket.status == "confirmed" and ticket.confirmed_by_id == winner.confirmed_by_id


def test_a_double_tap_arriving_at_once_makes_one_ticket(setup):
    org, code, menu = setup
    lines = [{"dish": menu["fish"].pk, "quantity": 2}, {"dish": menu["tea"].pk, "quantity": 1}]

    def submit(i):
        with tenant_context(org["tenant"]):
            ticket, created = services.table_order_submit(
                code=code, client_key="double-tap-0001", lines=lines
            )
            return ticket.pk, created

    outcomes = fire_concurrently(submit, 4)
    results = [o.value for o in outcomes if o.error is None]
    assert [o.error for o in outcomes] == [None] * 4
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert TableOrderTicket.all_tenants.count() == 1
