"""The timeline page: one row per table by area, each active booking a bar placed by percent
from the store's first opening to its last closing hour (else 10:00–22:00), store and date
pickers, the live refresh, the link from the day view, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from huike.reservations import services
from huike.reservations.selectors_timeline import bookings_timeline, timeline_hours

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


def _book(org, user, table, hour, minute=0, size=2, phone="13800138000"):
    return services.booking_create(
        acting_user=user,
        store=org["store"],
        table=table,
        starts_at=tomorrow_at(hour, minute),
        party_size=size,
        guest_phone=phone,
    )


def _bar(html: str, booking) -> tuple[float, float]:
    found = re.search(
        r'style="left: ([\d.]+)%; width: ([\d.]+)%"\s+data-testid="timeline-bar" '
        rf'data-booking="{booking.pk}"',
        html,
    )
    assert found, html
    return float(found.group(1)), float(found.group(2))


def test_bars_are_placed_on_the_default_hours(client, org, users, floor):
    a = _book(org, users["desk"], floor["A1"], 16)  # 90 min: 16:00–17:30 of 10:00–22:00
    room = _book(org, users["desk"], floor["牡丹厅"], 18, size=10, phone="13900001111")
    cancelled = _book(org, users["desk"], floor["A2"], 12, phone="13900002222")
    services.booking_cancel(acting_user=users["desk"], booking=cancelled, reason="改期")
    client.force_login(users["captain"])
    page = client.get(
        reverse("booking_timeline"),
        {"store": org["store"].pk, "date": tomorrow_at(12).date().isoformat()},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert _bar(html, a) == (50.0, 12.5)
    assert _bar(html, room) == pytest.approx((66.667, 16.667))
    assert f'data-booking="{cancelled.pk}"' not in html  # only active bookings
    assert html.count('data-testid="timeline-row"') == 4
    assert html.count('data-testid="timeline-area"') == 2
    assert html.index("大堂") < html.index("包房区")
    ticks = re.findall(r'data-testid="timeline-tick">(\d\d:\d\d)<', html)
    assert ticks[0] == "10:00" and ticks[-1] == "22:00" and len(ticks) == 13
    assert f'href="{reverse("booking_detail", args=[a.pk])}"' in html
    assert 'data-status="pending"' in html
    assert f'data-live-channel="store:{org["store"].pk}:floor"' in html

    partial = client.get(
        reverse("booking_timeline"),
        {"store": org["store"].pk, "date": tomorrow_at(12).date().isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in partial.content.decode() and _bar(partial.content.decode(), a)


def test_hours_follow_the_opening_hours_and_bars_are_clipped(org, users, floor):
    store = org["store"]
    day = tomorrow_at(12).date()
    weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday()]
    store.opening_hours = {weekday: [["11:30", "14:00"], ["17:00", "01:30"]]}
    store.save()
    start, end = timeline_hours(store, day)
    assert (start.hour, start.minute) == (11, 0)
    assert end - start == dt.timedelta(hours=15)  # 11:00 to 02:00 the next morning
    store.opening_hours = {weekday: [["17:00", "21:00"]]}
    store.save()
    late = _book(org, users["desk"], floor["A1"], 20, 30)  # 20:30–22:00, shown to 21:00
    timeline = bookings_timeline(store, day)
    bars = [bar for area in timeline.areas for row in area.rows for bar in row.bars]
    assert [(b.booking, b.left, b.width, b.clipped) for b in bars] == [(late, 87.5, 12.5, True)]
    assert timeline.count == 1


def test_queries_do_not_grow_with_bookings(org, users, floor, django_assert_max_num_queries):
    for i, code in enumerate(["A1", "A2", "B1"]):
        _book(org, users["desk"], floor[code], 18, phone=f"1390000{i:04d}")
    with django_assert_max_num_queries(2):
        timeline = bookings_timeline(org["store"], tomorrow_at(12).date())
        names = [b.booking.guest.name for a in timeline.areas for r in a.rows for b in r.bars]
        codes = [r.table.area.name for a in timeline.areas for r in a.rows]
    assert len(names) == 3 and len(codes) == 4


def test_day_view_links_to_the_timeline_and_who_may_see_it(client, org, users, floor):
    client.force_login(users["desk"])
    day = client.get(reverse("booking_day"), {"store": org["store"].pk, "date": "2030-01-01"})
    assert (
        f'href="{reverse("booking_timeline")}?store={org["store"].pk}&amp;date=2030-01-01"'
        in day.content.decode()
    )
    assert (
        'data-testid="timeline-no-bookings"'
        in client.get(
            reverse("booking_timeline"), {"store": org["store"].pk, "date": "2030-01-01"}
        ).content.decode()
    )
    client.force_login(users["waiter"])
    assert client.get(reverse("booking_timeline")).status_code == 403
