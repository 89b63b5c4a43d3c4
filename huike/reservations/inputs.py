"""Input shared by the writes of a party at a store (a booking, a waitlist entry): the store
the acting user may book at, the guest (given, found by phone, or created), the party size.
Each refusal is a field error of the name the API and the forms use."""

from __future__ import annotations

from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import restrict
from huike.guests.models import Guest
from huike.guests.selectors import guest_by_phone
from huike.guests.services import guest_get_or_create_by_phone
from huike.org.models import Store

MAX_PARTY = 200


def store_for(acting_user, store) -> Store:
    """An active store the acting user's scope reaches."""
    pk = store.pk if isinstance(store, Store) else store
    try:
        return restrict(Store.objects.filter(active=True), acting_user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"store": [_("Not found.")]}) from exc


def guest_for(acting_user, *, guest, guest_phone, guest_name) -> Guest:
    """The guest given, or found by phone, or created with that phone and name."""
    if guest not in (None, ""):
        pk = guest.pk if isinstance(guest, Guest) else guest
        found = Guest.objects.filter(pk=pk, merged_into=None, anonymised_at=None).first()
        if found is None:
            raise errors.InvalidInput(fields={"guest": [_("Not found.")]})
        return found
    if not guest_phone:
        raise errors.InvalidInput(fields={"guest_phone": [_("This field is required.")]})
    try:
        found = guest_by_phone(guest_phone)
        if found is None:
            found, _created = guest_get_or_create_by_phone(
                acting_user=acting_user, phone=guest_phone, name=(guest_name or "").strip()
            )
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(
            fields={"guest_phone": exc.fields.get("phone") or exc.fields.get("primary_phone")}
        ) from exc
    return found


def party_size_of(party_size) -> int:
    """A whole number of guests, 1 to ``MAX_PARTY``."""
    try:
        size = int(party_size)
    except (TypeError, ValueError) as exc:
        raise errors.InvalidInput(fields={"party_size": [_("Enter a whole number.")]}) from exc
    if not 1 <= size <= MAX_PARTY:
        raise errors.InvalidInput(
            fields={"party_size": [_("Between 1 and %(n)s guests.") % {"n": MAX_PARTY}]}
        )
    return size
