"""Console pages of points-for-gifts: the catalogue, the till's redemption (a double submit
redeems once; errors beside the fields), the history with cancellation, the nav item."""

from __future__ import annotations

import pytest

from huike.gifts import services
from huike.gifts.models import Gift, GiftRedemption
from huike.loyalty.models import LedgerEntry, MembershipCard


def test_the_nav_and_catalogue_show_by_permission(client, org, users, gift):
    client.force_login(users["cashier"])
    page = client.get("/gifts/").content.decode()
    assert 'data-testid="nav-gifts"' in page and page.count('data-testid="gift-row"') == 1
    assert 'data-testid="gift-redeem-link"' in page and 'data-testid="gift-new"' not in page
    assert client.get("/gifts/new/").status_code == 403
    client.force_login(users["waiter"])
    assert 'data-testid="nav-gifts"' not in client.get("/").content.decode()
    assert client.get("/gifts/").status_code == 403


def test_marketing_creates_edits_and_restocks_a_gift(client, org, users, gift):
    client.force_login(users["marketing"])
    created = client.post(
        "/gifts/new/",
        {
            "name": "茶具",
            "points_cost": "800",
            "stock": "4",
            "sort_order": "1",
            "active": "on",
            "stores": [org["store"].pk],
        },
    )
    assert created.status_code == 302
    tea = Gift.objects.get(name="茶具")
    assert tea.stock == 4 and list(tea.stores.all()) == [org["store"]]
    edited = client.post(
        f"/gifts/{tea.pk}/edit/", {"name": "茶具套装", "points_cost": "900", "sort_order": "1"}
    )
    assert edited.status_code == 302
    tea.refresh_from_db()
    assert (tea.name, tea.points_cost, tea.active, tea.stock) == ("茶具套装", 900, False, 4)
    stocked = client.post(f"/gifts/{tea.pk}/stock/", {"change": "6", "reason": "到货"})
    assert stocked.status_code == 302 and Gift.objects.get(pk=tea.pk).stock == 10
    bad = client.post(
        f"/gifts/{tea.pk}/stock/",
        {"change": "-11", "reason": "盘点"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and 'data-testid="error-change"' in bad.content.decode()
    assert Gift.objects.get(pk=tea.pk).stock == 10


@pytest.mark.parametrize(("points_cost", "stock"), [("0", "1"), ("5", "-1")])
def test_bad_gift_input_is_shown_beside_the_field(client, org, users, points_cost, stock):
    client.force_login(users["hq"])
    response = client.post(
        "/gifts/new/",
        {"name": "x", "points_cost": points_cost, "stock": stock, "sort_order": "0"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-points_cost"' in html or 'data-testid="error-stock"' in html
    assert not Gift.objects.exists()


def test_the_till_finds_a_card_by_phone_and_redeems_once(client, org, users, card, gift):
    client.force_login(users["cashier"])
    found = client.get("/gifts/redeem/?q=13800138000").content.decode()
    assert f'href="/gifts/redeem/{card.pk}/"' in found
    page = client.get(f"/gifts/redeem/{card.pk}/").content.decode()
    assert 'data-testid="redeem-card-points">1000<' in page
    form = {"token": "GR-same", "gift": gift.pk, "qty": "2", "store": org["store"].pk}
    first = client.post(f"/gifts/redeem/{card.pk}/", form, headers={"HX-Request": "true"})
    assert first.status_code == 204 and first["HX-Redirect"] == f"/gifts/redeem/{card.pk}/"
    again = client.post(f"/gifts/redeem/{card.pk}/", form)
    assert again.status_code == 302
    assert GiftRedemption.objects.count() == 1
    assert MembershipCard.objects.get(pk=card.pk).points_balance == 400
    assert Gift.objects.get(pk=gift.pk).stock == 3


@pytest.mark.parametrize(
    ("qty", "error"), [("0", "error-qty"), ("9", "form-errors"), ("4", "form-errors")]
)
def test_a_refused_redemption_is_shown_and_writes_nothing(
    client, org, users, card, gift, qty, error
):
    client.force_login(users["cashier"])
    response = client.post(
        f"/gifts/redeem/{card.pk}/",
        {"token": f"GR-{qty}", "gift": gift.pk, "qty": qty, "store": org["store"].pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and f'data-testid="{error}"' in response.content.decode()
    assert not GiftRedemption.objects.exists() and not LedgerEntry.objects.filter(cause="gift")
    assert Gift.objects.get(pk=gift.pk).stock == 5


def test_history_and_cancel_on_the_console(client, org, users, card, gift):
    redemption = services.gift_redeem(
        acting_user=users["cashier"], card=card, gift=gift, store=org["store"]
    )
    client.force_login(users["cashier"])
    page = client.get(f"/gifts/redemptions/?card={card.pk}").content.decode()
    assert page.count('data-testid="redemption-row"') == 1
    assert 'data-testid="redemption-cancel-form"' not in page
    client.force_login(users["manager"])
    page = client.get(f"/gifts/redemptions/?gift={gift.pk}").content.decode()
    assert 'data-testid="redemption-cancel-form"' in page
    done = client.post(f"/gifts/redemptions/{redemption.pk}/cancel/", {"reason": "退回"})
    assert done.status_code == 302
    assert GiftRedemption.objects.get().status == "cancelled"
    client.post(f"/gifts/redemptions/{redemption.pk}/cancel/", {"reason": "再退"})
    assert MembershipCard.objects.get(pk=card.pk).points_balance == 1000
    assert LedgerEntry.objects.filter(cause="reversal").count() == 1
