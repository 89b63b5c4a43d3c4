"""Every write of the guests app: one function per business action, one transaction each,
permission-checked and audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import check_perm
from huike.core.phone import normalise_phone
from huike.core.services import save_changes, save_new

from . import permissions as perms
from .models import Guest

PROFILE_FIELDS = {
    "name",
    "surname",
    "title",
    "gender",
    "primary_phone",
    "email",
    "birthday",
    "company",
    "job_title",
    "address",
    "referrer",
    "taste_preferences",
    "dish_requirements",
    "likes",
    "taboos",
    "preferred_room",
    "meal_type",
    "preferred_channel",
    "marketing_consent",
    "consent_source",
    "home_store",
    "notes",
}


def _only(data: dict, allowed: set[str]) -> dict:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    return dict(data)


def _prepare(data: dict, *, guest: Guest | None = None) -> dict:
    """Normalise the phone to E.164, derive the form of address, stamp consent changes."""
    if data.get("primary_phone"):
        data["primary_phone"] = normalise_phone(data["primary_phone"], field="primary_phone")
    if "marketing_consent" in data and (
        guest is None or data["marketing_consent"] != guest.marketing_consent
    ):
        data["consent_at"] = timezone.now()
        data.setdefault("consent_source", "")
    surname = data.get("surname", guest.surname if guest else "")
    gender = data.get("gender", guest.gender if guest else "")
    if surname and not data.get("title") and not (guest and guest.title):
        suffix = {Guest.Gender.MALE: "先生", Guest.Gender.FEMALE: "女士"}.get(gender, "")
        if suffix:
            data["title"] = f"{surname}{suffix}"
    return data


def _check_phone_free(phone: str, *, exclude_pk=None) -> None:
    if phone and Guest.objects.filter(primary_phone=phone).exclude(pk=exclude_pk).exists():
        raise errors.InvalidInput(
            fields={"primary_phone": [_("Another guest already has this phone number.")]},
            code="phone_taken",
        )


@transaction.atomic
def guest_create(*, acting_user, **data) -> Guest:
    """A new guest profile; the phone is checked by numbering-plan rules and must be free."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    data = _prepare(_only(data, PROFILE_FIELDS))
    _check_phone_free(data.get("primary_phone", ""))
    return save_new(Guest(**data, created_by=acting_user), actor=acting_user)


@transaction.atomic
def guest_update(*, acting_user, guest: Guest, **changes) -> Guest:
    check_perm(acting_user, perms.EDIT_GUESTS)
    changes = _prepare(_only(changes, PROFILE_FIELDS), guest=guest)
    if changes.get("primary_phone"):
        _check_phone_free(changes["primary_phone"], exclude_pk=guest.pk)
    return save_changes(guest, actor=acting_user, changes=changes)


@transaction.atomic
def guest_get_or_create_by_phone(*, acting_user, phone: str, **defaults) -> tuple[Guest, bool]:
    """The guest with this primary phone, or a new one holding ``defaults`` (used by order
    intake and the call-centre form). Safe when two requests bring the same new number."""
    e164 = normalise_phone(phone, field="phone")
    guest = Guest.objects.filter(primary_phone=e164).first()
    if guest is not None:
        return guest, False
    data = _prepare(_only(defaults, PROFILE_FIELDS - {"primary_phone"}))
    try:
        with transaction.atomic():
            guest = save_new(
                Guest(**data, primary_phone=e164, created_by=acting_user), actor=acting_user
            )
    except errors.DomainError:
        existing = Guest.objects.filter(primary_phone=e164).first()
        if existing is None:
            raise
        return existing, False
    return guest, True
