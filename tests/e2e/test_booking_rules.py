"""Booking rules in Chromium (decision 0024): a manager sets a pacing rule for the store, and an
agent opening the booking form sees the slot that is already full greyed out with its reason,
and fills the time by clicking a free slot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.reservations import services
from huike.reservations.models import BookingRule
from huike.reservations.tests.conftest import make_floor, tomorrow_at

from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_a_manager_sets_pacing_and_the_agent_sees_the_slot_full(live_org, new_page):
    store = live_org["store"]
    with tenant_context(live_org["tenant"]):
        make_floor(store)
        services.booking_create(
            acting_user=live_org["users"]["hq"],
            store=store,
            starts_at=tomorrow_at(18),
            party_size=2,
            guest_phone="13800138000",
        )

    manager = new_page()
    sign_in(manager, live_org["users"]["manager"].username)
    manager.goto(f"/reservations/?store={store.pk}")
    manager.get_by_test_id("link-booking-rules").click()
    expect(manager.get_by_test_id("booking-rule-empty")).to_be_visible()
    manager.get_by_test_id("booking-rule-create").click()
    manager.get_by_test_id("input-max_parties_per_slot").fill("1")
    manager.get_by_test_id("input-turn_times").fill("4:90, 10:120")
    manager.get_by_test_id("booking-rule-submit").click()
    expect(manager.get_by_test_id("rule-pacing")).to_contain_text("1")
    with tenant_context(live_org["tenant"]):
        assert BookingRule.objects.get().max_parties_per_slot == 1

    agent = new_page()
    sign_in(agent, live_org["users"]["desk"].username)
    agent.goto(f"/reservations/new/?store={store.pk}")
    agent.get_by_test_id("input-guest_phone").fill("13900001111")
    agent.get_by_test_id("input-date").fill(tomorrow_at(18).date().isoformat())
    agent.get_by_test_id("input-party_size").fill("2")
    agent.get_by_test_id("input-party_size").dispatch_event("change")
    full = agent.locator("[data-testid=slot][data-time='18:00']")
    expect(full).to_have_attribute("data-reason", "pacing_full")
    expect(full).to_have_attribute("data-bookable", "0")
    free = agent.locator("[data-testid=slot][data-time='18:30']")
    expect(free).to_have_attribute("data-bookable", "1")
    free.click()
    expect(agent.get_by_test_id("input-time")).to_have_value("18:30")
    agent.get_by_test_id("booking-submit").click()
    expect(agent.get_by_test_id("booking-form-heading")).to_have_count(0)
