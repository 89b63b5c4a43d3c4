"""No personal value reaches the audit log (decision 0012): a guest created, edited, given
phones, dates and contacts, captured at a collection point, merged and erased leaves entries that
say what changed and who did it, never the values."""

import datetime as dt
import json

from huike.core.models import AuditEntry
from huike.guests import capture, services
from huike.guests.merging import guest_merge
from huike.guests.privacy import guest_erase

SECRETS = ["欧阳娜娜", "13812345678", "nana@example.com", "芒果过敏", "望江路", "王秘书", "1988"]


def _log() -> str:
    return json.dumps(
        [[e.object_repr, e.changes] for e in AuditEntry.objects.all()],
        ensure_ascii=False,
        default=str,
    )


def test_the_audit_log_keeps_no_personal_value(org, hq, users):
    guest = services.guest_create(
        acting_user=hq,
        name="欧阳娜娜",
        primary_phone="13812345678",
        email="nana@example.com",
        birthday=dt.date(1988, 2, 3),
    )
    services.guest_update(acting_user=hq, guest=guest, address="望江路 1 号")
    services.guest_phone_add(acting_user=hq, guest=guest, phone="13912345678", label="家")
    services.guest_contact_add(acting_user=hq, guest=guest, name="王秘书", relation="助理")
    services.important_date_add(
        acting_user=hq, guest=guest, kind="anniversary", date=dt.date(1988, 5, 1), label=""
    )
    capture.fact_capture(
        acting_user=users["captain"], guest=guest, point="ordering", data={"taboos": "芒果过敏"}
    )
    other = services.guest_create(acting_user=hq, name="欧阳娜娜", primary_phone="13700001988")
    guest_merge(acting_user=hq, survivor=other, merged=guest)
    guest_erase(acting_user=hq, guest=other, reason="顾客要求")

    log = _log()
    for secret in SECRETS:
        assert secret not in log, secret
    # ... while the log still says which fields changed, and of whom.
    update = AuditEntry.objects.filter(
        action="update", object_type="guests.guest", changes__has_key="address"
    ).order_by("seq")[0]
    assert update.changes["address"] == ["", "***"] and update.object_repr == f"#{guest.pk}"
    created = AuditEntry.objects.get(
        action="create", object_type="guests.guest", object_id=str(guest.pk)
    )
    assert created.changes["email"] == "***" and created.changes["company"] == ""
