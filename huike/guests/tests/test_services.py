import datetime as dt

import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.guests import permissions as guest_perms
from huike.guests import selectors, services
from huike.guests.models import Guest, GuestContact, GuestPhone, GuestTag, ImportantDate


def test_create_normalises_the_phone_and_derives_the_form_of_address(hq):
    guest = services.guest_create(
        acting_user=hq, name="王大明", surname="王", gender="m", primary_phone="138 1234 1234"
    )
    assert guest.primary_phone == "+8613812341234" and guest.title == "王先生"
    assert AuditEntry.objects.filter(object_type="guests.guest", object_id=str(guest.pk)).exists()


@pytest.mark.parametrize("phone", ["12345", "abc", "+86 100"])
def test_invalid_phones_are_refused_and_nothing_is_written(hq, phone):
    with pytest.raises(errors.InvalidInput) as caught:
        services.guest_create(acting_user=hq, name="无效", primary_phone=phone)
    assert "primary_phone" in caught.value.fields
    assert not Guest.objects.exists()


def test_the_primary_phone_is_unique_in_the_tenant_only(hq, other_org):
    services.guest_create(acting_user=hq, name="甲", primary_phone="13900001111")
    with pytest.raises(errors.InvalidInput) as caught:
        services.guest_create(acting_user=hq, name="乙", primary_phone="+86 139 0000 1111")
    assert caught.value.code == "phone_taken"
    from huike.core.tenancy import tenant_context

    with tenant_context(other_org["tenant"]):
        other = services.guest_create(
            acting_user=other_org["users"]["hq"], name="丙", primary_phone="13900001111"
        )
    assert other.tenant == other_org["tenant"]


def test_get_or_create_by_phone_finds_the_existing_guest(hq):
    first, created = services.guest_get_or_create_by_phone(
        acting_user=hq, phone="13700002222", name="新客"
    )
    again, created_again = services.guest_get_or_create_by_phone(
        acting_user=hq, phone="+8613700002222"
    )
    assert created and not created_again and first == again


def test_consent_changes_are_stamped(hq):
    guest = services.guest_create(
        acting_user=hq, name="同意", marketing_consent=True, consent_source="收银台口头同意"
    )
    assert guest.consent_at is not None and guest.consent_source == "收银台口头同意"


def test_a_waiter_cannot_edit_profiles(users):
    with pytest.raises(errors.PermissionDenied):
        services.guest_create(acting_user=users["waiter"], name="越权")


# --- Further phones, important dates, contacts ------------------------------------------------


@pytest.fixture
def guest(hq):
    return services.guest_create(
        acting_user=hq,
        name="王大明",
        surname="王",
        gender="m",
        primary_phone="13812341234",
        taboos="不吃香菜",
    )


def audited(obj, action, pk=None):
    return AuditEntry.objects.filter(
        object_type=f"guests.{obj._meta.model_name}", object_id=str(pk or obj.pk), action=action
    ).exists()


def test_a_further_phone_is_normalised_and_audited(hq, guest):
    phone = services.guest_phone_add(
        acting_user=hq, guest=guest, phone="021-6288 1234", label="办公室"
    )
    assert phone.phone == "+862162881234" and audited(phone, "create")
    pk = phone.pk
    services.guest_phone_remove(acting_user=hq, phone=phone)
    assert not GuestPhone.objects.exists() and audited(phone, "delete", pk)


@pytest.mark.parametrize("raw", ["12345", "+44 12", "电话", ""])
def test_an_invalid_further_phone_is_refused(hq, guest, raw):
    with pytest.raises(errors.InvalidInput) as caught:
        services.guest_phone_add(acting_user=hq, guest=guest, phone=raw)
    assert "phone" in caught.value.fields and not GuestPhone.objects.exists()


def test_a_foreign_number_is_kept_in_e164(hq, guest):
    phone = services.guest_phone_add(acting_user=hq, guest=guest, phone="+44 20 7946 0958")
    assert phone.phone == "+442079460958"


