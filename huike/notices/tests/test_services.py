"""Booking notices: sent once per event, reminders once per slot, moved and cancelled
bookings, the guest's channel, and the policy's checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from huike.core import errors
from huike.guests.services import guest_create
from huike.messaging import services as outbox
from huike.messaging import tasks as outbox_tasks
from huike.messaging.models import Message
from huike.notices import services
from huike.notices.models import BookingNotice, NoticePolicy
from huike.notices.tasks import reminders_send_all
from huike.notices.texts import template_problems
from huike.reservations import services as bookings
from huike.reservations.models import BookingEvent

POLICY = {
    "confirmation_on": True,
    "change_on": True,
    "cancellation_on": True,
    "reminder_on": True,
    "reminder_minutes": 120,
    "reminder_day_before_at": None,
    "confirmation_text": "{guest}您好，{store}{date} {time}，{party}位，{table}，{reference}",
    "change_text": "{guest}您的预订改为{date} {time}，{table}",
    "cancellation_text": "{guest}您的预订{reference}已取消",
    "reminder_text": "提醒：{guest} {date} {time} {store} {table}",
}


def book(org, hq, floor, guest, starts_at, table="A1"):
    return bookings.booking_create(
        acting_user=hq,
        store=org["store"],
        guest=guest,
        starts_at=starts_at,
        party_size=2,
        table=floor[table],
    )


def event_of(booking, kind):
    return BookingEvent.objects.get(booking=booking, kind=kind)


def test_the_confirmation_is_sent_once_when_the_event_is_handled_twice(
    org, hq, floor, guest, evening
):
    booking = book(org, hq, floor, guest, evening)
    event = event_of(booking, "created")
    first = services.notice_for_event(event_id=event.pk)
    again = services.notice_for_event(event_id=event.pk)
    assert first.pk == again.pk
    assert BookingNotice.objects.filter(booking=booking).count() == 1
    [message] = Message.objects.filter(reference=f"reservations.booking:{booking.pk}")
    assert first.message_id == message.pk and first.kind == "confirmation"
    assert message.channel == "sms" and message.recipient == "+8613800138000"
    assert message.purpose == "notices.confirmation"
    assert "王芳您好" in message.body and "A1" in message.body and "18:00" in message.body
    assert message.params[0] == "王芳" and message.params[5] == "A1"
    # Confirming the booking later is the same notice: nothing more goes out.
    bookings.booking_confirm(acting_user=hq, booking=booking)
    assert services.notice_for_event(event_id=event_of(booking, "confirmed").pk).pk == first.pk
    assert Message.objects.count() == 1


def test_the_signal_queues_the_notice_after_commit_and_twice_sends_once(
    org, hq, floor, guest, evening, django_capture_on_commit_callbacks
):
    from huike.notices.triggers import booking_event_saved

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = book(org, hq, floor, guest, evening)
    assert callbacks, "the notice waits for the commit"
    notice = BookingNotice.objects.get(booking=booking)
    event = event_of(booking, "created")
    with django_capture_on_commit_callbacks(execute=True):
        booking_event_saved(BookingEvent, event, created=True)
    assert list(BookingNotice.objects.filter(booking=booking)) == [notice]
    assert Message.objects.filter(dedupe_key=f"booking:{booking.pk}:confirmation").count() == 1


def test_a_rolled_back_booking_tells_nobody(org, hq, floor, guest, evening):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        book(org, hq, floor, guest, evening)
        raise RuntimeError("rolled back")
    assert BookingNotice.objects.count() == 0 and Message.objects.count() == 0


def test_a_worker_restart_mid_send_sends_once(org, hq, floor, guest, evening, sms, settings):
    booking = book(org, hq, floor, guest, evening)
    notice = services.notice_for_event(event_id=event_of(booking, "created").pk)
    message = notice.message
    # The worker claimed the row and the gateway took the message, then the worker died.
    from huike.messaging.providers import provider_for

    provider_for("sms").send(message)
    long_ago = timezone.now() - dt.timedelta(minutes=settings.HUIKE_MESSAGE_STUCK_MINUTES + 1)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=long_ago, attempts=1
    )
    assert outbox.messages_sweep() == [message.pk]  # the restarted worker hands it out again
    outbox_tasks.message_send(org["tenant"].pk, message.pk)  # and a duplicate job
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    [sent] = sms.sent_to("+8613800138000")
    assert sent.template_id == "200001" and sent.params[0] == "王芳"
    assert len(sms.messages) == 1


def test_the_reminder_job_is_idempotent(org, hq, floor, guest, evening):
    booking = book(org, hq, floor, guest, evening)
    early = evening - dt.timedelta(minutes=121)
    assert services.reminders_send(now=early) == []
    due = evening - dt.timedelta(minutes=119)
    [notice] = services.reminders_send(now=due)
    assert notice.kind == "reminder" and notice.booking_id == booking.pk
    assert (
        notice.dedupe_key
        == f"booking:{booking.pk}:reminder:{evening.astimezone(dt.UTC).isoformat()}"
    )
    assert services.reminders_send(now=due) == []
    assert services.reminders_send(now=due + dt.timedelta(minutes=5)) == []
    assert BookingNotice.objects.filter(kind="reminder").count() == 1
    assert Message.objects.filter(purpose="notices.reminder").count() == 1


def test_the_reminder_command_runs_the_job(org, hq, floor, guest, monkeypatch):
    soon = timezone.now() + dt.timedelta(minutes=90)
    booking = book(org, hq, floor, guest, soon.replace(second=0, microsecond=0))
    # Made three hours ago, so its reminder (two hours before) was not inside the booking.
    type(booking).objects.filter(pk=booking.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )
    call_command("notices_reminders")
    call_command("notices_reminders")
    assert BookingNotice.objects.filter(booking=booking, kind="reminder").count() == 1
    assert reminders_send_all() == 0


def test_a_moved_booking_gets_a_change_notice_and_a_new_reminder(org, hq, floor, guest, evening):
    booking = book(org, hq, floor, guest, evening)
    services.reminders_send(now=evening - dt.timedelta(minutes=100))
    later = evening + dt.timedelta(hours=1)
    bookings.booking_move(acting_user=hq, booking=booking, starts_at=later, table=floor["A2"])
    change = services.notice_for_event(event_id=event_of(booking, "moved").pk)
    assert (
        change.kind == "change" and "A2" in change.message.body and "19:00" in change.message.body
    )
    assert services.notice_for_event(event_id=event_of(booking, "moved").pk).pk == change.pk
    [reminder] = services.reminders_send(now=later - dt.timedelta(minutes=100))
    assert reminder.dedupe_key.endswith(later.astimezone(dt.UTC).isoformat())
    assert "19:00" in reminder.message.body
    assert BookingNotice.objects.filter(booking=booking, kind="reminder").count() == 2


def test_a_cancelled_booking_gets_a_cancellation_and_no_reminder(org, hq, floor, guest, evening):
    booking = book(org, hq, floor, guest, evening)
    bookings.booking_cancel(acting_user=hq, booking=booking, reason="客人有事")
    cancel = services.notice_for_event(event_id=event_of(booking, "cancelled").pk)
    assert cancel.kind == "cancellation" and "已取消" in cancel.message.body
    # A confirmation handled late for a booking already cancelled is not sent.
    assert services.notice_for_event(event_id=event_of(booking, "created").pk) is None
    assert services.reminders_send(now=evening - dt.timedelta(minutes=30)) == []
    assert not BookingNotice.objects.filter(kind="reminder").exists()


def test_no_reminder_for_a_slot_already_begun_or_booked_inside_the_lead_time(org, hq, floor, guest):
    soon = (timezone.now() + dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    book(org, hq, floor, guest, soon)  # booked 30 minutes ahead: the confirmation is enough
    assert services.reminders_send() == []
    assert services.reminders_send(now=soon + dt.timedelta(minutes=1)) == []


def test_a_store_policy_overrides_the_brand_group_and_can_turn_notices_off(
    org, hq, floor, guest, evening
):
    services.notice_policy_set(
        acting_user=hq,
        store=org["store"],
        **{**POLICY, "reminder_on": False, "confirmation_on": False},
    )
    services.notice_policy_set(acting_user=hq, **{**POLICY, "reminder_minutes": 30})
    booking = book(org, hq, floor, guest, evening)
    assert services.notice_for_event(event_id=event_of(booking, "created").pk) is None
    assert services.reminders_send(now=evening - dt.timedelta(minutes=10)) == []
    assert services.policy_for(org["store"]).reminder_on is False
    assert services.policy_for(None).reminder_minutes == 30


def test_day_before_reminders_go_at_the_set_store_time(org, hq, floor, guest, evening):
    services.notice_policy_set(acting_user=hq, **{**POLICY, "reminder_day_before_at": "18:00"})
    booking = book(org, hq, floor, guest, evening + dt.timedelta(days=1))
    policy = services.policy_for(org["store"])
    due = services.reminder_at(booking, policy)
    assert due == evening  # tomorrow 18:00 for a slot the day after at 18:00
    assert services.reminders_send(now=evening - dt.timedelta(minutes=1)) == []
    assert len(services.reminders_send(now=evening + dt.timedelta(minutes=1))) == 1


def test_email_goes_to_a_guest_who_prefers_it_whatever_their_marketing_consent(
    org, hq, floor, evening
):
    guest = guest_create(
        acting_user=hq,
        name="李娜",
        primary_phone="13900139000",
        email="lina@example.com",
        preferred_channel="email",
    )
    assert guest.marketing_consent is False
    booking = book(org, hq, floor, guest, evening)
    notice = services.notice_for_event(event_id=event_of(booking, "created").pk)
    assert notice.channel == "email" and notice.message.recipient == "lina@example.com"
    assert notice.message.subject.startswith("预订确认")


def test_a_guest_without_phone_or_email_gets_a_noted_notice(org, hq, floor, evening):
    guest = guest_create(acting_user=hq, name="无号码")
    booking = book(org, hq, floor, guest, evening)
    notice = services.notice_for_event(event_id=event_of(booking, "created").pk)
    assert notice.message is None and notice.channel == "" and "no phone" in notice.note
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"reminder_minutes": -5}, "reminder_minutes", "negative"),
        ({"reminder_minutes": 99999}, "reminder_minutes", "10080"),
        ({"reminder_text": "{guest} {price}"}, "reminder_text", "{price}"),
        ({"change_text": "{guest.name}"}, "change_text", "{guest.name}"),
        ({"confirmation_text": "{guest"}, "confirmation_text", "brace"),
        ({"cancellation_text": "  "}, "cancellation_text", "text"),
        ({"reminder_day_before_at": "25:99"}, "reminder_day_before_at", "18:00"),
    ],
)
def test_bad_policy_input_is_refused_and_nothing_saved(org, hq, change, field, words, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(errors.InvalidInput) as refused:
        services.notice_policy_set(acting_user=hq, **{**POLICY, **change})
    assert field in refused.value.fields
    assert words in " ".join(str(m) for m in refused.value.fields[field])
    assert NoticePolicy.objects.count() == 0


def test_template_problems_accepts_every_placeholder():
    assert template_problems("{guest}{store}{date}{time}{party}{table}{reference} {{x}}") == []


def test_editing_the_policy_needs_the_permission(org, users):
    with pytest.raises(errors.PermissionDenied):
        services.notice_policy_set(acting_user=users["desk"], **POLICY)
    assert services.notice_policy_set(acting_user=users["manager"], **POLICY).pk


def test_the_demo_policy_loads_once(db):
    from huike.core.models import Tenant
    from huike.core.tenancy import tenant_context
    from huike.notices import demo
    from huike.org import demo as org_demo

    assert demo.load() is None  # no demo brand group yet
    org_demo.load()
    first = demo.load()
    assert demo.load().pk == first.pk
    with tenant_context(Tenant.objects.get(code=org_demo.TENANT_CODE)):
        assert NoticePolicy.objects.count() == 1 and first.store_id is None
    assert first.reminder_minutes == 120 and "{reference}" in first.confirmation_text
