"""The guests API: guests as their sheet, lookup by phone, sub-resources, tags, revealing a
phone and the Excel export — with the problem body for bad input, tenancy and permissions."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.guests import permissions as guest_perms
from huike.guests import services
from huike.guests.models import Guest, GuestContact, GuestPhone, GuestTag, ImportantDate
from huike.org import services as org_services
from huike.org.models import Role


def make_guest(hq, **fields):
    data = {
        "name": "王大明",
        "surname": "王",
        "gender": "m",
        "primary_phone": "13812341234",
        "taboos": "花生过敏",
        **fields,
    }
    guest = services.guest_create(acting_user=hq, **data)
    Guest.objects.filter(pk=guest.pk).update(total_spend=Decimal("520.00"), visit_count=2)
    guest.refresh_from_db()
    return guest


@pytest.fixture
def guest(hq):
    return make_guest(hq)


@pytest.fixture
def foreign_guest(other_org):
    with tenant_context(other_org["tenant"]):
        return services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13912345678"
        )


# --- Create, read, change ----------------------------------------------------------------------
def test_create_returns_the_sheet_and_is_idempotent(org, api):
    hq = api()
    body = {
        "name": "李小红",
        "surname": "李",
        "gender": "f",
        "primary_phone": "+86 139 0000 1111",
        "birthday": "1990-02-28",
        "marketing_consent": True,
        "consent_source": "小程序",
        "home_store": org["store"].pk,
        "meal_type": "family",
    }
    first = hq.post("/guests", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.json()
    sheet = first.json()
    assert sheet["phone"] == "+8613900001111" and sheet["title"] == "李女士"
    assert sheet["home_store"] == {"id": org["store"].pk, "name": org["store"].name}
    assert sheet["consent_at"] and sheet["birthday"] == "1990-02-28"
    again = hq.post("/guests", body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == sheet["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Guest.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="guests.guest", action="create").count() == 1


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"primary_phone": "12345"}, "primary_phone"),
        ({"primary_phone": "+44 12"}, "primary_phone"),
        ({"birthday": "2026-02-30"}, "birthday"),
        ({"birthday": "1990-13-01"}, "birthday"),
        ({"name": "长" * 61}, "name"),
        ({"taboos": "辣" * 301}, "taboos"),
        ({"gender": "x"}, "gender"),
        ({"meal_type": "brunch"}, "meal_type"),
        ({"nickname": "小王"}, "nickname"),
        ({"email": "not-an-email"}, "email"),
        ({"home_store": 999999}, "home_store"),
        ({"referrer": 999999}, "referrer"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(org, api, changes, field):
    response = api(language="en").post("/guests", {"name": "测试", **changes})
    assert_problem(response, 400, "invalid_input", {field})
    assert not Guest.objects.exists()


def test_a_foreign_number_is_accepted_in_e164(org, api):
    response = api().post("/guests", {"name": "Tom", "primary_phone": "+44 20 7946 0958"})
    assert response.status_code == 201 and response.json()["phone"] == "+442079460958"


def test_a_taken_phone_is_a_field_error(api, guest):
    response = api().post("/guests", {"name": "重号", "primary_phone": "138-1234-1234"})
    body = assert_problem(response, 400, "phone_taken", {"primary_phone"})
    assert body["message"]


def test_patch_changes_only_what_is_sent(api, guest):
    response = api().patch(
        f"/guests/{guest.pk}", {"likes": "小炒肉", "primary_phone": "13700001111"}
    )
    assert response.status_code == 200
    sheet = response.json()
    assert sheet["likes"] == "小炒肉" and sheet["taboos"] == "花生过敏"
    assert sheet["phone"] == "+8613700001111"
    bad = api().patch(f"/guests/{guest.pk}", {"birthday": "2026-02-30"})
    assert_problem(bad, 400, "invalid_input", {"birthday"})
    self_ref = api().patch(f"/guests/{guest.pk}", {"referrer": guest.pk})
    assert_problem(self_ref, 400, "invalid_input", {"referrer"})


def test_a_waiter_reads_the_sheet_without_phone_or_spend_and_cannot_write(api, guest):
    waiter = api("waiter")
    sheet = waiter.get(f"/guests/{guest.pk}").json()
    assert sheet["taboos"] == "花生过敏" and sheet["phone"] == "138****1234"
    assert "total_spend" not in sheet and "visit_count" not in sheet
    assert_problem(waiter.patch(f"/guests/{guest.pk}", {"likes": "x"}), 403, "permission_denied")
    assert_problem(waiter.post("/guests", {"name": "x"}), 403, "permission_denied")
    full = api().get(f"/guests/{guest.pk}").json()
    assert full["phone"] == "+8613812341234" and full["total_spend"] == "520.00"


def test_another_tenants_guest_is_not_found(api, guest, foreign_guest):
    hq = api()
    assert_problem(hq.get(f"/guests/{foreign_guest.pk}"), 404, "not_found")
    assert_problem(hq.patch(f"/guests/{foreign_guest.pk}", {"likes": "x"}), 404, "not_found")
    assert_problem(
        hq.post(f"/guests/{foreign_guest.pk}/phones", {"phone": "13500001111"}), 404, "not_found"
    )
    assert_problem(hq.post(f"/guests/{foreign_guest.pk}/reveal-phone"), 404, "not_found")
    assert hq.get("/guests/lookup?phone=13912345678").status_code == 404
    assert [g["id"] for g in hq.get("/guests").json()["items"]] == [guest.pk]


# --- List and lookup ---------------------------------------------------------------------------
def test_list_filters_and_pages(org, api, hq):
    guests = [
        make_guest(
            hq,
            name=f"客{n}",
            surname="",
            primary_phone=f"1380000{n:04d}",
            home_store=org["store"] if n % 2 else None,
        )
        for n in range(5)
    ]
    client = api()
    page = client.get("/guests?limit=2&offset=1").json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert [g["name"] for g in client.get("/guests?phone_tail=0003").json()["items"]] == ["客3"]
    odd = client.get(f"/guests?store={org['store'].pk}").json()
    assert {g["id"] for g in odd["items"]} == {guests[1].pk, guests[3].pk}
    assert client.get("/guests?name=客4").json()["count"] == 1
    assert_problem(client.get("/guests?phone_tail=12"), 400, "invalid_input", {"phone_tail"})
    assert_problem(client.get("/guests?limit=0"), 400, "invalid_input", {"limit"})
    assert_problem(
        client.get("/guests?last_visit_from=2026-02-30"), 400, "invalid_input", {"last_visit_from"}
    )


def test_the_list_reads_in_a_bounded_number_of_queries(api, hq, django_assert_max_num_queries):
    client = api("desk")
    tag = services.guest_tag_create(acting_user=hq, name="常客")

    def add(n):
        for i in range(n):
            g = make_guest(
                hq, name=f"客{i}", surname="", primary_phone=f"1361111{Guest.objects.count():04d}"
            )
            services.guest_phone_add(
                acting_user=hq, guest=g, phone=f"1352222{Guest.objects.count():04d}"
            )
            services.tag_add(acting_user=hq, guest=g, tag=tag)

    add(2)
    client.get("/guests")
    with django_assert_max_num_queries(14) as few:
        assert client.get("/guests").json()["count"] == 2
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/guests").json()["items"]) == 10


def test_lookup_by_phone_in_one_call(api, hq, guest):
    services.guest_phone_add(acting_user=hq, guest=guest, phone="021 6288 1234")
    client = api("desk")
    by_primary = client.get("/guests/lookup?phone=138%201234%201234")
    assert by_primary.status_code == 200 and by_primary.json()["id"] == guest.pk
    assert by_primary.json()["phone"] == "138****1234"
    assert client.get("/guests/lookup?phone=%2B862162881234").json()["id"] == guest.pk
    assert_problem(client.get("/guests/lookup?phone=13900000000"), 404, "not_found")
    assert_problem(client.get("/guests/lookup?phone=12"), 400, "invalid_input", {"phone"})
    assert_problem(client.get("/guests/lookup"), 400, "invalid_input", {"phone"})


# --- Further phones, dates, contacts, tags -----------------------------------------------------
def test_phones_dates_contacts_and_tags_of_a_guest(api, guest):
    client = api()
    added = client.post(f"/guests/{guest.pk}/phones", {"phone": "13700003333", "label": "办公"})
    assert added.status_code == 201 and added.json()["phones"][0]["phone"] == "+8613700003333"
    taken = client.post(f"/guests/{guest.pk}/phones", {"phone": "13812341234"})
    assert_problem(taken, 400, "phone_taken", {"phone"})
    phone_id = added.json()["phones"][0]["id"]
    assert client.delete(f"/guests/{guest.pk}/phones/{phone_id}").status_code == 204
    assert not GuestPhone.objects.exists()

    dated = client.post(
        f"/guests/{guest.pk}/dates", {"kind": "anniversary", "date": "2008-08-08", "label": "结婚"}
    )
    assert dated.status_code == 201 and dated.json()["important_dates"][0]["date"] == "2008-08-08"
    assert_problem(
        client.post(f"/guests/{guest.pk}/dates", {"kind": "other", "date": "2026-02-30"}),
        400,
        "invalid_input",
        {"date"},
    )
    assert_problem(
        client.post(f"/guests/{guest.pk}/dates", {"kind": "holiday", "date": "2026-01-01"}),
        400,
        "invalid_input",
        {"kind"},
    )
    date_id = dated.json()["important_dates"][0]["id"]
    assert client.delete(f"/guests/{guest.pk}/dates/{date_id}").status_code == 204
    assert not ImportantDate.objects.exists()

    contact = client.post(
        f"/guests/{guest.pk}/contacts", {"name": "小张", "relation": "秘书", "phone": "13600001111"}
    )
    assert contact.status_code == 201 and contact.json()["contacts"][0]["phone"] == "+8613600001111"
    assert_problem(
        client.post(f"/guests/{guest.pk}/contacts", {"name": ""}), 400, "invalid_input", {"name"}
    )
    assert_problem(
        client.post(f"/guests/{guest.pk}/contacts", {"name": "x", "age": 3}),
        400,
        "invalid_input",
        {"age"},
    )
    contact_id = contact.json()["contacts"][0]["id"]
    assert client.delete(f"/guests/{guest.pk}/contacts/{contact_id}").status_code == 204
    assert not GuestContact.objects.exists()
    assert_problem(client.delete(f"/guests/{guest.pk}/contacts/{contact_id}"), 404, "not_found")


def test_tags_and_tagging(api, guest, other_org):
    client = api()
    created = client.post("/guest-tags", {"name": "VIP", "colour": "#D63939"})
    assert created.status_code == 201 and created.json()["colour"] == "#d63939"
    assert_problem(
        client.post("/guest-tags", {"name": "红", "colour": "red"}),
        400,
        "invalid_input",
        {"colour"},
    )
    assert_problem(client.post("/guest-tags", {"name": "VIP"}), 400, "invalid_input", {"name"})
    tag_id = created.json()["id"]
    patched = client.patch(f"/guest-tags/{tag_id}", {"colour": "#2fb344"})
    assert patched.json()["colour"] == "#2fb344"
    assert [t["name"] for t in api("waiter").get("/guest-tags").json()] == ["VIP"]

    tagged = client.post(f"/guests/{guest.pk}/tags", {"tag": tag_id})
    assert tagged.status_code == 201
    assert tagged.json()["tags"] == [
        {"id": tag_id, "name": "VIP", "colour": "#2fb344", "auto": False}
    ]
    with tenant_context(other_org["tenant"]):
        foreign = services.guest_tag_create(acting_user=other_org["users"]["hq"], name="外")
    assert_problem(
        client.post(f"/guests/{guest.pk}/tags", {"tag": foreign.pk}), 400, "invalid_input", {"tag"}
    )
    assert_problem(client.patch(f"/guest-tags/{foreign.pk}", {"name": "x"}), 404, "not_found")
    assert client.delete(f"/guests/{guest.pk}/tags/{tag_id}").status_code == 204
    assert_problem(client.delete(f"/guests/{guest.pk}/tags/{tag_id}"), 404, "not_found")
    assert GuestTag.objects.count() == 1


# --- Revealing the phone -----------------------------------------------------------------------
def test_reveal_phone_is_audited_and_limited(api, users, guest, monkeypatch):
    monkeypatch.setitem(guest_perms.REVEAL_DAILY_LIMITS, "desk", 1)
    desk = api("desk", language="en")
    revealed = desk.post(f"/guests/{guest.pk}/reveal-phone")
    assert revealed.status_code == 200
    assert revealed.json() == {"phone": "+8613812341234", "display": "138 1234 1234"}
    assert (
        AuditEntry.objects.filter(
            actor=users["desk"], action="reveal", object_id=str(guest.pk)
        ).count()
        == 1
    )
    body = assert_problem(
        desk.post(f"/guests/{guest.pk}/reveal-phone"), 429, "reveal_limit_reached"
    )
    assert "today" in body["message"]
    assert_problem(api("waiter").post(f"/guests/{guest.pk}/reveal-phone"), 403, "permission_denied")


# --- Export ------------------------------------------------------------------------------------
def workbook_rows(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.values)
    return rows[0], rows[1:]


def test_export_follows_the_sheet_and_is_audited(org, api, hq, users, guest):
    make_guest(hq, name="李四", surname="", primary_phone="13900002222")
    headers, rows = workbook_rows(api(language="en").get("/guests/export.xlsx"))
    assert "Total spend (CNY)" in headers and "Phone" in headers and len(rows) == 2
    assert "+8613812341234" in [r[headers.index("Phone")] for r in rows]
    entry = AuditEntry.objects.get(action="export", actor=hq)
    assert entry.changes["rows"] == 2 and "total_spend" in entry.changes["columns"]

    manager_role = Role.objects.get(code="manager")
    org_services.field_policy_set(
        acting_user=hq, role=manager_role, resource="guest", visible={"spend": False}
    )
    manager = api("manager", language="en")
    headers, rows = workbook_rows(manager.get("/guests/export.xlsx?phone_tail=1234"))
    assert "Total spend (CNY)" not in headers and "Visits" in headers and len(rows) == 1
    assert rows[0][headers.index("Phone")] == "138****1234"
    assert "520" not in str(rows)
    entry = AuditEntry.objects.get(action="export", actor=users["manager"])
    assert entry.changes["filters"] == {"phone_tail": "1234"}
    assert "total_spend" not in entry.changes["columns"]


def test_export_needs_the_permission(api, users, guest):
    assert_problem(api("desk").get("/guests/export.xlsx"), 403, "permission_denied")
    assert not AuditEntry.objects.filter(action="export").exists()


def test_export_filters_by_last_visit(api, hq, guest):
    from django.utils import timezone

    Guest.objects.filter(pk=guest.pk).update(last_visit_at=timezone.now())
    make_guest(hq, name="没来过", surname="", primary_phone="13900002222")
    today = dt.date.today().isoformat()
    _headers, rows = workbook_rows(api().get(f"/guests/export.xlsx?last_visit_from={today}"))
    assert len(rows) == 1
