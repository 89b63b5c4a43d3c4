"""The bus on both backends: delivery after commit only, never across tenants."""

from __future__ import annotations

import pytest
from django.db import transaction

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.live.bus import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenants():
    return Tenant.objects.create(name="甲", code="a"), Tenant.objects.create(name="乙", code="b")


def test_an_event_is_delivered_only_once_its_transaction_commits(backend, tenants, listen):
    listener = listen(tenants[0], ["store:1:floor"])
    with tenant_context(tenants[0]):
        with transaction.atomic():
            publish("store:1:floor", "table", {"table": 7, "status": "seated"})
            assert listener.nothing_for(0.3)
        assert listener.get() == ("store:1:floor", "table", {"table": 7, "status": "seated"})


def test_a_rolled_back_transaction_sends_nothing(backend, tenants, listen):
    listener = listen(tenants[0], ["store:1:floor"])
    with tenant_context(tenants[0]):
        with pytest.raises(RuntimeError), transaction.atomic():
            publish("store:1:floor", "table", {"table": 7})
            raise RuntimeError("rolled back")
        assert listener.nothing_for(0.3)
        publish("store:1:floor", "table", {"table": 8})  # outside a transaction: at once
    assert listener.get() == ("store:1:floor", "table", {"table": 8})


def test_a_brand_group_never_receives_another_groups_events(backend, tenants, listen):
    first, second = tenants
    ours, theirs = listen(first, ["store:1:desk"]), listen(second, ["store:1:desk"])
    with tenant_context(second):
        publish("store:1:desk", "call", {"phone": "13900000000"})
    assert theirs.get() == ("store:1:desk", "call", {"phone": "13900000000"})
    assert ours.nothing_for(0.3)


def test_a_listener_hears_only_its_channels(backend, tenants, listen):
    listener = listen(tenants[0], ["store:1:floor", "store:2:floor"])
    with tenant_context(tenants[0]):
        publish("store:3:floor", "table", {"n": 3})
        publish("store:2:floor", "table", {"n": 2})
    assert listener.get() == ("store:2:floor", "table", {"n": 2})
    assert listener.nothing_for(0.2)
