"""Personal data of guests (X4, as China's PIPL expects): export everything Huike holds about
one guest (JSON or Excel), erase a guest on request (personal fields anonymised, orders kept so
totals stay right) and the retention rule that anonymises guests inactive for
``HUIKE_GUEST_RETENTION_YEARS``. Every act is audited; exports and erasures need
``guests.personal_data``."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.models import AuditEntry, JobRun, Tenant
from huike.core.permissions import check_perm, get_for_user
from huike.core.tenancy import tenant_context
from huike.core.timeutils import DEFAULT_TIME_ZONE, in_zone
from huike.orders.models import Order

from . import permissions as perms
from .models import CollectedFact, Guest, GuestContact, GuestMerge, GuestPhone, ImportantDate

FORMATS = ("json", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RETENTION_JOB = "guest_retention"
RETENTION_REASON = "retention"
RETENTION_BATCH = 200

# The profile fields erasure clears, with the value each is set to.
ERASED_FIELDS = {
    "surname": "",
    "title": "",
    "gender": "",
    "primary_phone": "",
    "email": "",
    "birthday": None,
    "company": "",
    "job_title": "",
    "address": "",
    "referrer_id": None,
    "taste_preferences": "",
    "dish_requirements": "",
    "likes": "",
    "taboos": "",
    "preferred_room": "",
    "meal_type": "",
    "preferred_channel": Guest.Channel.SMS,
    "marketing_consent": False,
    "consent_source": "",
    "consent_at": None,
    "notes": "",
}


# --- Fetch -----------------------------------------------------------------------------------
def privacy_guest_get(*, user, guest_id) -> Guest:
    """Fetch-and-authorize for the personal-data pages and endpoints: ``guests.personal_data``
    (a refusal is audited), then the guest of the user's tenant (else NotFound)."""
    check_perm(user, perms.PERSONAL_DATA, target=f"guests.guest:{guest_id}")
    return get_for_user(Guest.objects.all(), user, pk=guest_id)


