"""Collection points (客户信息收集时点, G2): what staff capture about a guest at six moments of
the meal, one quick form and one call each.

| point | who | captures |
|---|---|---|
| call centre (呼叫中心/订餐台) | desk | surname, gender, phone, room preference and name |
| arrival (到店/领位台) | host | booked?, companions (count, who) |
| ordering (点菜) | captain | main guest's age band, taste, companion group, taboos |
| table visit (巡厅/桌) | captain | business card, address, meal type, suggestions, taboos |
| checkout (结账) | cashier | experience, satisfied?, habits |
| call-back (次日回访) | desk | recommendation 0–10, what they care about, discount-sensitive? |

Each point's fields are one pydantic model (``POINTS[point].schema``): the API takes it as its
body and ``fact_capture`` validates the console forms' data with it, so both give the same
messages. A capture writes one ``CollectedFact`` (who, when, which store — the staff member's
own store unless another of their stores is given) and copies the profile-level facts onto the
guest in the same transaction:

* a non-empty captured surname, gender, room preference, name, company, job title, address or
  meal type replaces the profile's value (the newest word of the guest wins);
* taste and taboos are added to what the profile holds (a taboo is never lost);
* a captured phone becomes the primary phone only when the guest has none and no other guest
  holds it; otherwise it stays in the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from huike.core import errors
from huike.core.api_errors import pydantic_fields
from huike.core.permissions import access_for, check_perm, restrict, visible_fields
from huike.core.phone import normalise_phone
from huike.core.services import save_changes, save_new
from huike.org.models import Store

from . import permissions as perms
from .models import CollectedFact, Guest

Point = CollectedFact.Point


# --- Choices of the quick forms ----------------------------------------------------------------
class AgeBand(TextChoices):
    """The main guest's age band (主宾年龄段), as a captain judges it at the table."""

    UNDER_18 = "under_18", gettext_lazy("under 18")
    FROM_18 = "18_25", gettext_lazy("18–25")
    FROM_26 = "26_35", gettext_lazy("26–35")
    FROM_36 = "36_45", gettext_lazy("36–45")
    FROM_46 = "46_55", gettext_lazy("46–55")
    FROM_56 = "56_65", gettext_lazy("56–65")
    OVER_65 = "over_65", gettext_lazy("over 65")


class CompanionGroup(TextChoices):
    """Who came with the main guest (随行人群)."""

    FAMILY = "family", gettext_lazy("family")
    FRIENDS = "friends", gettext_lazy("friends")
    COLLEAGUES = "colleagues", gettext_lazy("colleagues")
    BUSINESS = "business", gettext_lazy("business partners")
    COUPLE = "couple", gettext_lazy("partner")
    ALONE = "alone", gettext_lazy("came alone")


class Concern(TextChoices):
    """What a guest cares about most (客户关注点), asked at the next-day call-back."""

    DISHES = "dishes", gettext_lazy("dishes and taste")
    SERVICE = "service", gettext_lazy("service")
    ENVIRONMENT = "environment", gettext_lazy("surroundings")
    PRICE = "price", gettext_lazy("price")
    LOCATION = "location", gettext_lazy("location and parking")
    SPEED = "speed", gettext_lazy("speed")


MealType = TextChoices(
    "GuestMealType", [(c.name, (c.value, c.label)) for c in Guest.MealType if c.value]
)
Gender = TextChoices("GuestGender", [(c.name, (c.value, c.label)) for c in Guest.Gender if c.value])

# Labels of every captured field, shared by the console forms and the 360's feedback section.
FIELD_LABELS = {
    "surname": gettext_lazy("Surname"),
    "gender": gettext_lazy("Gender"),
    "phone": gettext_lazy("Phone"),
    "room_preference": gettext_lazy("Room preference"),
    "booked": gettext_lazy("Booked?"),
    "companions_count": gettext_lazy("Number of companions"),
    "companions": gettext_lazy("Companions"),
    "age_band": gettext_lazy("Main guest's age band"),
    "taste": gettext_lazy("Taste"),
    "companion_group": gettext_lazy("Companion group"),
    "taboos": gettext_lazy("Taboos and allergies"),
    "name": gettext_lazy("Name (business card)"),
    "company": gettext_lazy("Company"),
    "job_title": gettext_lazy("Job title"),
    "address": gettext_lazy("Address"),
    "meal_type": gettext_lazy("Meal type"),
    "suggestions": gettext_lazy("Suggestions"),
    "experience": gettext_lazy("How was the meal?"),
    "satisfied": gettext_lazy("Satisfied?"),
    "habits": gettext_lazy("Dining habits"),
    "recommend_score": gettext_lazy("Would recommend us (0–10)"),
    "cares_about": gettext_lazy("Cares about"),
    "cares_note": gettext_lazy("In their words"),
    "discount_sensitive": gettext_lazy("Asks about discounts?"),
}
CHOICES_OF = {
    "gender": Gender,
    "age_band": AgeBand,
    "companion_group": CompanionGroup,
    "meal_type": MealType,
    "cares_about": Concern,
}
# The guest-sheet field (G5) each captured field belongs to: a viewer who may not see that
# field of the profile does not see it in the captured facts either.
SHEET_FIELD_OF = {
    "surname": "name",
    "name": "name",
    "gender": "gender",
    "phone": "phone",
    "room_preference": "preferred_room",
    "taste": "taste_preferences",
    "taboos": "taboos",
    "company": "company",
    "job_title": "company",
    "address": "address",
    "meal_type": "meal_type",
}


