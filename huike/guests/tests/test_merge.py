"""Merging duplicate guests (G4) through the service: every linked row moves, the history is
recounted, blank fields are filled and taboos joined, the duplicate stays as a redirect, the
record says what moved, and an HQ undo puts everything back; refusals (the same guest, a merged
or erased guest, another brand group, no permission) write nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.guests import services
from huike.guests.merge_selectors import merge_guest_get
from huike.guests.merging import guest_merge, guest_merge_undo
from huike.guests.models import (
    CollectedFact,
    Guest,
    GuestMerge,
    GuestPhone,
    GuestTagging,
    MergeCandidate,
)
from huike.guests.privacy import guest_erase
from huike.guests.selectors import guest_by_phone
from huike.orders.models import GuestDishTally, Order
from huike.orders.services import order_post
from huike.orders.tests.factories import hours_ago, make_menu, order_args


@pytest.fixture
def pair(org, hq):
    """The same man twice: 王总 with his mobile and orders, and 王大明 created at the desk with
    his office phone, birthday, a taboo, an anniversary, a contact, a tag and feedback."""
    make_menu()
    kept = services.guest_create(
        acting_user=hq, name="王总", primary_phone="13812345678", taboos="不吃香菜"
    )
    dup = services.guest_create(
        acting_user=hq,
        name="王大明",
        primary_phone="13912345678",
        birthday=dt.date(1980, 3, 8),
        email="wang@example.com",
        taboos="花生过敏",
        marketing_consent=True,
        consent_source="前台",
    )
    services.guest_phone_add(acting_user=hq, guest=dup, phone="02088886666", label="办公室")
    services.important_date_add(
        acting_user=hq, guest=dup, kind="anniversary", date=dt.date(2010, 5, 20), label=""
    )
    services.guest_contact_add(acting_user=hq, guest=dup, name="李秘书", relation="助理")
    tag = services.guest_tag_create(acting_user=hq, name="老板")
    services.tag_add(acting_user=hq, guest=dup, tag=tag)
    CollectedFact.objects.create(
        tenant=org["tenant"],
        guest=dup,
        point=CollectedFact.Point.CHECKOUT,
        data={"suggestion": "鱼头再辣一点"},
        store=org["store"],
        captured_by=hq,
        captured_at=timezone.now(),
    )
    referred = services.guest_create(acting_user=hq, name="小李", referrer=dup)
    order_post(acting_user=hq, **order_args(org["store"], closed_at=hours_ago(30)))
    order_post(
        acting_user=hq,
        **order_args(
            org["store"], pos_order_id="P-0002", guest_phone="13912345678", closed_at=hours_ago(3)
        ),
    )
    kept.refresh_from_db()
    dup.refresh_from_db()
    return {"kept": kept, "dup": dup, "tag": tag, "referred": referred}


def test_merge_moves_every_row_and_recounts_the_history(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    merge = guest_merge(acting_user=hq, survivor=kept, merged=dup, reason="同一人")

    kept.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into_id == kept.pk
    assert Order.objects.filter(guest=kept).count() == 2
    assert not Order.objects.filter(guest=dup).exists()
    assert kept.visit_count == 2 and kept.total_spend == Decimal("572.00")
    assert (dup.visit_count, dup.total_spend) == (0, 0)
    assert GuestDishTally.objects.get(guest=kept, dish__code="D001").times_ordered == 2
    assert kept.important_dates.count() == 1 and kept.contacts.count() == 1
    assert kept.facts.count() == 1
    assert GuestTagging.objects.filter(guest=kept, tag=pair["tag"]).exists()
    assert Guest.objects.get(pk=pair["referred"].pk).referrer_id == kept.pk
    # His numbers all find the kept guest: the duplicate's primary and its further phone.
    assert set(kept.phones.values_list("phone", flat=True)) == {"+8613912345678", "+862088886666"}
    assert guest_by_phone("13912345678") == kept
    assert guest_by_phone("020 8888 6666") == kept
    # The record names each kind of row that moved.
    assert set(merge.moved) >= {"orders", "phones", "dates", "contacts", "tags", "facts"}
    assert len(merge.moved["orders"]) == 1 and merge.reason == "同一人"


def test_merge_fills_blank_fields_and_joins_taboos(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    guest_merge(acting_user=hq, survivor=kept, merged=dup)
    kept.refresh_from_db()
    assert kept.name == "王总"  # kept, not overwritten
    assert kept.birthday == dt.date(1980, 3, 8) and kept.email == "wang@example.com"
    assert kept.taboos == "不吃香菜；花生过敏"  # no allergy is ever lost
    assert kept.marketing_consent and kept.consent_source == "前台"


def test_merge_is_audited(hq, pair):
    merge = guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    entry = AuditEntry.objects.get(object_type="guests.guestmerge", object_id=str(merge.pk))
    assert entry.action == "create" and entry.actor == hq
    assert AuditEntry.objects.filter(
        object_type="guests.guest", object_id=str(pair["dup"].pk), changes__has_key="merged_into_id"
    ).exists()


def test_undo_puts_everything_back(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    before = {
        "kept": (kept.visit_count, kept.total_spend, kept.taboos, kept.email, kept.birthday),
        "dup": (dup.visit_count, dup.total_spend),
    }
    merge = guest_merge(acting_user=hq, survivor=kept, merged=dup)
    undone = guest_merge_undo(acting_user=hq, merge=merge, reason="不是同一人")

    kept.refresh_from_db()
    dup.refresh_from_db()
    assert undone.undone_at and undone.undone_by == hq and undone.undo_reason == "不是同一人"
    assert dup.merged_into_id is None
    assert (kept.visit_count, kept.total_spend, kept.taboos, kept.email, kept.birthday) == before[
        "kept"
    ]
    assert (dup.visit_count, dup.total_spend) == before["dup"]
    assert Order.objects.filter(guest=dup).count() == 1
    assert list(kept.phones.all()) == []  # the phone the merge added is gone
    assert set(dup.phones.values_list("phone", flat=True)) == {"+862088886666"}
    assert dup.important_dates.count() == dup.contacts.count() == dup.facts.count() == 1
    assert GuestTagging.objects.filter(guest=dup, tag=pair["tag"]).exists()
    assert Guest.objects.get(pk=pair["referred"].pk).referrer_id == dup.pk
    assert guest_by_phone("13912345678") == dup


def test_undo_keeps_a_field_edited_since_the_merge(hq, pair):
    kept = pair["kept"]
    merge = guest_merge(acting_user=hq, survivor=kept, merged=pair["dup"])
    kept.refresh_from_db()
    services.guest_update(acting_user=hq, guest=kept, email="new@example.com")
    undone = guest_merge_undo(acting_user=hq, merge=merge)
    kept.refresh_from_db()
    assert kept.email == "new@example.com" and undone.kept_fields == ["email"]
    assert kept.birthday is None  # not edited since: restored


def test_orders_posted_after_the_merge_stay_with_the_kept_guest(hq, org, pair):
    kept, dup = pair["kept"], pair["dup"]
    merge = guest_merge(acting_user=hq, survivor=kept, merged=dup)
    later = order_post(
        acting_user=hq,
        **order_args(org["store"], pos_order_id="P-0003", guest_phone="13912345678"),
    )
    assert later.guest_id == kept.pk
    guest_merge_undo(acting_user=hq, merge=merge)
    later.refresh_from_db()
    kept.refresh_from_db()
    assert later.guest_id == kept.pk and kept.visit_count == 2


def test_merging_a_guest_with_itself_is_refused(hq, pair):
    with pytest.raises(errors.InvalidInput) as caught:
        guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["kept"])
    assert caught.value.code == "same_guest"
    assert not GuestMerge.objects.exists()


def test_a_merged_guest_cannot_be_merged_again(hq, pair, org):
    third = services.guest_create(acting_user=hq, name="王三", primary_phone="13700001111")
    guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    with pytest.raises(errors.InvalidInput) as caught:
        guest_merge(acting_user=hq, survivor=third, merged=Guest.objects.get(pk=pair["dup"].pk))
    assert caught.value.code == "already_merged" and "merged" in caught.value.fields
    assert GuestMerge.objects.count() == 1


def test_an_erased_guest_cannot_be_merged(hq, pair):
    guest_erase(acting_user=hq, guest=pair["dup"], reason="顾客要求")
    with pytest.raises(errors.InvalidInput) as caught:
        guest_merge(
            acting_user=hq, survivor=pair["kept"], merged=Guest.objects.get(pk=pair["dup"].pk)
        )
    assert caught.value.code == "erased"
    assert Order.objects.filter(guest=pair["dup"]).exists()


def test_a_guest_of_another_brand_group_is_not_found(hq, pair, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13911112222"
        )
    with pytest.raises(errors.InvalidInput) as caught:
        merge_guest_get(user=hq, guest_id=theirs.pk, field="merged")
    assert "merged" in caught.value.fields


def test_only_roles_with_the_permission_merge_and_only_hq_undoes(users, pair):
    with pytest.raises(errors.PermissionDenied):
        guest_merge(acting_user=users["manager"], survivor=pair["kept"], merged=pair["dup"])
    assert not GuestMerge.objects.exists()
    merge = guest_merge(acting_user=users["hq"], survivor=pair["kept"], merged=pair["dup"])
    with pytest.raises(errors.PermissionDenied):
        guest_merge_undo(acting_user=users["manager"], merge=merge)
    assert GuestMerge.objects.get().undone_at is None


def test_undo_twice_is_refused(hq, pair):
    merge = guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    guest_merge_undo(acting_user=hq, merge=merge)
    with pytest.raises(errors.Conflict) as caught:
        guest_merge_undo(acting_user=hq, merge=merge)
    assert caught.value.code == "already_undone"


def test_undo_waits_for_a_later_merge_of_the_kept_guest(hq, pair):
    third = services.guest_create(acting_user=hq, name="王总（新）", primary_phone="13700001111")
    first = guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    second = guest_merge(
        acting_user=hq, survivor=third, merged=Guest.objects.get(pk=pair["kept"].pk)
    )
    with pytest.raises(errors.Conflict) as caught:
        guest_merge_undo(acting_user=hq, merge=first)
    assert caught.value.code == "merged_since"
    guest_merge_undo(acting_user=hq, merge=second)
    guest_merge_undo(acting_user=hq, merge=first)
    assert Order.objects.filter(guest=pair["dup"]).count() == 1
    assert Order.objects.filter(guest=pair["kept"]).count() == 1


def test_merging_removes_the_pairs_candidates(hq, pair):
    MergeCandidate.objects.create(
        guest_a=pair["kept"], guest_b=pair["dup"], reason="same_phone", found_at=timezone.now()
    )
    guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    assert not MergeCandidate.objects.exists()


def test_a_long_taboo_that_does_not_fit_goes_to_the_notes(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    Guest.objects.filter(pk=kept.pk).update(taboos="忌" * 298)
    Guest.objects.filter(pk=dup.pk).update(taboos="花生过敏")
    kept.refresh_from_db()
    guest_merge(acting_user=hq, survivor=kept, merged=Guest.objects.get(pk=dup.pk))
    kept.refresh_from_db()
    assert kept.taboos == "忌" * 298 and "花生过敏" in kept.notes


def test_phones_the_kept_guest_already_has_stay_behind(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    services.guest_phone_add(acting_user=hq, guest=kept, phone="02088886666", label="")
    merge = guest_merge(acting_user=hq, survivor=kept, merged=dup)
    assert GuestPhone.objects.filter(phone="+862088886666").count() == 2
    guest_merge_undo(acting_user=hq, merge=merge)
    assert GuestPhone.objects.filter(guest=dup, phone="+862088886666").exists()
    assert GuestPhone.objects.filter(guest=kept, phone="+862088886666").exists()


def test_erasing_the_kept_guest_erases_the_profiles_merged_into_it(hq, pair):
    kept, dup = pair["kept"], pair["dup"]
    guest_merge(acting_user=hq, survivor=kept, merged=dup)
    guest_erase(acting_user=hq, guest=Guest.objects.get(pk=kept.pk), reason="顾客要求删除")
    dup.refresh_from_db()
    assert dup.anonymised_at is not None
    assert dup.primary_phone == "" and "王大明" not in dup.name
    assert guest_by_phone("13912345678") is None
    assert GuestMerge.objects.get().filled == {}  # the values the merge filled in are gone too


def test_the_personal_data_export_holds_the_profiles_merged_in(hq, pair):
    from huike.guests.privacy import guest_personal_data

    guest_merge(acting_user=hq, survivor=pair["kept"], merged=pair["dup"])
    data = guest_personal_data(Guest.objects.get(pk=pair["kept"].pk))
    assert [p["primary_phone"] for p in data["merged_profiles"]] == ["+8613912345678"]