def test_a_further_phone_may_not_be_another_guests_primary_or_its_own(hq, guest):
    services.guest_create(acting_user=hq, name="李四", primary_phone="13900002222")
    for raw in ["139 0000 2222", "+86 138 1234 1234"]:
        with pytest.raises(errors.InvalidInput) as caught:
            services.guest_phone_add(acting_user=hq, guest=guest, phone=raw)
        assert caught.value.code == "phone_taken" and "phone" in caught.value.fields
    services.guest_phone_add(acting_user=hq, guest=guest, phone="13700003333")
    with pytest.raises(errors.InvalidInput) as twice:
        services.guest_phone_add(acting_user=hq, guest=guest, phone="137 0000 3333")
    assert "phone" in twice.value.fields
    assert GuestPhone.objects.count() == 1


def test_important_dates_are_added_and_impossible_ones_refused(hq, guest):
    date = services.important_date_add(
        acting_user=hq,
        guest=guest,
        kind="anniversary",
        date=dt.date(2010, 5, 20),
        label="结婚纪念日",
    )
    assert audited(date, "create")
    for bad in ["2026-02-30", "2026-13-01", "明天"]:
        with pytest.raises(errors.InvalidInput) as caught:
            services.important_date_add(acting_user=hq, guest=guest, kind="other", date=bad)
        assert "date" in caught.value.fields
    with pytest.raises(errors.InvalidInput) as kind:
        services.important_date_add(
            acting_user=hq, guest=guest, kind="holiday", date=dt.date(2026, 1, 1)
        )
    assert "kind" in kind.value.fields
    assert ImportantDate.objects.count() == 1
    pk = date.pk
    services.important_date_remove(acting_user=hq, important_date=date)
    assert not ImportantDate.objects.exists() and audited(date, "delete", pk)


def test_contacts_normalise_their_phone_and_refuse_bad_input(hq, guest):
    contact = services.guest_contact_add(
        acting_user=hq, guest=guest, name="小张", relation="秘书", phone="13600001111"
    )
    assert contact.phone == "+8613600001111" and audited(contact, "create")
    with pytest.raises(errors.InvalidInput) as long_name:
        services.guest_contact_add(acting_user=hq, guest=guest, name="张" * 61)
    assert "name" in long_name.value.fields
    with pytest.raises(errors.InvalidInput) as bad_phone:
        services.guest_contact_add(acting_user=hq, guest=guest, name="小李", phone="123")
    assert "phone" in bad_phone.value.fields
    assert GuestContact.objects.count() == 1
    services.guest_contact_remove(acting_user=hq, contact=contact)
    assert not GuestContact.objects.exists()


def test_a_waiter_cannot_change_phones_dates_contacts_or_tags(users, guest):
    waiter = users["waiter"]
    with pytest.raises(errors.PermissionDenied):
        services.guest_phone_add(acting_user=waiter, guest=guest, phone="13700003333")
    with pytest.raises(errors.PermissionDenied):
        services.important_date_add(
            acting_user=waiter, guest=guest, kind="other", date=dt.date(2026, 1, 1)
        )
    with pytest.raises(errors.PermissionDenied):
        services.guest_tag_create(acting_user=waiter, name="VIP")


def test_the_referrer_is_a_guest_of_the_tenant_and_not_oneself(hq, guest, other_org):
    from huike.core.tenancy import tenant_context

    with tenant_context(other_org["tenant"]):
        foreign = services.guest_create(acting_user=other_org["users"]["hq"], name="外人")
    with pytest.raises(errors.InvalidInput) as caught:
        services.guest_update(acting_user=hq, guest=guest, referrer=foreign.pk)
    assert "referrer" in caught.value.fields
    with pytest.raises(errors.InvalidInput) as itself:
        services.guest_update(acting_user=hq, guest=guest, referrer=guest.pk)
    assert "referrer" in itself.value.fields
    friend = services.guest_create(acting_user=hq, name="老朋友")
    services.guest_update(acting_user=hq, guest=guest, referrer=friend.pk)
    guest.refresh_from_db()
    assert guest.referrer == friend