# --- The points' fields ------------------------------------------------------------------------
def _text(n: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=n)]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallCentreIn(PointIn):
    surname: _text(20) = ""
    gender: Gender | None = None
    phone: _text(30) = Field("", description="Any common format; stored as E.164.")
    room_preference: _text(100) = Field("", description="Room or hall, and the room's name.")


class CallCentreByPhoneIn(CallCentreIn):
    """The call-centre form without a known guest: the phone finds or creates them."""

    phone: _text(30) = Field(description="Any common format; stored as E.164.")


class ArrivalIn(PointIn):
    booked: bool
    companions_count: int = Field(0, ge=0, le=500)
    companions: _text(200) = ""


class OrderingIn(PointIn):
    age_band: AgeBand | None = None
    taste: _text(300) = ""
    companion_group: CompanionGroup | None = None
    taboos: _text(300) = ""


class TableVisitIn(PointIn):
    name: _text(60) = ""
    company: _text(100) = ""
    job_title: _text(60) = ""
    phone: _text(30) = ""
    address: _text(200) = ""
    meal_type: MealType | None = None
    suggestions: _text(500) = ""
    taboos: _text(300) = ""


class CheckoutIn(PointIn):
    experience: _text(500) = ""
    satisfied: bool
    habits: _text(300) = ""


class CallbackIn(PointIn):
    recommend_score: int = Field(ge=0, le=10)
    cares_about: list[Concern] = Field(default_factory=list, max_length=len(Concern))
    cares_note: _text(300) = ""
    discount_sensitive: bool


@dataclass(frozen=True)
class PointSpec:
    point: str
    schema: type[PointIn]
    # captured field → guest field it replaces / it is added to
    replaces: dict[str, str]
    appends: dict[str, str]

    @property
    def slug(self) -> str:
        """The point in URLs: call-centre, table-visit …"""
        return self.point.replace("_", "-")

    @property
    def label(self):
        return Point(self.point).label


POINTS: dict[str, PointSpec] = {
    spec.point: spec
    for spec in [
        PointSpec(
            Point.CALL_CENTRE,
            CallCentreIn,
            {"surname": "surname", "gender": "gender", "room_preference": "preferred_room"},
            {},
        ),
        PointSpec(Point.ARRIVAL, ArrivalIn, {}, {}),
        PointSpec(
            Point.ORDERING,
            OrderingIn,
            {},
            {"taste": "taste_preferences", "taboos": "taboos"},
        ),
        PointSpec(
            Point.TABLE_VISIT,
            TableVisitIn,
            {
                "name": "name",
                "company": "company",
                "job_title": "job_title",
                "address": "address",
                "meal_type": "meal_type",
            },
            {"taboos": "taboos"},
        ),
        PointSpec(Point.CHECKOUT, CheckoutIn, {}, {}),
        PointSpec(Point.CALLBACK, CallbackIn, {}, {}),
    ]
}
BY_SLUG = {spec.slug: spec for spec in POINTS.values()}


def point_spec(point: str) -> PointSpec:
    spec = POINTS.get(point) or BY_SLUG.get(point)
    if spec is None:
        raise errors.InvalidInput(
            fields={"point": [_("Choose one of: %(options)s.") % {"options": ", ".join(POINTS)}]},
            code="unknown_point",
        )
    return spec


def validate_point(point: str, data: dict, *, schema: type[PointIn] | None = None) -> dict:
    """The point's fields as stored in the fact: validated, phones in E.164, empty values left
    out. InvalidInput with a message beside each bad field; a form with nothing in it is
    refused too."""
    spec = point_spec(point)
    try:
        values = (schema or spec.schema).model_validate(data).model_dump(mode="json")
    except PydanticValidationError as exc:
        fields: dict[str, list[str]] = {}
        for name, messages in pydantic_fields(exc.errors()).items():
            fields.setdefault(name.split(".")[0], []).extend(
                messages
            )  # cares_about.0 → cares_about
        raise errors.InvalidInput(fields=fields) from exc
    values = {k: v for k, v in values.items() if v not in ("", None, [])}
    if values.get("phone"):
        values["phone"] = normalise_phone(values["phone"], field="phone")
    if not values:
        raise errors.InvalidInput(
            _("Fill in at least one field."), code="nothing_captured", fields={}
        )
    return values


# --- Services ----------------------------------------------------------------------------------
def resolve_merged(guest: Guest) -> Guest:
    """Refuse a guest merged into another (G4): NotFound with code ``merged`` and the
    surviving guest's id in ``fields["merged_into"]``, so callers can follow it."""
    if guest.merged_into_id:
        raise errors.NotFound(
            _("This guest was merged into another."),
            code="merged",
            fields={"merged_into": [str(guest.merged_into_id)]},
        )
    return guest


