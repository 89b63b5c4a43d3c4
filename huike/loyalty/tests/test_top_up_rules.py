"""Top-up bonus rules (L5): bonus stored value and a gift coupon (充值送礼) given with the top-up,
configured on their console page and by the API; bad input refused, nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.coupons import services as coupon_services
from huike.coupons.models import Coupon
from huike.loyalty import services
from huike.loyalty.models import TopUpRule

from .conftest import balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift(hq):
    return coupon_services.template_create(
        acting_user=hq, name="充值送菜券", kind="cash", face_value="30", valid_days=90
    )


def test_a_top_up_reaching_a_rule_gets_its_bonus_and_gift_coupon_once(org, hq, card, gift):
    services.top_up_rule_create(acting_user=hq, pay_at_least="500", bonus="50")
    services.top_up_rule_create(acting_user=hq, pay_at_least="1000", bonus="200", gift=gift)
    services.stored_value_top_up(acting_user=org["users"]["cashier"], card=card, amount="1000")
    assert balances(card)["bonus"] == Decimal("200.00")
    coupon = Coupon.objects.get()
    assert (coupon.template_id, coupon.guest_id, coupon.card_id, coupon.source) == (
        gift.pk,
        card.guest_id,
        card.pk,
        "top_up_gift",
    )
    services.stored_value_top_up(acting_user=org["users"]["cashier"], card=card, amount="600")
    assert Coupon.objects.count() == 1  # the 500 rule gives no gift
    assert balances(card)["bonus"] == Decimal("250.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"pay_at_least": "0", "bonus": "10"}, "pay_at_least"),
        ({"pay_at_least": "100", "bonus": "-1"}, "bonus"),
        ({"pay_at_least": "100", "bonus": "0"}, "bonus"),  # neither bonus nor gift
        ({"pay_at_least": "100.001", "bonus": "10"}, "pay_at_least"),
        ({"pay_at_least": "100", "bonus": "10", "gift": 99999}, "gift"),
    ],
)
def test_bad_rules_are_refused_and_nothing_written(hq, values, field):
    from huike.core import errors

    with pytest.raises(errors.InvalidInput) as refused:
        services.top_up_rule_create(acting_user=hq, **values)
    assert field in refused.value.fields
    assert not TopUpRule.objects.exists()


def test_rules_by_api_list_create_and_switch_off(api, gift):
    hq = api("hq")
    created = hq.post(
        "/loyalty/top-up-rules", {"pay_at_least": "1000", "bonus": "200", "gift": gift.pk}
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["bonus"], rule["gift"], rule["active"]) == ("200.00", gift.pk, True)
    off = hq.patch(f"/loyalty/top-up-rules/{rule['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert [r["id"] for r in hq.get("/loyalty/top-up-rules").json()] == [rule["id"]]
    assert api("cashier").post("/loyalty/top-up-rules", {"pay_at_least": "1"}).status_code == 403
    bad = hq.post("/loyalty/top-up-rules", {"pay_at_least": "-5", "bonus": "1"})
    assert bad.status_code == 400 and "pay_at_least" in bad.json()["fields"]


def test_marketing_sets_rules_on_their_page_and_a_cashier_may_not(client, org, users, gift):
    client.force_login(users["marketing"])
    page = client.get("/loyalty/top-up-rules/")
    assert page.status_code == 200 and 'data-testid="top-up-rule-empty"' in page.content.decode()
    saved = client.post(
        "/loyalty/top-up-rules/", {"pay_at_least": "300", "bonus": "30", "gift": gift.pk}
    )
    assert saved.status_code == 302
    rule = TopUpRule.objects.get()
    assert (rule.pay_at_least, rule.bonus, rule.gift_id) == (Decimal("300"), Decimal("30"), gift.pk)
    refused = client.post("/loyalty/top-up-rules/", {"pay_at_least": "abc", "bonus": "1"})
    assert 'data-testid="error-pay_at_least"' in refused.content.decode()
    client.post(f"/loyalty/top-up-rules/{rule.pk}/switch/")
    rule.refresh_from_db()
    assert rule.active is False
    client.force_login(users["cashier"])
    assert client.get("/loyalty/top-up-rules/").status_code == 403