# --- Tags --------------------------------------------------------------------------------------
def test_tags_have_a_validated_colour_and_a_unique_name(hq):
    tag = services.guest_tag_create(acting_user=hq, name="VIP", colour="#D63939")
    assert tag.colour == "#d63939" and audited(tag, "create")
    for colour in ["red", "#12345", "#gggggg", "d63939", ""]:
        with pytest.raises(errors.InvalidInput) as caught:
            services.guest_tag_create(acting_user=hq, name=f"t{colour}", colour=colour)
        assert "colour" in caught.value.fields
    with pytest.raises(errors.InvalidInput) as taken:
        services.guest_tag_create(acting_user=hq, name="VIP")
    assert "name" in taken.value.fields
    with pytest.raises(errors.InvalidInput) as too_long:
        services.guest_tag_create(acting_user=hq, name="标" * 31)
    assert "name" in too_long.value.fields
    services.guest_tag_update(acting_user=hq, tag=tag, name="贵宾", colour="#2fb344")
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("贵宾", "#2fb344") and audited(tag, "update")
    with pytest.raises(errors.InvalidInput) as unknown:
        services.guest_tag_update(acting_user=hq, tag=tag, rule={"visits": 3})
    assert "rule" in unknown.value.fields
    assert GuestTag.objects.count() == 1


def test_tagging_a_guest_is_idempotent_and_audited(hq, guest):
    tag = services.guest_tag_create(acting_user=hq, name="常客")
    first = services.tag_add(acting_user=hq, guest=guest, tag=tag)
    again = services.tag_add(acting_user=hq, guest=guest, tag=tag)
    assert first.pk == again.pk and not first.auto and first.added_by == hq
    assert audited(first, "create")
    pk = first.pk
    services.tag_remove(acting_user=hq, guest=guest, tag=tag)
    assert not guest.taggings.exists() and audited(first, "delete", pk)
    with pytest.raises(errors.NotFound):
        services.tag_remove(acting_user=hq, guest=guest, tag=tag)


# --- Revealing a masked phone ------------------------------------------------------------------
def reveals(user):
    return AuditEntry.objects.filter(actor=user, action="reveal").count()


def test_revealing_a_phone_is_audited(users, guest):
    desk = users["desk"]
    assert services.guest_phone_reveal(acting_user=desk, guest=guest) == "+8613812341234"
    entry = AuditEntry.objects.get(actor=desk, action="reveal")
    assert entry.object_id == str(guest.pk) and entry.changes["masked"] == "138****1234"


def test_revealing_stops_at_the_roles_daily_limit(users, guest, monkeypatch):
    monkeypatch.setitem(guest_perms.REVEAL_DAILY_LIMITS, "desk", 2)
    desk = users["desk"]
    for _ in range(2):
        services.guest_phone_reveal(acting_user=desk, guest=guest)
    with pytest.raises(errors.Throttled) as caught:
        services.guest_phone_reveal(acting_user=desk, guest=guest)
    assert caught.value.code == "reveal_limit_reached"
    assert reveals(desk) == 2  # the refused reveal is not recorded as one
    # Another user of the same role has their own count; tomorrow the count starts again.
    assert services.guest_phone_reveal(acting_user=users["manager"], guest=guest)
    monkeypatch.setattr(services, "local_today", lambda: dt.date.today() + dt.timedelta(days=2))
    assert services.guest_phone_reveal(acting_user=desk, guest=guest) == "+8613812341234"


def test_the_default_limit_applies_to_roles_without_their_own(monkeypatch):
    monkeypatch.setattr(guest_perms, "DEFAULT_REVEAL_LIMIT", 7)
    assert guest_perms.reveal_daily_limit("captain") == 7
    assert guest_perms.reveal_daily_limit("desk") == 50


