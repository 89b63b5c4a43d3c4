"""Every write of the guests app: one function per business action, one transaction each,
permission-checked and audited."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.models import AuditEntry
from huike.core.permissions import access_for, check_perm, visible_fields
from huike.core.phone import mask_phone, normalise_phone
from huike.core.services import delete_audited, only_known_fields, save_changes, save_new
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import day_bounds, local_today
from huike.org.models import Store

from . import permissions as perms
from .autotags import queue_tag_refresh, rule_validate
from .models import Guest, GuestContact, GuestPhone, GuestTag, GuestTagging, ImportantDate

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


def _related(model, value, field: str):
    """A related row of the active tenant (by instance or id); anything else is a field error,
    never a link across tenants."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def _prepare(data: dict, *, guest: Guest | None = None) -> dict:
    """Normalise the phone to E.164, resolve the referrer and home store, derive the form of
    address, stamp consent changes."""
    if data.get("primary_phone"):
        data["primary_phone"] = normalise_phone(data["primary_phone"], field="primary_phone")
    if "referrer" in data:
        data["referrer"] = _related(Guest, data["referrer"], "referrer")
        if guest is not None and data["referrer"] is not None and data["referrer"].pk == guest.pk:
            raise errors.InvalidInput(
                fields={"referrer": [_("A guest cannot be their own referrer.")]}
            )
    if "home_store" in data:
        data["home_store"] = _related(Store, data["home_store"], "home_store")
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
    data = _prepare(only_known_fields(data, PROFILE_FIELDS))
    _check_phone_free(data.get("primary_phone", ""))
    return save_new(Guest(**data, created_by=acting_user), actor=acting_user)


@transaction.atomic
def guest_update(*, acting_user, guest: Guest, **changes) -> Guest:
    check_perm(acting_user, perms.EDIT_GUESTS)
    changes = _prepare(only_known_fields(changes, PROFILE_FIELDS), guest=guest)
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
    data = _prepare(only_known_fields(defaults, PROFILE_FIELDS - {"primary_phone"}))
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


# --- Further phones, important dates, contacts -----------------------------------------------
@transaction.atomic
def guest_phone_add(*, acting_user, guest: Guest, phone: str, label: str = "") -> GuestPhone:
    """A further phone (office, spouse's …). Not the guest's own primary phone, and not another
    guest's primary phone (that guest is a duplicate to merge instead)."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    e164 = normalise_phone(phone, field="phone")
    if e164 == guest.primary_phone:
        raise errors.InvalidInput(
            fields={"phone": [_("This is already the guest's primary phone.")]}, code="phone_taken"
        )
    if Guest.objects.filter(primary_phone=e164).exclude(pk=guest.pk).exists():
        raise errors.InvalidInput(
            fields={"phone": [_("Another guest already has this phone number.")]},
            code="phone_taken",
        )
    return save_new(GuestPhone(guest=guest, phone=e164, label=label), actor=acting_user)


@transaction.atomic
def guest_phone_remove(*, acting_user, phone: GuestPhone) -> None:
    check_perm(acting_user, perms.EDIT_GUESTS)
    delete_audited(phone, actor=acting_user)


@transaction.atomic
def important_date_add(
    *, acting_user, guest: Guest, kind: str, date, label: str = ""
) -> ImportantDate:
    """An anniversary or other date to remember; an impossible date (2026-02-30) is refused."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    return save_new(
        ImportantDate(guest=guest, kind=kind, date=date, label=label), actor=acting_user
    )


@transaction.atomic
def important_date_remove(*, acting_user, important_date: ImportantDate) -> None:
    check_perm(acting_user, perms.EDIT_GUESTS)
    delete_audited(important_date, actor=acting_user)


