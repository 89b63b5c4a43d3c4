"""A guest merge (G4) carries the duplicate's bookings and matched calls to the survivor, and
its undo carries them back; the survivor's 360 then shows the bookings."""

import pytest

from huike.guests.merging import guest_merge, guest_merge_undo
from huike.guests.services import guest_create
from huike.reservations.services import booking_create
from huike.telephony import services as telephony
from huike.telephony.models import IncomingCall

pytestmark = pytest.mark.django_db


def test_bookings_and_calls_follow_a_merge_and_its_undo(org, hq, floor, guest, evening):
    duplicate = guest_create(acting_user=hq, name="王芳", primary_phone="13900139002")
    booking = booking_create(
        acting_user=hq, store=org["store"], starts_at=evening, party_size=2, guest=duplicate
    )
    line = telephony.line_create(acting_user=hq, store=org["store"], name="热线", code="m-1")
    call, _new = telephony.call_receive(
        line=line, call_id="m-call", caller="13900139002", called="", at=None, source="webhook"
    )
    assert call.guest == duplicate

    merge = guest_merge(acting_user=hq, survivor=guest, merged=duplicate)
    booking.refresh_from_db()
    assert booking.guest == guest
    assert IncomingCall.objects.get(pk=call.pk).guest == guest
    assert list(guest.bookings.values_list("pk", flat=True)) == [booking.pk]

    guest_merge_undo(acting_user=hq, merge=merge, reason="误合并")
    booking.refresh_from_db()
    assert booking.guest == duplicate
    assert IncomingCall.objects.get(pk=call.pk).guest == duplicate
