"""Issuing coupons: validity, limits, refused guests, the SMS with the coupon's link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from huike.core import errors
from huike.core.timeutils import local_today
from huike.coupons import services
from huike.coupons.models import Coupon, CouponEvent
from huike.coupons.rules import ALPHABET, CODE_LENGTH
from huike.guests.services import guest_create
from huike.messaging.models import Message

from .conftest import counts, make_template


def test_an_issued_coupon_has_a_code_an_event_and_one_text(hq, org, guest, cash_template):
    coupon = services.coupon_issue(
        acting_user=hq, template=cash_template, guest=guest, store=org["store"]
    )
    assert len(coupon.code) == CODE_LENGTH and set(coupon.code) <= set(ALPHABET)
    assert coupon.status == "issued" and coupon.issued_store == org["store"]
    today = local_today(org["store"].time_zone)
    assert (coupon.valid_from, coupon.valid_until) == (today, today + dt.timedelta(days=29))
    assert list(coupon.events.values_list("kind", flat=True)) == ["issued"]
    cash_template.refresh_from_db()
    assert cash_template.issued_count == 1
    message = Message.objects.get()
    assert message.purpose == "loyalty.coupon_issued"
    assert message.recipient == guest.primary_phone
    assert message.params[0] == coupon.code
    assert message.params[3] == f"/coupons/c/{coupon.code}/"
    assert message.dedupe_key == f"coupons.coupon:{coupon.pk}:issued"


def test_codes_differ(hq, guest):
    template = make_template(hq)
    codes = {
        services.coupon_issue(acting_user=hq, template=template, guest=guest, send=False).code
        for _ in range(30)
    }
    assert len(codes) == 30
    assert Message.objects.count() == 0


def test_no_text_for_a_guest_without_phone(hq):
    guest = guest_create(acting_user=hq, name="无电话")
    services.coupon_issue(acting_user=hq, template=make_template(hq), guest=guest)
    assert Message.objects.count() == 0


def test_waiting_days_and_fixed_dates(hq, guest):
    today = local_today()
    waiting = make_template(hq, valid_days=10, wait_days=3)
    coupon = services.coupon_issue(acting_user=hq, template=waiting, guest=guest)
    assert coupon.valid_from == today + dt.timedelta(days=3)
    assert coupon.valid_until == today + dt.timedelta(days=12)
    fixed = make_template(
        hq, valid_days=None, valid_from=today - dt.timedelta(days=5), valid_until=today
    )
    coupon = services.coupon_issue(acting_user=hq, template=fixed, guest=guest)
    assert (coupon.valid_from, coupon.valid_until) == (today, today)


def test_a_template_whose_dates_have_passed_issues_nothing(hq, guest):
    past = make_template(
        hq,
        valid_days=None,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 1, 31),
    )
    before = counts()
    with pytest.raises(errors.Conflict) as caught:
        services.coupon_issue(acting_user=hq, template=past, guest=guest)
    assert caught.value.code == "coupon_template_expired"
    assert counts() == before


def test_the_total_limit(hq, guest):
    template = make_template(hq, total_limit=2)
    for _ in range(2):
        services.coupon_issue(acting_user=hq, template=template, guest=guest, send=False)
    before = counts()
    with pytest.raises(errors.Conflict) as caught:
        services.coupon_issue(acting_user=hq, template=template, guest=guest)
    assert caught.value.code == "coupon_limit_reached"
    assert counts() == before and Message.objects.count() == 0


def test_the_per_guest_limit_counts_unvoided_coupons(hq, guest):
    template = make_template(hq, per_guest_limit=1)
    first = services.coupon_issue(acting_user=hq, template=template, guest=guest, send=False)
    with pytest.raises(errors.Conflict) as caught:
        services.coupon_issue(acting_user=hq, template=template, guest=guest)
    assert caught.value.code == "coupon_guest_limit"
    other = guest_create(acting_user=hq, name="李四", primary_phone="13900139000")
    services.coupon_issue(acting_user=hq, template=template, guest=other, send=False)
    services.coupon_void(acting_user=hq, coupon=first, reason="发错了")
    services.coupon_issue(acting_user=hq, template=template, guest=guest, send=False)
    assert Coupon.objects.filter(guest=guest).count() == 2


def test_merged_and_erased_guests_get_nothing(hq, guest, cash_template):
    from huike.guests.models import Guest

    Guest.objects.filter(pk=guest.pk).update(anonymised_at="2026-01-01T00:00:00Z")
    guest.refresh_from_db()
    with pytest.raises(errors.InvalidInput) as caught:
        services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)
    assert "guest" in caught.value.fields
    assert counts() == (0, 0)


def test_issue_by_phone(hq, guest, cash_template):
    coupon = services.coupon_issue_by_phone(
        acting_user=hq, template=cash_template, guest_phone="138 0013 8000"
    )
    assert coupon.guest == guest
    for phone in ("12345", "13700137000"):
        with pytest.raises(errors.InvalidInput) as caught:
            services.coupon_issue_by_phone(
                acting_user=hq, template=cash_template, guest_phone=phone
            )
        assert "guest_phone" in caught.value.fields


def test_who_may_issue(users, guest, cash_template):
    with pytest.raises(errors.PermissionDenied):
        services.coupon_issue(acting_user=users["waiter"], template=cash_template, guest=guest)
    assert services.coupon_issue(acting_user=users["desk"], template=cash_template, guest=guest)


def test_events_are_append_only(coupon):
    event = coupon.events.get()
    event.reason = "changed"
    with pytest.raises(errors.Conflict):
        event.save()
    with pytest.raises(errors.Conflict):
        event.delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic():
            CouponEvent.objects.filter(pk=event.pk).update(reason="changed")
        with pytest.raises(DatabaseError), transaction.atomic():
            CouponEvent.objects.filter(pk=event.pk).delete()
    assert CouponEvent.objects.get(pk=event.pk).reason == ""