@transaction.atomic
def guest_contact_add(
    *, acting_user, guest: Guest, name: str, relation: str = "", phone: str = ""
) -> GuestContact:
    """Someone connected to the guest (assistant, spouse …); the phone, when given, is
    normalised like every other."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    e164 = normalise_phone(phone, field="phone") if (phone or "").strip() else ""
    return save_new(
        GuestContact(guest=guest, name=(name or "").strip(), relation=relation, phone=e164),
        actor=acting_user,
    )


@transaction.atomic
def guest_contact_remove(*, acting_user, contact: GuestContact) -> None:
    check_perm(acting_user, perms.EDIT_GUESTS)
    delete_audited(contact, actor=acting_user)


# --- Tags ------------------------------------------------------------------------------------
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
TAG_FIELDS = {"name", "colour", "rule"}


def _clean_tag(data: dict) -> dict:
    if "rule" in data:
        data["rule"] = rule_validate(data["rule"])
    if "colour" in data:
        colour = (data["colour"] or "").strip()
        if not COLOUR.match(colour):
            raise errors.InvalidInput(
                fields={"colour": [_("Enter a colour like #206bc4.")]}, code="invalid_input"
            )
        data["colour"] = colour.lower()
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    return data


@transaction.atomic
def guest_tag_create(*, acting_user, name: str, colour: str = "#206bc4", rule=None) -> GuestTag:
    """A tag (标签), with its colour; names are unique in the brand group. With a ``rule``
    (see ``autotags``) it is put on and taken off guests by the rule."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    data = _clean_tag({"name": name, "colour": colour, "rule": rule})
    tag = save_new(GuestTag(**data), actor=acting_user)
    if tag.rule is not None:
        queue_tag_refresh(tag)
    return tag


@transaction.atomic
def guest_tag_update(*, acting_user, tag: GuestTag, **changes) -> GuestTag:
    check_perm(acting_user, perms.EDIT_GUESTS)
    changes = _clean_tag(only_known_fields(changes, TAG_FIELDS))
    rule_before = tag.rule
    tag = save_changes(tag, actor=acting_user, changes=changes)
    if tag.rule != rule_before:
        queue_tag_refresh(tag)
    return tag


@transaction.atomic
def tag_add(*, acting_user, guest: Guest, tag: GuestTag) -> GuestTagging:
    """Put a tag on a guest by hand; adding it again changes nothing."""
    check_perm(acting_user, perms.EDIT_GUESTS)
    existing = GuestTagging.objects.filter(guest=guest, tag=tag).first()
    if existing is not None:
        return existing
    return save_new(
        GuestTagging(guest=guest, tag=tag, auto=False, added_by=acting_user), actor=acting_user
    )


@transaction.atomic
def tag_remove(*, acting_user, guest: Guest, tag: GuestTag) -> None:
    check_perm(acting_user, perms.EDIT_GUESTS)
    tagging = GuestTagging.objects.filter(guest=guest, tag=tag).first()
    if tagging is None:
        raise errors.NotFound()
    delete_audited(tagging, actor=acting_user)


# --- Revealing a masked phone (G5) -----------------------------------------------------------
def reveals_today(user) -> int:
    """How many phone numbers ``user`` revealed today (the Asia/Shanghai day)."""
    start, end = day_bounds(local_today())
    return AuditEntry.objects.filter(
        tenant=require_active_tenant(),
        actor=user,
        action=Action.REVEAL,
        object_type="guests.guest",
        created_at__gte=start,
        created_at__lt=end,
    ).count()


@transaction.atomic
def guest_phone_reveal(*, acting_user, guest: Guest) -> str:
    """The guest's full primary phone for a user who otherwise sees it masked: audited as a
    "reveal", at most the role's daily limit a day. A role that sees phones in full gets the
    number without using up its limit."""
    check_perm(acting_user, perms.REVEAL_PHONE)
    if not guest.primary_phone:
        raise errors.InvalidInput(_("This guest has no phone number."), code="no_phone")
    if "phone" in visible_fields(acting_user, "guest"):
        return guest.primary_phone
    # Record first, count after: the audit chain's lock orders concurrent reveals, so the
    # count includes every reveal committed before this one and the limit holds under races.
    audit_record(
        action=Action.REVEAL,
        actor=acting_user,
        obj=guest,
        changes={"field": "primary_phone", "masked": mask_phone(guest.primary_phone)},
    )
    limit = perms.reveal_daily_limit(access_for(acting_user).role_code)
    if reveals_today(acting_user) > limit:
        raise errors.Throttled(
            _("You have revealed %(n)s phone numbers today, the most your role may.")
            % {"n": limit},
            code="reveal_limit_reached",
        )
    return guest.primary_phone