def capture_store(*, user, store: Store | int | None) -> Store | None:
    """The store a fact is captured at: the given one (it must be one the user can see), else
    the staff member's own store, else none (an HQ user without a store)."""
    if store is None:
        store_id = access_for(user).store_id
        return Store.objects.filter(pk=store_id).first() if store_id else None
    store_id = store.pk if isinstance(store, Store) else store
    found = restrict(Store.objects.filter(pk=store_id), user).first()
    if found is None:
        raise errors.InvalidInput(fields={"store": [_("Choose one of your stores.")]})
    return found


def _added(current: str, new: str) -> str:
    """``new`` added to ``current`` unless it is already there (、-separated, as staff write)."""
    if not current:
        return new
    if new in current:
        return current
    return f"{current}；{new}"


def _profile_changes(spec: PointSpec, guest: Guest, values: dict) -> tuple[dict, dict]:
    """(guest field → new value, guest field → captured field) for what this capture changes."""
    changes, source = {}, {}
    for key, field in spec.replaces.items():
        if key in values:
            changes[field], source[field] = values[key], key
    for key, field in spec.appends.items():
        if key in values:
            changes[field], source[field] = _added(getattr(guest, field), values[key]), key
    phone = values.get("phone")
    if (
        phone
        and not guest.primary_phone
        and not Guest.objects.filter(primary_phone=phone).exclude(pk=guest.pk).exists()
    ):
        changes["primary_phone"], source["primary_phone"] = phone, "phone"
    surname = changes.get("surname", guest.surname)
    gender = changes.get("gender", guest.gender)
    suffix = {Guest.Gender.MALE: "先生", Guest.Gender.FEMALE: "女士"}.get(gender, "")
    if surname and suffix and not guest.title:
        changes["title"] = f"{surname}{suffix}"
    return changes, source


def _profile_copy(*, acting_user, guest: Guest, changes: dict, source: dict) -> None:
    """Write the captured profile facts onto the guest.

    Deliberately not ``services.guest_update``: that asks for ``guests.edit``, and the waiter
    or cashier who captures at the table holds only ``guests.capture``. The only caller,
    ``fact_capture``, has checked ``guests.capture``, and only the fields a point carries reach
    this helper; ``save_changes`` validates, saves and audits the change as any edit."""
    try:
        save_changes(guest, actor=acting_user, changes=changes)
    except errors.InvalidInput as exc:
        guest.refresh_from_db()
        raise errors.InvalidInput(
            exc.message,
            code=exc.code,
            fields={source.get(name, name): msgs for name, msgs in exc.fields.items()},
        ) from exc


@transaction.atomic
def fact_capture(
    *, acting_user, guest: Guest, point: str, data: dict, store: Store | int | None = None
) -> CollectedFact:
    """Record what was captured at ``point`` about ``guest`` and copy its profile facts onto
    the guest (see the module's docstring); one transaction, audited."""
    check_perm(acting_user, perms.CAPTURE)
    spec = point_spec(point)
    values = validate_point(spec.point, data)
    where = capture_store(user=acting_user, store=store)
    # The row is re-read under a lock: two captains adding taboos at once both keep theirs.
    guest.refresh_from_db(from_queryset=Guest.objects.select_for_update())
    resolve_merged(guest)
    changes, source = _profile_changes(spec, guest, values)
    if changes:
        _profile_copy(acting_user=acting_user, guest=guest, changes=changes, source=source)
    fact = CollectedFact(
        guest=guest,
        point=spec.point,
        data=values,
        store=where,
        captured_by=acting_user,
        captured_at=timezone.now(),
    )
    return save_new(fact, actor=acting_user)


@transaction.atomic
def call_centre_capture(
    *, acting_user, data: dict, store: Store | int | None = None
) -> tuple[CollectedFact, bool]:
    """The call-centre form for a caller who may be new: the phone finds the guest (a merged
    one's survivor) or creates them, then the facts are captured. Returns (fact, created)."""
    check_perm(acting_user, perms.CAPTURE)
    values = validate_point(Point.CALL_CENTRE, data, schema=CallCentreByPhoneIn)
    from .services import guest_get_or_create_by_phone

    guest, created = guest_get_or_create_by_phone(
        acting_user=acting_user, phone=values.get("phone", "")
    )
    while guest.merged_into_id:
        guest = guest.merged_into
    fact = fact_capture(
        acting_user=acting_user, guest=guest, point=Point.CALL_CENTRE, data=data, store=store
    )
    return fact, created


# --- Reading facts back ----------------------------------------------------------------------
def guest_label(user, guest: Guest) -> str:
    """How a capture page names the guest: form of address or name, as far as the role may
    see them (never the phone, which ``str(guest)`` falls back to)."""
    visible = visible_fields(user, "guest")
    if guest.title and "title" in visible:
        return guest.title
    if guest.name and "name" in visible:
        return guest.name
    return f"#{guest.pk}"


def display_value(key: str, value) -> str:
    """A captured value as staff read it: choice labels, yes/no, lists joined."""
    choices = CHOICES_OF.get(key)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(display_value(key, v) for v in value)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)
    return str(value)