def test_who_may_not_reveal_is_refused_and_who_sees_phones_needs_no_reveal(users, hq, guest):
    with pytest.raises(errors.PermissionDenied):
        services.guest_phone_reveal(acting_user=users["waiter"], guest=guest)
    assert services.guest_phone_reveal(acting_user=hq, guest=guest) == "+8613812341234"
    assert reveals(hq) == 0
    no_phone = services.guest_create(acting_user=hq, name="无电话")
    with pytest.raises(errors.InvalidInput) as caught:
        services.guest_phone_reveal(acting_user=users["desk"], guest=no_phone)
    assert caught.value.code == "no_phone"


# --- Finding guests ----------------------------------------------------------------------------
def test_guest_by_phone_matches_any_format_further_phones_and_follows_merges(hq, guest):
    assert selectors.guest_by_phone("+86 138-1234-1234") == guest
    services.guest_phone_add(acting_user=hq, guest=guest, phone="13700003333")
    assert selectors.guest_by_phone("137 0000 3333") == guest
    assert selectors.guest_by_phone("13900009999") is None
    survivor = services.guest_create(acting_user=hq, name="王大明（新）")
    Guest.objects.filter(pk=guest.pk).update(merged_into=survivor)
    assert selectors.guest_by_phone("13812341234") == survivor
    with pytest.raises(errors.InvalidInput) as caught:
        selectors.guest_by_phone("12")
    assert "phone" in caught.value.fields


def test_guest_list_filters(org, hq):
    from django.utils import timezone

    a = services.guest_create(
        acting_user=hq, name="张三", primary_phone="13800001234", home_store=org["store"]
    )
    b = services.guest_create(
        acting_user=hq, name="李四", primary_phone="13900005678", home_store=org["store2"]
    )
    c = services.guest_create(acting_user=hq, name="张小三", primary_phone="13700009999")
    services.guest_phone_add(acting_user=hq, guest=c, phone="13600001234")
    merged = services.guest_create(acting_user=hq, name="张合并")
    Guest.objects.filter(pk=merged.pk).update(merged_into=a)
    gone = services.guest_create(acting_user=hq, name="张匿名")
    Guest.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())
    vip = services.guest_tag_create(acting_user=hq, name="VIP")
    services.tag_add(acting_user=hq, guest=b, tag=vip)
    now = timezone.now()
    Guest.objects.filter(pk=a.pk).update(last_visit_at=now - dt.timedelta(days=40))
    Guest.objects.filter(pk=b.pk).update(last_visit_at=now - dt.timedelta(days=2))

    def found(**filters):
        return set(selectors.guest_list(user=hq, **filters))

    assert found() == {a, b, c}
    assert found(name="张") == {a, c}
    assert found(phone_tail="1234") == {a, c}
    assert found(tag=vip.pk) == {b}
    assert found(store=org["store"].pk) == {a}
    today = now.date()
    assert found(last_visit_from=today - dt.timedelta(days=10)) == {b}
    assert found(last_visit_to=today - dt.timedelta(days=10)) == {a}
    assert list(selectors.guest_list(user=hq))[0] == b  # latest visit first
    with pytest.raises(errors.InvalidInput) as caught:
        found(phone_tail="12a4")
    assert "phone_tail" in caught.value.fields


def test_simultaneous_reveals_never_pass_the_limit(live_org, monkeypatch):
    from huike.core.tenancy import tenant_context
    from huike.core.testing import fire_concurrently

    monkeypatch.setitem(guest_perms.REVEAL_DAILY_LIMITS, "desk", 3)
    users = live_org["users"]
    guest = services.guest_create(acting_user=users["hq"], name="抢看", primary_phone="13811112222")
    desk_model = type(users["desk"])

    def call(_i):
        with tenant_context(live_org["tenant"]):
            return services.guest_phone_reveal(
                acting_user=desk_model.objects.get(pk=users["desk"].pk),
                guest=Guest.objects.get(pk=guest.pk),
            )

    outcomes = fire_concurrently(call, 8)
    revealed = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if isinstance(o.error, errors.Throttled)]
    assert len(revealed) == 3 and len(refused) == 5
    assert {o.value for o in revealed} == {"+8613811112222"}
    assert AuditEntry.objects.filter(actor=users["desk"], action="reveal").count() == 3
