"""Personal data (X4): exporting everything held about a guest (JSON and Excel, audited),
erasing a guest on request (personal fields gone, orders and totals kept, audited, once only),
the retention rule, the permission and the tenant boundary, through services, API and pages."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huike.core import errors
from huike.core.models import AuditEntry, JobRun
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.guests import services
from huike.guests.models import (
    CollectedFact,
    Guest,
    GuestContact,
    GuestPhone,
    GuestTag,
    ImportantDate,
)
from huike.guests.privacy import (
    RETENTION_JOB,
    guest_erase,
    guest_personal_data_export,
    guest_retention_run,
    guests_anonymise_inactive,
    privacy_guest_get,
)
from huike.orders.models import Order, OrderLine
from huike.orders.services import order_post
from huike.orders.tests.factories import make_menu, order_args


@pytest.fixture
def guest(org, hq):
    make_menu()
    guest = services.guest_create(
        acting_user=hq,
        name="王大明",
        surname="王",
        gender="m",
        primary_phone="13812345678",
        email="wang@example.com",
        birthday=dt.date(1980, 3, 8),
        company="湘江贸易",
        address="五一大道 8 号",
        taboos="不吃香菜",
        notes="喜欢靠窗",
        marketing_consent=True,
        consent_source="收银台口头同意",
    )
    services.guest_phone_add(acting_user=hq, guest=guest, phone="13700003333", label="办公室")
    services.important_date_add(
        acting_user=hq, guest=guest, kind="anniversary", date=dt.date(2010, 5, 20), label="纪念日"
    )
    services.guest_contact_add(
        acting_user=hq, guest=guest, name="李秘书", relation="助理", phone="13600004444"
    )
    tag = services.guest_tag_create(acting_user=hq, name="常客")
    services.tag_add(acting_user=hq, guest=guest, tag=tag)
    CollectedFact.objects.create(
        tenant=org["tenant"],
        guest=guest,
        point=CollectedFact.Point.CHECKOUT,
        data={"suggestion": "鱼头再辣一点"},
        store=org["store"],
        captured_by=hq,
        captured_at=timezone.now(),
    )
    order_post(acting_user=hq, **order_args(org["store"]))
    guest.refresh_from_db()
    return guest


def erase_audits(guest):
    return AuditEntry.objects.filter(
        object_type="guests.guest", object_id=str(guest.pk), action=AuditEntry.Action.DELETE
    )


def export_audits(guest):
    return AuditEntry.objects.filter(
        object_type="guests.guest", object_id=str(guest.pk), action=AuditEntry.Action.EXPORT
    )


# --- Export ----------------------------------------------------------------------------------
def test_the_json_export_holds_everything_about_the_guest_and_is_audited(hq, guest):
    export = guest_personal_data_export(acting_user=hq, guest=guest, fmt="json")
    data = json.loads(export.file.read().decode("utf-8"))
    assert export.content_type == "application/json"
    assert data["profile"]["name"] == "王大明" and data["profile"]["email"] == "wang@example.com"
    assert data["profile"]["birthday"] == "1980-03-08"
    assert [p["phone"] for p in data["phones"]] == ["+8613700003333"]
    assert data["important_dates"][0]["label"] == "纪念日"
    assert data["contacts"][0]["name"] == "李秘书"
    assert [t["tag"] for t in data["tags"]] == ["常客"]
    assert data["captured_facts"][0]["data"] == {"suggestion": "鱼头再辣一点"}
    [order] = data["orders"]
    assert order["total"] == "286.00" and len(order["lines"]) == 3
    assert {line["dish_name"] for line in order["lines"]} == {"剁椒鱼头", "小炒黄牛肉", "米饭"}
    assert any(entry["action"] == "create" for entry in data["audit"])
    entry = export_audits(guest).get()
    assert entry.actor == hq and entry.changes["personal_data"] == "json"
    assert entry.changes["counts"]["orders"] == 1


def test_the_excel_export_has_one_sheet_per_kind(hq, guest):
    export = guest_personal_data_export(acting_user=hq, guest=guest, fmt="xlsx")
    book = load_workbook(io.BytesIO(export.file.read()))
    assert len(book.sheetnames) == 11
    profile = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert profile["name"] == "王大明" and profile["primary_phone"] == "+8613812345678"
    lines = list(book.worksheets[7].iter_rows(values_only=True))
    assert lines[0][0] == "order_id" and len(lines) == 4
    assert export_audits(guest).get().changes["personal_data"] == "xlsx"


def test_an_unknown_format_is_refused_and_not_audited(hq, guest):
    with pytest.raises(errors.InvalidInput) as caught:
        guest_personal_data_export(acting_user=hq, guest=guest, fmt="csv")
    assert caught.value.code == "invalid_format" and "format" in caught.value.fields
    assert not export_audits(guest).exists()


# --- Erasure ---------------------------------------------------------------------------------
def test_erasure_clears_personal_data_and_keeps_orders_and_totals(hq, guest):
    spend, visits = guest.total_spend, guest.visit_count
    erased = guest_erase(acting_user=hq, guest=guest, reason="顾客电话要求删除")
    erased.refresh_from_db()
    assert erased.anonymised_at is not None
    assert erased.name not in ("", "王大明") and str(erased.pk) in erased.name
    for name in ("surname", "title", "primary_phone", "email", "company", "address", "taboos"):
        assert getattr(erased, name) == "", name
    assert erased.notes == "" and erased.birthday is None
    assert not erased.marketing_consent and erased.consent_at is None
    assert not GuestPhone.objects.filter(guest=erased).exists()
    assert not ImportantDate.objects.filter(guest=erased).exists()
    assert not GuestContact.objects.filter(guest=erased).exists()
    assert CollectedFact.objects.get(guest=erased).data == {}
    assert Order.objects.filter(guest=erased).count() == 1
    assert OrderLine.objects.filter(order__guest=erased).count() == 3
    assert erased.total_spend == spend == Decimal("286.00") and erased.visit_count == visits == 1
    entry = erase_audits(erased).get()
    assert entry.actor == hq and entry.changes["reason"] == "顾客电话要求删除"
    assert entry.changes["deleted"]["phones"] == 1 and "王大明" not in entry.object_repr


def test_erasure_cannot_be_repeated(hq, guest):
    guest_erase(acting_user=hq, guest=guest, reason="要求删除")
    with pytest.raises(errors.Conflict) as caught:
        guest_erase(acting_user=hq, guest=guest, reason="再删一次")
    assert caught.value.code == "already_anonymised"
    assert erase_audits(guest).count() == 1


def test_erasure_needs_a_reason(hq, guest):
    with pytest.raises(errors.InvalidInput) as caught:
        guest_erase(acting_user=hq, guest=guest, reason="  ")
    assert "reason" in caught.value.fields
    guest.refresh_from_db()
    assert guest.anonymised_at is None and guest.name == "王大明"


@pytest.mark.parametrize("role", ["manager", "desk", "marketing"])
def test_roles_without_personal_data_are_refused_and_the_denial_is_audited(users, guest, role):
    user = users[role]
    with pytest.raises(errors.PermissionDenied):
        guest_personal_data_export(acting_user=user, guest=guest, fmt="json")
    with pytest.raises(errors.PermissionDenied):
        guest_erase(acting_user=user, guest=guest, reason="越权")
    denials = AuditEntry.objects.filter(
        actor=user, action=AuditEntry.Action.PERMISSION_DENIED, object_id="guests.personal_data"
    )
    assert denials.count() == 2
    guest.refresh_from_db()
    assert guest.anonymised_at is None and not export_audits(guest).exists()


def test_another_tenants_guest_is_not_found(hq, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13911112222"
        )
    with pytest.raises(errors.NotFound):
        privacy_guest_get(user=hq, guest_id=theirs.pk)


# --- Retention -------------------------------------------------------------------------------
def _aged(name, phone, hq, *, created_years_ago, last_visit_years_ago=None, now):
    guest = services.guest_create(acting_user=hq, name=name, primary_phone=phone)
    last = now - dt.timedelta(days=365 * last_visit_years_ago) if last_visit_years_ago else None
    Guest.objects.filter(pk=guest.pk).update(
        created_at=now - dt.timedelta(days=365 * created_years_ago), last_visit_at=last
    )
    return guest


def test_retention_anonymises_only_guests_inactive_past_the_limit(hq, settings):
    settings.HUIKE_GUEST_RETENTION_YEARS = 3
    now = timezone.now()
    gone_visit = _aged(
        "久未来", "13800000001", hq, created_years_ago=6, last_visit_years_ago=4, now=now
    )
    recent = _aged("常来", "13800000002", hq, created_years_ago=6, last_visit_years_ago=1, now=now)
    never_old = _aged("只登记", "13800000003", hq, created_years_ago=5, now=now)
    never_new = _aged("新登记", "13800000004", hq, created_years_ago=1, now=now)
    assert guests_anonymise_inactive(now=now) == 2
    states = {g.pk: g for g in Guest.objects.all()}
    assert states[gone_visit.pk].anonymised_at and states[never_old.pk].anonymised_at
    assert states[gone_visit.pk].primary_phone == ""
    assert states[recent.pk].anonymised_at is None and states[recent.pk].name == "常来"
    assert states[never_new.pk].anonymised_at is None
    entry = erase_audits(gone_visit).get()
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.changes["reason"] == "retention" and entry.changes["retention_years"] == 3
    # A second night finds nothing more to do.
    assert guests_anonymise_inactive(now=now) == 0
    assert erase_audits(gone_visit).count() == 1


def test_retention_follows_the_setting_and_the_job_is_recorded(hq, settings):
    now = timezone.now()
    guest = _aged("两年前", "13800000005", hq, created_years_ago=3, last_visit_years_ago=2, now=now)
    settings.HUIKE_GUEST_RETENTION_YEARS = 3
    run = guest_retention_run(now=now)
    assert run.name == RETENTION_JOB and run.ok and run.detail["anonymised"] == 0
    settings.HUIKE_GUEST_RETENTION_YEARS = 1
    run = guest_retention_run(now=now)
    assert run.detail["anonymised"] == 1 and run.detail["retention_years"] == 1
    assert JobRun.objects.filter(name=RETENTION_JOB).count() == 2
    guest.refresh_from_db()
    assert guest.anonymised_at is not None


def test_retention_reaches_every_brand_group(hq, other_org, settings):
    settings.HUIKE_GUEST_RETENTION_YEARS = 3
    now = timezone.now()
    with tenant_context(other_org["tenant"]):
        theirs = _aged(
            "别家旧客", "13800000006", other_org["users"]["hq"], created_years_ago=5, now=now
        )
    assert guests_anonymise_inactive(now=now) == 1
    with tenant_context(other_org["tenant"]):
        theirs.refresh_from_db()
        assert theirs.anonymised_at is not None


# --- API -------------------------------------------------------------------------------------
def test_api_exports_json_and_excel(api, guest):
    response = api("hq").get(f"/guests/{guest.pk}/personal-data?format=json")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    assert data["profile"]["name"] == "王大明" and len(data["orders"]) == 1
    response = api("hq").get(f"/guests/{guest.pk}/personal-data?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) == 11
    assert export_audits(guest).count() == 2


def test_api_refuses_a_bad_format(api, guest):
    assert_problem(
        api("hq").get(f"/guests/{guest.pk}/personal-data?format=csv"),
        400,
        "invalid_input",
        ["format"],
    )


def test_api_erases_once(api, guest):
    client = api("hq")
    response = client.post(f"/guests/{guest.pk}/erase", {"reason": "顾客书面要求"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == guest.pk and body["anonymised_at"] and "王" not in body["name"]
    assert Order.objects.filter(guest=guest).count() == 1
    assert_problem(
        client.post(f"/guests/{guest.pk}/erase", {"reason": "again"}), 409, "already_anonymised"
    )
    assert_problem(
        api("hq").post(f"/guests/{guest.pk}/erase", {"reason": ""}), 400, "invalid_input"
    )


def test_api_denies_without_the_permission_and_audits_it(api, users, guest):
    assert_problem(
        api("manager").get(f"/guests/{guest.pk}/personal-data"), 403, "permission_denied"
    )
    assert_problem(
        api("manager").post(f"/guests/{guest.pk}/erase", {"reason": "x"}), 403, "permission_denied"
    )
    assert (
        AuditEntry.objects.filter(
            actor=users["manager"], action=AuditEntry.Action.PERMISSION_DENIED
        ).count()
        == 2
    )
    guest.refresh_from_db()
    assert guest.anonymised_at is None


def test_api_does_not_find_another_tenants_guest(api, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13911112222"
        )
    client = api("hq")
    assert_problem(client.get(f"/guests/{theirs.pk}/personal-data"), 404, "not_found")
    assert_problem(client.post(f"/guests/{theirs.pk}/erase", {"reason": "x"}), 404, "not_found")
    with tenant_context(other_org["tenant"]):
        theirs.refresh_from_db()
        assert theirs.anonymised_at is None and theirs.name == "别家客"


# --- Pages -----------------------------------------------------------------------------------
def test_the_guest_page_links_to_personal_data_only_for_those_allowed(client, users, guest):
    client.force_login(users["hq"])
    page = client.get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert reverse("guest_privacy", args=[guest.pk]) in page
    client.force_login(users["manager"])
    page = client.get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert reverse("guest_privacy", args=[guest.pk]) not in page


def test_the_page_downloads_the_excel_file(client, hq, guest):
    client.force_login(hq)
    page = client.get(reverse("guest_privacy", args=[guest.pk]))
    assert page.status_code == 200 and b'data-testid="privacy-erase-form"' in page.content
    url = reverse("guest_personal_data_download", args=[guest.pk, "xlsx"])
    assert url.encode() in page.content
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) == 11 and export_audits(guest).count() == 1
    bad = client.get(reverse("guest_personal_data_download", args=[guest.pk, "csv"]))
    assert bad.status_code == 404


def test_the_erase_form_needs_reason_and_confirmation_then_erases(client, hq, guest):
    client.force_login(hq)
    url = reverse("guest_privacy", args=[guest.pk])
    refused = client.post(url, {"erase-reason": "", "erase-confirm": "on"})
    assert refused.status_code == 200 and b'data-testid="error-reason"' in refused.content
    unconfirmed = client.post(url, {"erase-reason": "顾客要求"})
    assert b'data-testid="error-confirm"' in unconfirmed.content
    guest.refresh_from_db()
    assert guest.anonymised_at is None
    done = client.post(url, {"erase-reason": "顾客要求", "erase-confirm": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("guest_detail", args=[guest.pk])
    guest.refresh_from_db()
    assert guest.anonymised_at is not None and guest.primary_phone == ""
    assert erase_audits(guest).get().changes["reason"] == "顾客要求"
    again = client.get(url)
    assert b'data-testid="privacy-erased"' in again.content
    assert b'data-testid="privacy-erase-form"' not in again.content


def test_the_pages_are_refused_without_the_permission(client, users, guest):
    client.force_login(users["manager"])
    assert client.get(reverse("guest_privacy", args=[guest.pk])).status_code == 403
    url = reverse("guest_personal_data_download", args=[guest.pk, "json"])
    assert client.get(url).status_code == 403
    posted = client.post(
        reverse("guest_privacy", args=[guest.pk]), {"erase-reason": "x", "erase-confirm": "on"}
    )
    assert posted.status_code == 403
    guest.refresh_from_db()
    assert guest.anonymised_at is None


def test_the_pages_do_not_find_another_tenants_guest(client, hq, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13911112222"
        )
    client.force_login(hq)
    assert client.get(reverse("guest_privacy", args=[theirs.pk])).status_code == 404


def test_tags_stay_attached_after_erasure(hq, guest):
    guest_erase(acting_user=hq, guest=guest, reason="要求删除")
    assert GuestTag.objects.get(name="常客").taggings.filter(guest=guest).exists()
