"""Console pages of the guests app: the list with filters and export, the guest page with the
guest sheet, the masked phone and its reveal, inline phones/dates/contacts/tags, the guest form
and the tag page."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.guests import permissions as guest_perms
from huike.guests import services
from huike.guests.models import Guest, GuestContact, GuestPhone, GuestTag, ImportantDate

HX = {"HX-Request": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def in_chinese(message: str) -> str:
    with translation.override("zh-hans"):
        return escape(translation.gettext(message))


def row_of(html: str, guest_id: int) -> str:
    match = re.search(rf'<tr[^>]*data-guest-id="{guest_id}".*?</tr>', html, re.S)
    assert match, f"no row for guest {guest_id}"
    return match.group(0)


@pytest.fixture
def guest(org, hq):
    guest = services.guest_create(
        acting_user=hq,
        name="王大明",
        surname="王",
        gender="m",
        primary_phone="13812341234",
        taboos="花生过敏",
        notes="喜欢靠窗",
        home_store=org["store"],
    )
    Guest.objects.filter(pk=guest.pk).update(total_spend=Decimal("888.00"), visit_count=4)
    guest.refresh_from_db()
    return guest


GUEST_POST = {
    "name": "李小红",
    "surname": "李",
    "title": "",
    "gender": "f",
    "primary_phone": "139 0000 1111",
    "email": "",
    "birthday": "1990-02-28",
    "company": "",
    "job_title": "",
    "address": "",
    "referrer_phone": "",
    "taste_preferences": "清淡",
    "dish_requirements": "",
    "likes": "",
    "taboos": "海鲜过敏",
    "preferred_room": "",
    "meal_type": "family",
    "preferred_channel": "sms",
    "consent_source": "",
    "home_store": "",
    "notes": "",
}


# --- Pages and menu --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,with_guest",
    [
        ("guest_list", False),
        ("guest_create", False),
        ("guest_detail", True),
        ("guest_edit", True),
        ("tag_list", False),
    ],
)
def test_each_page_renders_for_hq(client, hq, guest, name, with_guest):
    url = reverse(name, args=[guest.pk] if with_guest else [])
    response = signed_in(client, hq).get(url)
    assert response.status_code == 200 and b"<html" in response.content


def test_the_menu_links_guests_for_who_may_see_them(client, users):
    assert tid("nav-guests") in signed_in(client, users["waiter"]).get("/").content.decode()
    assert tid("nav-guests") not in signed_in(client, users["agent"]).get("/").content.decode()
    assert signed_in(client, users["agent"]).get(reverse("guest_list")).status_code == 403


def test_another_tenants_guest_is_a_404(client, hq, guest, other_org):
    with tenant_context(other_org["tenant"]):
        foreign = services.guest_create(acting_user=other_org["users"]["hq"], name="别家客")
    signed_in(client, hq)
    assert client.get(reverse("guest_detail", args=[foreign.pk])).status_code == 404
    assert (
        client.post(
            reverse("guest_phone_add", args=[foreign.pk]), {"phone-phone": "13500001111"}
        ).status_code
        == 404
    )


# --- List ------------------------------------------------------------------------------------
def test_the_list_shows_masked_phones_and_filters_with_htmx(client, users, hq, guest):
    other = services.guest_create(acting_user=hq, name="李四", primary_phone="13900005678")
    page = signed_in(client, users["desk"]).get(reverse("guest_list")).content.decode()
    assert tid("guest-table") in page and tid("guest-filters") in page
    row = row_of(page, guest.pk)
    assert "138****1234" in row and "13812341234" not in page
    assert tid("col-spend") not in page  # the desk doesn't see spend
    assert tid("guest-export") not in page  # nor may it export
    partial = client.get(reverse("guest_list"), {"phone_tail": "5678"}, headers=HX)
    html = partial.content.decode()
    assert "<html" not in html and f'data-guest-id="{other.pk}"' in html
    assert f'data-guest-id="{guest.pk}"' not in html
    bad = client.get(reverse("guest_list"), {"phone_tail": "56"}).content.decode()
    assert tid("error-phone_tail") in bad and tid("guest-row") not in bad


def test_the_list_pages(client, hq):
    for n in range(30):
        services.guest_create(acting_user=hq, name=f"客{n:02d}", primary_phone=f"1370000{n:04d}")
    first = signed_in(client, hq).get(reverse("guest_list")).content.decode()
    assert first.count(tid("guest-row")) == 25 and tid("page-next") in first
    second = client.get(reverse("guest_list"), {"page": 2}).content.decode()
    assert second.count(tid("guest-row")) == 5


def test_the_list_reads_in_a_bounded_number_of_queries(client, hq, django_assert_max_num_queries):
    tag = services.guest_tag_create(acting_user=hq, name="VIP")
    for n in range(20):
        g = services.guest_create(acting_user=hq, name=f"客{n}", primary_phone=f"1370000{n:04d}")
        services.tag_add(acting_user=hq, guest=g, tag=tag)
    signed_in(client, hq)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("guest_list"))
    assert response.content.decode().count(tid("guest-tag")) == 20


def test_the_export_button_downloads_what_the_sheet_shows(client, users, guest):
    manager = users["manager"]
    page = signed_in(client, manager).get(reverse("guest_list"), {"name": "王"}).content.decode()
    assert tid("guest-export") in page
    assert f"{reverse('guest_export')}?name=%E7%8E%8B" in page  # the list's filters go along
    response = client.get(reverse("guest_export"), {"name": "王"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content)), read_only=True
        ).active.values
    )
    assert len(rows) == 2 and "138****1234" in rows[1]
    assert AuditEntry.objects.get(action="export", actor=manager).changes["filters"] == {
        "name": "王"
    }
    refused = client.get(reverse("guest_export"), {"phone_tail": "12"})
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("guest_list"))
    assert AuditEntry.objects.filter(action="export").count() == 1
    assert signed_in(client, users["desk"]).get(reverse("guest_export")).status_code == 403


# --- The guest page --------------------------------------------------------------------------
def test_a_waiter_sees_taboos_but_not_spend_phone_or_the_reveal_button(client, users, guest):
    page = (
        signed_in(client, users["waiter"])
        .get(reverse("guest_detail", args=[guest.pk]))
        .content.decode()
    )
    assert "花生过敏" in page and tid("sheet-taboos") in page
    assert "138****1234" in page and "13812341234" not in page and "1234 1234" not in page
    assert tid("sheet-total_spend") not in page and "888" not in page
    assert tid("sheet-notes") not in page and "喜欢靠窗" not in page
    assert tid("reveal-phone") not in page and tid("phone-form") not in page


def test_hq_sees_the_full_phone_and_spend(client, hq, guest):
    page = signed_in(client, hq).get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert "+8613812341234" in page and "¥888.00" in page and tid("reveal-phone") not in page


def test_the_desk_reveals_the_phone_with_htmx_and_it_is_audited(client, users, guest, monkeypatch):
    desk = users["desk"]
    page = signed_in(client, desk).get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert tid("reveal-phone") in page and "138****1234" in page
    url = reverse("guest_reveal_phone", args=[guest.pk])
    revealed = client.post(url, headers=HX).content.decode()
    assert "138 1234 1234" in revealed and "<html" not in revealed
    assert AuditEntry.objects.filter(actor=desk, action="reveal").count() == 1
    monkeypatch.setitem(guest_perms.REVEAL_DAILY_LIMITS, "desk", 1)
    refused = client.post(url, headers=HX).content.decode()
    assert tid("reveal-error") in refused and "138 1234 1234" not in refused
    assert AuditEntry.objects.filter(actor=desk, action="reveal").count() == 1
    assert signed_in(client, users["waiter"]).post(url).status_code == 403


def test_phones_are_added_and_removed_inline(client, hq, guest):
    signed_in(client, hq)
    url = reverse("guest_phone_add", args=[guest.pk])
    section = client.post(url, {"phone-phone": "13700003333", "phone-label": "办公"}, headers=HX)
    html = section.content.decode()
    assert section.status_code == 200 and tid("section-phones") in html and "<html" not in html
    assert "+8613700003333" in html
    bad = client.post(url, {"phone-phone": "12345"}, headers=HX).content.decode()
    assert tid("error-phone") in bad
    taken = client.post(url, {"phone-phone": "138 1234 1234"}, headers=HX).content.decode()
    assert tid("error-phone") in taken
    phone = GuestPhone.objects.get()
    removed = client.post(reverse("guest_phone_remove", args=[guest.pk, phone.pk]), headers=HX)
    assert tid("phone-row") not in removed.content.decode() and not GuestPhone.objects.exists()
    plain = client.post(url, {"phone-phone": "13700004444"})
    assert plain.status_code == 302 and plain["Location"] == reverse(
        "guest_detail", args=[guest.pk]
    )


def test_dates_and_contacts_are_added_inline_and_bad_input_is_shown(client, hq, guest):
    signed_in(client, hq)
    dates = reverse("guest_date_add", args=[guest.pk])
    impossible = client.post(
        dates, {"date-kind": "anniversary", "date-date": "2026-02-30"}, headers=HX
    ).content.decode()
    assert tid("error-date") in impossible and not ImportantDate.objects.exists()
    ok = client.post(
        dates,
        {"date-kind": "anniversary", "date-date": "2008-08-08", "date-label": "结婚"},
        headers=HX,
    ).content.decode()
    assert "2008-08-08" in ok and ImportantDate.objects.count() == 1
    contacts = reverse("guest_contact_add", args=[guest.pk])
    long_name = client.post(contacts, {"contact-name": "张" * 61}, headers=HX).content.decode()
    assert tid("error-name") in long_name
    bad_phone = client.post(
        contacts, {"contact-name": "小张", "contact-phone": "1"}, headers=HX
    ).content.decode()
    assert tid("error-phone") in bad_phone and not GuestContact.objects.exists()
    added = client.post(
        contacts, {"contact-name": "小张", "contact-relation": "秘书"}, headers=HX
    ).content.decode()
    assert "小张" in added and GuestContact.objects.count() == 1
    contact = GuestContact.objects.get()
    client.post(reverse("guest_contact_remove", args=[guest.pk, contact.pk]), headers=HX)
    assert not GuestContact.objects.exists()


def test_tags_are_set_inline(client, hq, guest):
    tag = services.guest_tag_create(acting_user=hq, name="VIP", colour="#d63939")
    signed_in(client, hq)
    html = client.post(
        reverse("guest_tagging_add", args=[guest.pk]), {"tagging-tag": tag.pk}, headers=HX
    ).content.decode()
    assert tid("tag-chip") in html and "#d63939" in html and guest.taggings.count() == 1
    client.post(reverse("guest_tagging_remove", args=[guest.pk, tag.pk]), headers=HX)
    assert not guest.taggings.exists()


# --- Guest form ------------------------------------------------------------------------------
def test_create_a_guest_through_the_form(client, hq):
    response = signed_in(client, hq).post(
        reverse("guest_create"),
        {**GUEST_POST, "marketing_consent": "on", "consent_source": "前台登记"},
    )
    guest = Guest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("guest_detail", args=[guest.pk])
    assert guest.primary_phone == "+8613900001111" and guest.title == "李女士"
    assert guest.marketing_consent and guest.consent_at and guest.consent_source == "前台登记"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"primary_phone": "12345"}, "primary_phone"),
        ({"primary_phone": "+44 12"}, "primary_phone"),
        ({"birthday": "2026-02-30"}, "birthday"),
        ({"name": "长" * 61}, "name"),
        ({"email": "x@"}, "email"),
        ({"marketing_consent": "on"}, "consent_source"),
        ({"referrer_phone": "13900009999"}, "referrer_phone"),
        ({"meal_type": "brunch"}, "meal_type"),
    ],
)
def test_bad_input_is_shown_beside_the_field(client, hq, changes, field):
    response = signed_in(client, hq).post(
        reverse("guest_create"), {**GUEST_POST, **changes}, headers=HX
    )
    html = response.content.decode()
    assert tid(f"error-{field}") in html and tid("guest-form") in html
    assert not Guest.objects.exists()


def test_a_taken_phone_is_shown_beside_the_phone(client, hq, guest):
    html = (
        signed_in(client, hq)
        .post(reverse("guest_create"), {**GUEST_POST, "primary_phone": "13812341234"})
        .content
    )
    assert tid("error-primary_phone") in html.decode()
    assert in_chinese("Another guest already has this phone number.") in html.decode()


def test_edit_keeps_hidden_fields_out_of_the_form(client, users, hq, guest):
    desk = users["desk"]
    page = signed_in(client, desk).get(reverse("guest_edit", args=[guest.pk])).content.decode()
    assert tid("guest-form") in page and "13812341234" not in page
    assert tid("field-primary_phone") not in page and tid("field-notes") in page
    response = client.post(
        reverse("guest_edit", args=[guest.pk]),
        {**GUEST_POST, "name": "王大明", "taboos": "花生、芒果过敏"},
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.taboos == "花生、芒果过敏" and guest.primary_phone == "+8613812341234"
    assert AuditEntry.objects.filter(
        object_type="guests.guest", action="update", actor=desk
    ).exists()


def test_the_referrer_is_found_by_phone(client, hq, guest):
    signed_in(client, hq).post(
        reverse("guest_create"), {**GUEST_POST, "referrer_phone": "138 1234 1234"}
    )
    assert Guest.objects.get(name="李小红").referrer == guest


# --- Tags page -------------------------------------------------------------------------------
def test_tags_are_created_and_edited_on_the_tag_page(client, hq, users):
    signed_in(client, hq)
    response = client.post(reverse("tag_list"), {"name": "VIP", "colour": "#D63939"})
    assert response.status_code == 302
    tag = GuestTag.objects.get()
    assert tag.colour == "#d63939"
    bad = client.post(reverse("tag_list"), {"name": "红", "colour": "red"}, headers=HX)
    assert tid("error-colour") in bad.content.decode()
    taken = client.post(reverse("tag_list"), {"name": "VIP", "colour": "#000000"}, headers=HX)
    assert tid("error-name") in taken.content.decode()
    client.post(reverse("tag_edit", args=[tag.pk]), {"name": "贵宾", "colour": "#2fb344"})
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("贵宾", "#2fb344")
    page = signed_in(client, users["waiter"]).get(reverse("tag_list")).content.decode()
    assert tid("tag-row") in page and tid("tag-form") not in page and tid("tag-edit") not in page


def test_a_merged_guest_points_to_the_survivor(client, hq, guest):
    survivor = services.guest_create(acting_user=hq, name="王大明（保留）")
    Guest.objects.filter(pk=guest.pk).update(merged_into=survivor)
    page = signed_in(client, hq).get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert tid("guest-merged") in page and reverse("guest_detail", args=[survivor.pk]) in page
    listing = client.get(reverse("guest_list")).content.decode()
    assert f'data-guest-id="{guest.pk}"' not in listing
