import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.guests import services
from huike.guests.models import Guest


def test_create_normalises_the_phone_and_derives_the_form_of_address(hq):
    guest = services.guest_create(acting_user=hq, name="王大明", surname="王", gender="m",
                                  primary_phone="138 1234 1234")
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
        other = services.guest_create(acting_user=other_org["users"]["hq"], name="丙",
                                      primary_phone="13900001111")
    assert other.tenant == other_org["tenant"]


def test_get_or_create_by_phone_finds_the_existing_guest(hq):
    first, created = services.guest_get_or_create_by_phone(acting_user=hq, phone="13700002222",
                                                           name="新客")
    again, created_again = services.guest_get_or_create_by_phone(acting_user=hq,
                                                                 phone="+8613700002222")
    assert created and not created_again and first == again


def test_consent_changes_are_stamped(hq):
    guest = services.guest_create(acting_user=hq, name="同意", marketing_consent=True,
                                  consent_source="收银台口头同意")
    assert guest.consent_at is not None and guest.consent_source == "收银台口头同意"


def test_a_waiter_cannot_edit_profiles(users):
    with pytest.raises(errors.PermissionDenied):
        services.guest_create(acting_user=users["waiter"], name="越权")
