"""The card list page: find a card by number or the guest's phone, issue a card at the counter
(errors beside the fields, nothing written), guests shown as the reader's sheet allows."""

from django.urls import reverse

from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.models import MembershipCard


def test_search_by_number_or_phone(client, org, hq, users):
    guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
    services.card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0001")
    other = guest_create(acting_user=hq, name="李四", primary_phone="13900139000")
    services.card_issue(acting_user=hq, guest=other, store=org["store"], number="C0002")
    client.force_login(users["cashier"])
    url = reverse("loyalty_card_list")
    assert client.get(url).content.decode().count('data-testid="card-row"') == 2
    by_number = client.get(url, {"q": "C0002"}).content.decode()
    assert by_number.count('data-testid="card-row"') == 1 and "C0002" in by_number
    by_phone = client.get(url, {"q": "138 0013 8000"}).content.decode()
    assert by_phone.count('data-testid="card-row"') == 1 and "C0001" in by_phone
    assert "138****8000" in by_phone  # a cashier sees the phone masked
    assert 'data-testid="card-empty"' in client.get(url, {"q": "nothing"}).content.decode()


def test_issue_a_card_by_the_guests_phone(client, org, hq, users):
    guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
    client.force_login(users["cashier"])
    response = client.post(
        reverse("loyalty_card_list"),
        {"issue-guest_phone": "138-0013-8000", "issue-store": org["store"].pk, "issue-number": ""},
    )
    card = MembershipCard.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "loyalty_card", args=[card.pk]
    )
    assert card.guest_id == guest.pk and card.signed_up_by_id == users["cashier"].pk


def test_an_unknown_phone_is_explained_and_nothing_is_issued(client, org, users):
    client.force_login(users["cashier"])
    response = client.post(
        reverse("loyalty_card_list"),
        {"issue-guest_phone": "13700137000", "issue-store": org["store"].pk},
    )
    assert response.status_code == 200
    assert "请先建立顾客档案" in response.content.decode()
    bad = client.post(
        reverse("loyalty_card_list"), {"issue-guest_phone": "12", "issue-store": org["store"].pk}
    )
    assert bad.context["issue"].errors.keys() == {"guest_phone"}
    assert not MembershipCard.objects.exists()


def test_roles_without_loyalty_may_not_open_it(client, org, users):
    client.force_login(users["waiter"])
    assert client.get(reverse("loyalty_card_list")).status_code == 403
