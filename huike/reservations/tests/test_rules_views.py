"""Console pages of the booking rules: the store's rules, the rule form (errors beside the
fields), delete, the slot picker partial of the booking form and the override box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huike.reservations import rules, services
from huike.reservations.models import Booking, BookingRule

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


def test_rules_page_lists_and_links(client, org, users, floor):
    rules.booking_rule_create(
        acting_user=users["hq"], store=org["store"], turn_times=[[4, 75]], max_parties_per_slot=3
    )
    client.force_login(users["manager"])
    page = client.get(reverse("booking_rules", args=[org["store"].pk])).content.decode()
    assert 'data-testid="booking-rule-row"' in page and "75" in page
    assert 'data-testid="booking-rule-create"' in page
    day = client.get(reverse("booking_day"), {"store": org["store"].pk}).content.decode()
    assert reverse("booking_rules", args=[org["store"].pk]) in day
    client.force_login(users["desk"])
    page = client.get(reverse("booking_rules", args=[org["store"].pk])).content.decode()
    assert 'data-testid="booking-rule-create"' not in page
    assert client.get(reverse("booking_rule_create", args=[org["store"].pk])).status_code == 403


def test_rule_form_creates_edits_and_deletes(client, org, users, floor):
    client.force_login(users["manager"])
    url = reverse("booking_rule_create", args=[org["store"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "slot_minutes": "60",
            "turn_times": "4：90，10:120",
            "max_parties_per_slot": "4",
            "min_lead_minutes": "30",
            "held_tables": [floor["牡丹厅"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = BookingRule.objects.get()
    assert (rule.slot_minutes, rule.turn_times, rule.max_parties_per_slot) == (
        60,
        [[4, 90], [10, 120]],
        4,
    )
    assert list(rule.held_tables.all()) == [floor["牡丹厅"]]
    edit = reverse("booking_rule_edit", args=[rule.pk])
    assert "4:90, 10:120" in client.get(edit).content.decode()
    response = client.post(edit, {"slot_minutes": "30", "turn_times": "", "held_covers": "0"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.slot_minutes, rule.turn_times, rule.max_parties_per_slot) == (30, [], None)
    assert client.post(reverse("booking_rule_delete", args=[rule.pk])).status_code == 302
    assert not BookingRule.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slot_minutes": "30", "turn_times": "four:90"}, "turn_times"),
        ({"slot_minutes": "30", "turn_times": "10:90, 4:60"}, "turn_times"),
        ({"slot_minutes": "30", "held_covers": "2"}, "held_covers"),
        ({"slot_minutes": "45"}, "slot_minutes"),
    ],
)
def test_rule_form_errors_beside_the_fields(client, org, users, floor, data, field):
    client.force_login(users["manager"])
    response = client.post(reverse("booking_rule_create", args=[org["store"].pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not BookingRule.objects.exists()


def test_slot_picker_shows_full_slots_and_clickable_free_ones(client, org, users, floor):
    rules.booking_rule_create(acting_user=users["hq"], store=org["store"], max_parties_per_slot=1)
    services.booking_create(
        acting_user=users["hq"],
        store=org["store"],
        starts_at=tomorrow_at(18),
        party_size=2,
        guest_phone="13800138000",
    )
    client.force_login(users["desk"])
    query = {"store": org["store"].pk, "date": tomorrow_at(18).date().isoformat()}
    page = client.get(
        reverse("booking_slots"), {**query, "party_size": 2}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-time="18:00" data-reason="pacing_full"' in page
    assert 'data-bookable="1" data-time="18:30"' in page
    empty = client.get(reverse("booking_slots"), {**query, "party_size": "x"}).content.decode()
    assert 'data-testid="slots-empty"' in empty


def test_override_box_only_for_staff_allowed_and_it_books_past_pacing(client, org, users, floor):
    rules.booking_rule_create(acting_user=users["hq"], store=org["store"], max_parties_per_slot=1)
    form = {
        "guest_phone": "13800138000",
        "store": org["store"].pk,
        "date": tomorrow_at(18).date().isoformat(),
        "time": "18:00",
        "party_size": "2",
        "book": "1",
    }
    client.force_login(users["desk"])
    assert 'name="override"' not in client.get(reverse("booking_new")).content.decode()
    assert client.post(reverse("booking_new"), form).status_code == 302
    full = client.post(reverse("booking_new"), {**form, "guest_phone": "13800138001"})
    assert full.status_code == 400
    assert full.context["form"].non_field_errors()  # the pacing_full conflict
    client.force_login(users["manager"])
    assert 'name="override"' in client.get(reverse("booking_new")).content.decode()
    forced = client.post(
        reverse("booking_new"), {**form, "guest_phone": "13800138001", "override": "on"}
    )
    assert forced.status_code == 302
    assert Booking.objects.count() == 2
