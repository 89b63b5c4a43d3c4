"""Two workers at once (threads, each on its own database connection): the reminder job run
by several workers and one booking event handled by several jobs still send one notice each,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from huike.core.tenancy import tenant_context
from huike.core.testing import fire_concurrently
from huike.messaging.models import Message
from huike.notices import services
from huike.notices.models import BookingNotice
from huike.reservations import services as bookings
from huike.reservations.models import BookingEvent
from huike.reservations.tests.conftest import make_floor, tomorrow_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_reminder_jobs_and_event_handlers_send_once(live_org, no_sms):
    tenant, hq = live_org["tenant"], live_org["users"]["hq"]
    with tenant_context(tenant):
        table = make_floor(live_org["store"])["A1"]
        evening = tomorrow_at(18)
        booking = bookings.booking_create(
            acting_user=hq,
            store=live_org["store"],
            table=table,
            starts_at=evening,
            party_size=2,
            guest_phone="13800138000",
        )
        bookings.booking_cancel(acting_user=hq, booking=booking, reason="改期")
        cancelled = BookingEvent.objects.get(booking=booking, kind="cancelled").pk
        other = bookings.booking_create(
            acting_user=hq,
            store=live_org["store"],
            table=table,
            starts_at=evening,
            party_size=2,
            guest_phone="13900139000",
        )
        # Committed for real, the booking's events already sent their notices after commit;
        # take the cancellation back so the jobs below contend for it.
        key = f"booking:{booking.pk}:cancellation"
        assert BookingNotice.objects.filter(dedupe_key=key).delete()[0] == 1
        assert Message.objects.filter(dedupe_key=key).delete()[0] == 1
        assert BookingNotice.objects.filter(booking=other, kind="confirmation").count() == 1
    due = evening - dt.timedelta(minutes=60)

    def work(i: int):
        with tenant_context(tenant):
            if i % 2:
                return len(services.reminders_send(now=due))
            return services.notice_for_event(event_id=cancelled).pk

    outcomes = fire_concurrently(work, 6)
    assert [o.error for o in outcomes] == [None] * 6
    assert sum(o.value for o in outcomes if o.index % 2) == 1  # one job wrote the reminder
    assert len({o.value for o in outcomes if not o.index % 2}) == 1
    with tenant_context(tenant):
        assert BookingNotice.objects.filter(booking=other, kind="reminder").count() == 1
        assert BookingNotice.objects.filter(booking=booking, kind="cancellation").count() == 1
        assert Message.objects.filter(purpose="notices.reminder").count() == 1
        assert Message.objects.filter(purpose="notices.cancellation").count() == 1
