"""The grouped main menu: what each role sees, which entry is active, and that every entry
leads to a page."""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from huike.core.menu import MENU, menu_for

pytestmark = pytest.mark.django_db


def _keys(groups) -> dict[str, list[str]]:
    return {g.key: [e.testid for e in g.entries] for g in groups}


def test_hq_sees_every_group_and_the_admin_entries(users):
    shown = _keys(menu_for(users["hq"], "home"))
    assert list(shown) == ["guests", "reservations", "membership", "operations", "admin"]
    assert {"nav-stores", "nav-roles", "nav-audit"} <= set(shown["admin"])
    assert "nav-bookings" in shown["reservations"] and "nav-cards" in shown["membership"]


def test_a_waiter_sees_only_what_the_role_may_use(users):
    shown = _keys(menu_for(users["waiter"], "home"))
    assert "admin" not in shown and "membership" not in shown
    assert shown["reservations"] == ["nav-table-orders", "nav-tables"]


def test_the_entry_of_the_current_page_and_its_group_are_active(users):
    groups = {g.key: g for g in menu_for(users["hq"], "booking_detail")}
    active = [e.testid for g in groups.values() for e in g.entries if e.active]
    assert active == ["nav-bookings"]
    assert groups["reservations"].active and not groups["membership"].active


def test_a_group_with_one_entry_is_a_plain_link_and_larger_ones_drop_down(users):
    client = Client()
    client.force_login(users["waiter"])
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-group-reservations"' in page  # two entries: a dropdown
    assert 'data-testid="nav-group-operations"' not in page  # only the dishes: a link
    assert 'class="nav-link" href="/menu/dishes/" data-testid="nav-dishes"' in page
    client.force_login(users["hq"])
    page = client.get(reverse("booking_day")).content.decode()
    assert 'class="dropdown-item active" href="/reservations/" data-testid="nav-bookings"' in page


def test_every_entry_and_page_names_a_url_that_exists():
    names = {key for key in get_resolver().reverse_dict if isinstance(key, str)}
    for group in MENU:
        for entry in group.entries:
            assert reverse(entry.url_name).startswith("/"), entry
            assert set(entry.pages) <= names, (entry.key, set(entry.pages) - names)