# --- Export ----------------------------------------------------------------------------------
def _plain(value):
    """JSON-safe value: times in the group's zone as ISO text, Decimals and dates as text."""
    if isinstance(value, dt.datetime):
        value = in_zone(value, DEFAULT_TIME_ZONE)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _row(obj, names: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def guest_personal_data(guest: Guest) -> dict:
    """Everything Huike holds about ``guest``, as JSON-safe data: the profile and the profiles
    merged into it, further phones, important dates, contacts, tags, captured facts, orders
    with their lines and payments, and the audit entries about the guest."""
    profile_fields = [f.attname for f in Guest._meta.concrete_fields if f.name != "tenant"]
    profile = _row(guest, profile_fields)
    profile["referrer"] = str(guest.referrer) if guest.referrer_id else None
    profile["home_store"] = guest.home_store.name if guest.home_store_id else None
    phones = [_row(p, ["phone", "label"]) for p in GuestPhone.objects.filter(guest=guest)]
    dates = [_row(d, ["kind", "date", "label"]) for d in ImportantDate.objects.filter(guest=guest)]
    contacts = [
        _row(c, ["name", "relation", "phone"])
        for c in GuestContact.objects.filter(guest=guest).order_by("pk")
    ]
    tags = [
        {"tag": t.tag.name, **_row(t, ["auto", "added_at"])}
        for t in guest.taggings.select_related("tag").order_by("pk")
    ]
    facts = [
        {
            **_row(f, ["point", "captured_at", "data"]),
            "store": f.store.name if f.store_id else None,
        }
        for f in CollectedFact.objects.filter(guest=guest).select_related("store")
    ]
    orders = []
    for order in (
        Order.objects.filter(guest=guest)
        .select_related("store")
        .prefetch_related("lines", "payments")
        .order_by("closed_at", "pk")
    ):
        orders.append(
            {
                **_row(
                    order,
                    [
                        "id",
                        "pos_order_id",
                        "kind",
                        "status",
                        "opened_at",
                        "closed_at",
                        "table_label",
                        "party_size",
                        "member_card",
                        "subtotal",
                        "discount",
                        "service_charge",
                        "total",
                        "refunded_amount",
                    ],
                ),
                "store": order.store.name,
                "lines": [
                    _row(
                        line,
                        [
                            "line_no",
                            "dish_code",
                            "dish_name",
                            "qty",
                            "unit_price",
                            "price_tier",
                            "line_total",
                            "refunded_qty",
                        ],
                    )
                    for line in sorted(order.lines.all(), key=lambda x: x.line_no)
                ],
                "payments": [_row(p, ["method", "amount"]) for p in order.payments.all()],
            }
        )
    audit = [
        _row(e, ["created_at", "actor_name", "action", "changes"])
        for e in AuditEntry.objects.filter(
            tenant_id=guest.tenant_id, object_type="guests.guest", object_id=str(guest.pk)
        ).order_by("seq")
    ]
    # The same person's other profiles, merged into this one (G4).
    merged_profiles = [_row(other, profile_fields) for other in guest.merged_guests.order_by("pk")]
    return {
        "profile": profile,
        "merged_profiles": merged_profiles,
        "phones": phones,
        "important_dates": dates,
        "contacts": contacts,
        "tags": tags,
        "captured_facts": facts,
        "orders": orders,
        "audit": audit,
    }


@dataclass
class PersonalDataFile:
    filename: str
    content_type: str
    file: object  # a binary file open at its start


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sheet_rows(rows: list[dict]) -> list[list]:
    if not rows:
        return []
    headings = list(rows[0])
    return [headings] + [[_cell(row.get(h)) for h in headings] for row in rows]


def _workbook(data: dict):
    """One sheet per kind of data; the profile as field/value rows, order lines on their own
    sheet beside their order's id."""
    titles = {
        "profile": _("Profile"),
        "phones": _("Further phones"),
        "important_dates": _("Important dates"),
        "contacts": _("Contacts"),
        "tags": _("Tags"),
        "captured_facts": _("Captured facts"),
        "orders": _("Orders"),
        "order_lines": _("Order lines"),
        "payments": _("Payments"),
        "audit": _("Audit log"),
        "merged_profiles": _("Merged profiles"),
    }
    orders = [
        {k: v for k, v in o.items() if k not in ("lines", "payments")} for o in data["orders"]
    ]
    lines = [{"order_id": o["id"], **line} for o in data["orders"] for line in o["lines"]]
    payments = [{"order_id": o["id"], **p} for o in data["orders"] for p in o["payments"]]
    sheets = {
        "profile": [[_("Field"), _("Value")]]
        + [[key, _cell(value)] for key, value in data["profile"].items()],
        "phones": _sheet_rows(data["phones"]),
        "important_dates": _sheet_rows(data["important_dates"]),
        "contacts": _sheet_rows(data["contacts"]),
        "tags": _sheet_rows(data["tags"]),
        "captured_facts": _sheet_rows(data["captured_facts"]),
        "orders": _sheet_rows(orders),
        "order_lines": _sheet_rows(lines),
        "payments": _sheet_rows(payments),
        "audit": _sheet_rows(data["audit"]),
        "merged_profiles": _sheet_rows(data["merged_profiles"]),
    }
    workbook = Workbook(write_only=True)
    for key, rows in sheets.items():
        sheet = workbook.create_sheet(title=titles[key][:31])
        for row in rows:
            sheet.append(row)
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file


def guest_personal_data_export(*, acting_user, guest: Guest, fmt: str) -> PersonalDataFile:
    """Everything Huike holds about ``guest`` as a JSON or an Excel file (one sheet per kind);
    needs ``guests.personal_data``; the export is audited on the guest."""
    check_perm(acting_user, perms.PERSONAL_DATA, target=f"guests.guest:{guest.pk}")
    if fmt not in FORMATS:
        raise errors.InvalidInput(
            fields={"format": [_("Choose JSON or Excel (xlsx).")]}, code="invalid_format"
        )
    data = guest_personal_data(guest)
    with transaction.atomic():
        audit_record(
            action=Action.EXPORT,
            actor=acting_user,
            obj=guest,
            changes={
                "personal_data": fmt,
                "counts": {k: len(v) for k, v in data.items() if isinstance(v, list)},
            },
        )
    filename = f"guest-{guest.pk}-personal-data.{fmt}"
    if fmt == "xlsx":
        return PersonalDataFile(filename, XLSX, _workbook(data))
    file = tempfile.TemporaryFile()
    file.write(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    file.seek(0)
    return PersonalDataFile(filename, "application/json", file)


# --- Erasure ---------------------------------------------------------------------------------
def erased_name(guest_id: int) -> str:
    """The name an erased guest keeps, in the console's default language (已删除顾客 #id)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Erased guest #%(id)s") % {"id": guest_id}


def _anonymise(guest: Guest, *, actor, reason: str, extra: dict | None = None) -> Guest:
    """Clear the guest's personal fields and delete their further phones, dates and contacts;
    empty what was captured about them; keep orders and totals. One transaction, audited."""
    with transaction.atomic():
        locked = Guest.objects.select_for_update().get(pk=guest.pk)
        if locked.anonymised_at is not None:
            raise errors.Conflict(
                _("This guest's personal data has already been erased."),
                code="already_anonymised",
            )
        deleted = {
            "phones": GuestPhone.objects.filter(guest=locked).delete()[0],
            "important_dates": ImportantDate.objects.filter(guest=locked).delete()[0],
            "contacts": GuestContact.objects.filter(guest=locked).delete()[0],
            "captured_facts_emptied": CollectedFact.objects.filter(guest=locked).update(data={}),
            # merge records keep the profile values a merge filled in (for its undo)
            "merge_values_cleared": GuestMerge.objects.filter(
                Q(survivor=locked) | Q(merged=locked)
            ).update(filled={}),
        }
        for name, value in ERASED_FIELDS.items():
            setattr(locked, name, value)
        locked.name = erased_name(locked.pk)
        locked.anonymised_at = timezone.now()
        locked.save()
        audit_record(
            action=Action.DELETE,
            actor=actor,
            obj=locked,
            changes={
                "anonymised": True,
                "reason": reason,
                "cleared": ["name", *(n.removesuffix("_id") for n in ERASED_FIELDS)],
                "deleted": deleted,
                **(extra or {}),
            },
        )
    guest.refresh_from_db()
    return guest


def guest_erase(*, acting_user, guest: Guest, reason: str) -> Guest:
    """Erase a guest's personal data on request (irreversible): personal fields anonymised,
    further phones, dates and contacts deleted, captured facts emptied, consent withdrawn;
    orders and the guest's totals stay; the profiles merged into the guest are erased too.
    Refused for a guest already anonymised."""
    check_perm(acting_user, perms.PERSONAL_DATA, target=f"guests.guest:{guest.pk}")
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvalidInput(
            fields={"reason": [_("Give the reason for the erasure.")]}, code="reason_required"
        )
    with transaction.atomic():
        erased = _anonymise(guest, actor=acting_user, reason=reason[:500])
        _anonymise_merged_into(erased, actor=acting_user, reason=reason[:500])
    return erased


def _anonymise_merged_into(guest: Guest, *, actor, reason: str) -> None:
    """The profiles merged into an erased guest (G4 redirects) are the same person: erased
    too, in the same transaction (and theirs in turn)."""
    pending = [guest.pk]
    while pending:
        merged = list(Guest.objects.filter(merged_into_id__in=pending, anonymised_at__isnull=True))
        for other in merged:
            _anonymise(
                other, actor=actor, reason=reason, extra={"merged_into": other.merged_into_id}
            )
        pending = [other.pk for other in merged]


# --- Retention -------------------------------------------------------------------------------
def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def guests_anonymise_inactive(*, now: dt.datetime | None = None) -> int:
    """Anonymise, in every brand group, the guests whose last visit (or creation, when they
    never visited) is older than ``HUIKE_GUEST_RETENTION_YEARS``; in batches, one transaction
    and one audit entry (system actor) per guest. Returns how many were anonymised."""
    now = now or timezone.now()
    years = settings.HUIKE_GUEST_RETENTION_YEARS
    cutoff = _years_before(now, years)
    extra = {"retention_years": years, "cutoff": cutoff.isoformat()}
    done = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            inactive = Guest.objects.filter(anonymised_at__isnull=True).filter(
                Q(last_visit_at__lt=cutoff) | Q(last_visit_at__isnull=True, created_at__lt=cutoff)
            )
            after = 0
            while batch := list(inactive.filter(pk__gt=after).order_by("pk")[:RETENTION_BATCH]):
                for guest in batch:
                    try:
                        _anonymise(guest, actor=None, reason=RETENTION_REASON, extra=extra)
                    except errors.Conflict:
                        continue  # anonymised meanwhile by an erasure
                    done += 1
                after = batch[-1].pk
    return done


def guest_retention_run(*, now: dt.datetime | None = None) -> JobRun:
    """The nightly retention job, recorded as a JobRun."""
    started = timezone.now()
    try:
        count = guests_anonymise_inactive(now=now)
    except Exception as exc:
        JobRun.objects.create(
            name=RETENTION_JOB,
            started_at=started,
            finished_at=timezone.now(),
            ok=False,
            detail={"error": repr(exc)[:500]},
        )
        raise
    return JobRun.objects.create(
        name=RETENTION_JOB,
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        detail={"anonymised": count, "retention_years": settings.HUIKE_GUEST_RETENTION_YEARS},
    )
