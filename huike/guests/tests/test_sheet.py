"""The guest sheet (客情表, G5): one server-side filter of what each role sees of a guest."""

import datetime as dt
from decimal import Decimal

import pytest

from huike.guests import selectors, services
from huike.guests.models import Guest
from huike.org import services as org_services
from huike.org.models import Role


@pytest.fixture
def guest(org, hq):
    guest = services.guest_create(
        acting_user=hq,
        name="王大明",
        surname="王",
        gender="m",
        primary_phone="13812341234",
        email="wang@example.com",
        birthday=dt.date(1980, 5, 1),
        company="湘江科技",
        job_title="总经理",
        address="长沙市芙蓉路 1 号",
        taste_preferences="微辣",
        dish_requirements="少油",
        likes="剁椒鱼头",
        taboos="花生过敏",
        preferred_room="牡丹厅",
        meal_type="business",
        marketing_consent=True,
        consent_source="收银台",
        home_store=org["store"],
        notes="喜欢靠窗",
    )
    Guest.objects.filter(pk=guest.pk).update(visit_count=3, total_spend=Decimal("1288.50"))
    services.guest_phone_add(acting_user=hq, guest=guest, phone="13700003333", label="秘书")
    services.important_date_add(
        acting_user=hq, guest=guest, kind="anniversary", date=dt.date(2005, 10, 1)
    )
    services.guest_contact_add(
        acting_user=hq, guest=guest, name="小张", relation="秘书", phone="13600001111"
    )
    services.tag_add(
        acting_user=hq,
        guest=guest,
        tag=services.guest_tag_create(acting_user=hq, name="VIP", colour="#d63939"),
    )
    guest.refresh_from_db()
    return guest


def sheet_of(user, guest):
    return selectors.guest_sheet(user=user, guest=guest)


def test_a_waiter_sees_taste_and_taboos_but_not_the_phone_or_spend(users, guest):
    sheet = sheet_of(users["waiter"], guest)
    assert sheet["taboos"] == "花生过敏" and sheet["taste_preferences"] == "微辣"
    assert sheet["tags"] == [
        {"id": sheet["tags"][0]["id"], "name": "VIP", "colour": "#d63939", "auto": False}
    ]
    assert sheet["phone"] == "138****1234" and sheet["phone_masked"] is True
    assert sheet["phones"][0]["phone"] == "137****3333"
    for hidden in [
        "total_spend",
        "visit_count",
        "email",
        "address",
        "contacts",
        "notes",
        "birthday",
        "important_dates",
        "company",
        "marketing_consent",
    ]:
        assert hidden not in sheet, hidden
    assert "13812341234" not in str(sheet) and "1288" not in str(sheet)


def test_hq_sees_everything_in_full(hq, guest):
    sheet = sheet_of(hq, guest)
    assert sheet["phone"] == "+8613812341234" and sheet["phone_masked"] is False
    assert sheet["phones"][0]["phone"] == "+8613700003333"
    assert sheet["contacts"][0]["phone"] == "+8613600001111"
    assert sheet["total_spend"] == "1288.50" and sheet["visit_count"] == 3
    assert sheet["important_dates"][0]["date"] == "2005-10-01"
    assert sheet["birthday"] == "1980-05-01" and sheet["title"] == "王先生"
    assert sheet["home_store"]["name"] == guest.home_store.name
    assert sheet["marketing_consent"] is True and sheet["consent_source"] == "收银台"


def test_the_desk_sees_contacts_with_masked_phones_and_a_cashier_sees_spend(users, guest):
    desk = sheet_of(users["desk"], guest)
    assert desk["contacts"][0]["phone"] == "136****1111" and "total_spend" not in desk
    assert desk["visit_count"] == 3 and desk["company"] == "湘江科技"
    cashier = sheet_of(users["cashier"], guest)
    assert cashier["total_spend"] == "1288.50" and "notes" not in cashier


def test_hq_changes_what_a_role_sees_and_the_sheet_follows(hq, users, guest):
    waiter_role = Role.objects.get(code="waiter")
    org_services.field_policy_set(
        acting_user=hq,
        role=waiter_role,
        resource="guest",
        visible={"spend": True, "taboos": False, "phone": True},
    )
    waiter = type(users["waiter"]).objects.get(pk=users["waiter"].pk)  # fresh access
    sheet = sheet_of(waiter, guest)
    assert sheet["total_spend"] == "1288.50" and "taboos" not in sheet
    assert sheet["phone"] == "+8613812341234" and sheet["phone_masked"] is False


def test_sheet_keys_are_the_keys_of_every_sheet(users, guest):
    for role in ["waiter", "desk", "cashier", "marketing", "hq"]:
        assert list(sheet_of(users[role], guest)) == selectors.sheet_keys(user=users[role])


def test_a_user_without_a_role_sees_only_the_masked_phone(db, guest):
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger", password="x-pw-123456")
    sheet = sheet_of(stranger, guest)
    assert set(sheet) == set(selectors.ALWAYS_SHOWN) and sheet["phone"] == "138****1234"


def test_the_sheet_reads_in_a_fixed_number_of_queries(
    hq, users, guest, django_assert_max_num_queries
):
    for n in range(5):
        services.guest_phone_add(acting_user=hq, guest=guest, phone=f"1350000{n:04d}")
        services.guest_contact_add(acting_user=hq, guest=guest, name=f"联系人{n}")
        services.tag_add(
            acting_user=hq,
            guest=guest,
            tag=services.guest_tag_create(acting_user=hq, name=f"标签{n}"),
        )
    waiter = users["waiter"]
    selectors.guest_sheet(user=waiter, guest=guest)  # the field policy is read once per user
    with django_assert_max_num_queries(6):
        fetched = selectors.guest_get_for_user(user=hq, guest_id=guest.pk)
        sheet = selectors.guest_sheet(user=hq, guest=fetched)
    assert len(sheet["phones"]) == 6 and len(sheet["tags"]) == 6 and len(sheet["contacts"]) == 6
