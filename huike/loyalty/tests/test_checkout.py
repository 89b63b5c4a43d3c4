"""The member checkout (T3): member pricing, coupons, stored value and points with the order in
one transaction; refused whole when a payment cannot be honoured; refunds take back what the
order earned, linked to it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.core import errors
from huike.coupons import services as coupon_services
from huike.coupons.models import Coupon
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.accrual import accrual_rule_create
from huike.loyalty.checkout import checkout
from huike.loyalty.ledger import ledger_mismatches
from huike.loyalty.models import LedgerEntry, PointsOwed
from huike.orders.models import Order
from huike.orders.services import order_correct, order_post, order_refund
from huike.orders.tests.factories import hours_ago, make_menu
from huike.pricing import services as pricing_services

from .conftest import balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(org, hq, card):
    """A menu, 9折 for members, 1 point per yuan, a 20-yuan coupon (min spend 100, joins member
    pricing) for the card's guest, and 500 of stored value on the card."""
    make_menu()
    pricing_services.pricing_rule_create(
        acting_user=hq, kind="percent_off", name="会员9折", percent_off=10
    )
    accrual_rule_create(acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1")
    template = coupon_services.template_create(
        acting_user=hq,
        name="20元代金券",
        kind="cash",
        face_value="20",
        min_spend="100",
        valid_days=30,
        stacks_with_member_pricing=True,
    )
    coupon = coupon_services.coupon_issue(
        acting_user=hq, template=template, guest=card.guest, send=False
    )
    services.stored_value_top_up(acting_user=hq, card=card, amount="500")
    return {"template": template, "coupon": coupon, "card": card, "store": org["store"]}


def sale(shop, **changes) -> dict:
    """128 + 2×68 = 264 at list prices; 9折 → 237.60; the coupon → 217.60 due."""
    return {
        "store": shop["store"],
        "pos_order_id": "M-0001",
        "member_card": shop["card"].number,
        "closed_at": hours_ago(1),
        "lines": [{"dish_code": "D001", "qty": "1"}, {"dish_code": "D002", "qty": "2"}],
        "coupons": [shop["coupon"].code],
        "payments": [
            {"method": "stored_value", "amount": "200.00"},
            {"method": "cash", "amount": "17.60"},
        ],
        **changes,
    }


def _cashier(org):
    return org["users"]["cashier"]


def test_checkout_prices_pays_redeems_and_earns_in_one_go(org, shop):
    done = checkout(acting_user=_cashier(org), **sale(shop))
    order = Order.objects.get(pk=done.order.pk)
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("264.00"),
        Decimal("26.40"),
        Decimal("237.60"),
    )
    assert sorted(order.payments.values_list("method", "amount")) == [
        ("cash", Decimal("17.60")),
        ("coupon", Decimal("20.00")),
        ("stored_value", Decimal("200.00")),
    ]
    assert order.guest_id == shop["card"].guest_id and order.member_card == shop["card"].number
    assert balances(shop["card"]) == {
        "points": 217,
        "principal": Decimal("300.00"),
        "bonus": Decimal("0.00"),
    }
    coupon = Coupon.objects.get(pk=shop["coupon"].pk)
    assert coupon.status == "redeemed" and coupon.redeemed_order_id == order.pk
    assert coupon.redeemed_value == Decimal("20.00")
    causes = sorted(LedgerEntry.objects.filter(order=order).values_list("cause", "kind"))
    assert causes == [("order", "points"), ("spend", "principal")]
    assert done.points == 217 and done.points_explanation
    assert ledger_mismatches() == []


def test_spend_and_return_gives_the_member_a_coupon_once_the_bill_is_paid(org, hq, shop):
    returned = coupon_services.template_create(
        acting_user=hq, name="下次满100减15", kind="cash", face_value="15", valid_days=30
    )
    pricing_services.pricing_rule_create(
        acting_user=hq,
        kind="spend_return",
        name="满200返券",
        threshold="200",
        return_template=returned.pk,
    )
    done = checkout(acting_user=_cashier(org), **sale(shop))  # 217.60 paid after the coupon
    [issued] = done.coupons_issued
    assert (issued.template_id, issued.guest_id, issued.source, issued.source_reference) == (
        returned.pk,
        shop["card"].guest_id,
        "order_return",
        "M-0001",
    )
    small = checkout(
        acting_user=_cashier(org),
        **sale(
            shop,
            pos_order_id="M-0002",
            coupons=[],
            lines=[{"dish_code": "D003", "qty": "10"}],  # 30 → 27.00
            payments=[{"method": "cash", "amount": "27.00"}],
        ),
    )
    assert small.coupons_issued == []
    assert Coupon.objects.filter(template=returned).count() == 1


def test_the_same_checkout_sent_again_is_replayed_and_moves_nothing(org, shop):
    bill = sale(shop)  # one bill: its closing time is part of what the till sends again
    first = checkout(acting_user=_cashier(org), **bill)
    again = checkout(acting_user=_cashier(org), **bill)
    assert again.replayed and again.order.pk == first.order.pk
    assert balances(shop["card"])["principal"] == Decimal("300.00")
    assert LedgerEntry.objects.filter(order=first.order).count() == 2
    with pytest.raises(errors.Conflict) as refused:
        checkout(acting_user=_cashier(org), **sale(shop, coupons=[]))
    assert refused.value.code == "duplicate_order"


def _nothing_written(shop, orders_before=0):
    assert Order.objects.count() == orders_before
    assert balances(shop["card"]) == {
        "points": 0,
        "principal": Decimal("500.00"),
        "bonus": Decimal("0.00"),
    }
    assert Coupon.objects.get(pk=shop["coupon"].pk).status == "issued"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        (
            {"payments": [{"method": "cash", "amount": "237.60"}]},
            "payment_mismatch",
            "payments",
        ),
        (
            {
                "payments": [
                    {"method": "coupon", "amount": "20"},
                    {"method": "cash", "amount": "197.60"},
                ]
            },
            "invalid_input",
            "payments.0.method",
        ),
        ({"discount": "10.00"}, "pricing_mismatch", "discount"),
        ({"member_card": "NOPE-1"}, "card_not_found", "member_card"),
        ({"coupons": ["ZZZZZZZZZZZZ"]}, "coupon_not_found", "coupons"),
        (
            {"lines": [{"dish_code": "D003", "qty": "1"}], "payments": []},
            "coupon_min_spend",
            "coupons",
        ),
    ],
)
def test_a_sale_that_cannot_be_honoured_is_refused_whole(org, shop, changes, code, field):
    with pytest.raises(errors.DomainError) as refused:
        checkout(acting_user=_cashier(org), **sale(shop, **changes))
    assert refused.value.code == code, refused.value.as_problem()
    assert field in (refused.value.fields or {}), refused.value.as_problem()
    _nothing_written(shop)


def test_more_stored_value_than_the_card_holds_refuses_the_whole_sale(org, shop):
    with pytest.raises(errors.Conflict) as refused:
        checkout(
            acting_user=_cashier(org),
            **sale(
                shop,
                coupons=[],
                lines=[{"dish_code": "D001", "qty": "5"}],  # 640 → 576.00
                payments=[{"method": "stored_value", "amount": "576.00"}],
            ),
        )
    assert refused.value.code == "insufficient_balance"
    _nothing_written(shop)


def test_a_frozen_card_and_another_guests_coupon_are_refused(org, hq, shop):
    other = guest_create(acting_user=hq, name="李四", primary_phone="13900139000")
    foreign = coupon_services.coupon_issue(
        acting_user=hq, template=shop["template"], guest=other, send=False
    )
    with pytest.raises(errors.DomainError) as refused:
        checkout(acting_user=_cashier(org), **sale(shop, coupons=[foreign.code]))
    assert refused.value.code == "coupon_not_owned"
    services.card_freeze(acting_user=hq, card=shop["card"])
    with pytest.raises(errors.Conflict) as frozen:
        checkout(acting_user=_cashier(org), **sale(shop))
    assert frozen.value.code == "card_frozen"
    assert Order.objects.count() == 0


def test_order_post_naming_a_card_is_a_member_checkout_and_an_import_is_not(org, shop):
    order = order_post(acting_user=_cashier(org), source="api", **sale(shop))
    assert LedgerEntry.objects.filter(order=order, cause="order").exists()
    imported = order_post(
        acting_user=org["users"]["hq"],
        source="import",
        **{
            **sale(shop, pos_order_id="IMP-1", coupons=None),
            "payments": [{"method": "cash", "amount": "264.00"}],
        },
    )
    assert imported.discount == 0 and not LedgerEntry.objects.filter(order=imported).exists()


def test_a_refund_takes_back_points_and_returns_stored_value_linked_to_the_order(org, shop):
    cashier = _cashier(org)
    order = checkout(acting_user=cashier, **sale(shop)).order
    order_refund(
        acting_user=cashier, order=order, pos_order_id="R-1", lines=[{"line": 2, "qty": "1"}]
    )
    half = balances(shop["card"])
    assert 0 < half["points"] < 217 and half["principal"] > Decimal("300.00")
    order_refund(acting_user=cashier, order=order, pos_order_id="R-2")
    assert balances(shop["card"]) == {
        "points": 0,
        "principal": Decimal("500.00"),
        "bonus": Decimal("0.00"),
    }
    reversals = LedgerEntry.objects.filter(order=order, cause="reversal")
    assert reversals.count() >= 3 and set(reversals.values_list("reference", flat=True)) == {
        "R-1",
        "R-2",
    }
    assert ledger_mismatches() == []


def test_points_already_spent_are_owed_and_paid_from_the_next_points(org, hq, shop):
    cashier = _cashier(org)
    order = checkout(acting_user=cashier, **sale(shop)).order
    services.points_spend(acting_user=cashier, card=shop["card"], points=200)
    order_refund(acting_user=cashier, order=order, pos_order_id="R-1")
    card = services.MembershipCard.objects.get(pk=shop["card"].pk)
    assert card.points_balance == 0 and card.points_owed == 200
    assert PointsOwed.objects.get(order=order).points == 200
    services.points_accrue(acting_user=hq, card=card, points=250)
    card.refresh_from_db()
    assert (card.points_balance, card.points_owed) == (50, 0)
    assert balances(card)["points"] == 50
    assert ledger_mismatches() == []


def test_a_member_order_is_refunded_not_corrected(org, shop):
    order = checkout(acting_user=_cashier(org), **sale(shop)).order
    with pytest.raises(errors.Conflict) as refused:
        order_correct(
            acting_user=_cashier(org),
            order=order,
            pos_order_id="C-1",
            closed_at=hours_ago(0.5),
            lines=[{"dish_code": "D003", "qty": "1"}],
            payments=[{"method": "cash", "amount": "3.00"}],
        )
    assert refused.value.code == "member_order_correction"


# --- The console page -------------------------------------------------------------------------
def _form(shop, action: str, **changes) -> dict:
    return {
        "pos_order_id": "WEB-1",
        "store": shop["store"].pk,
        "member_card": shop["card"].number,
        "dish_code": ["D001", "D002"],
        "qty": ["1", "2"],
        "price_tier": ["regular", "regular"],
        "coupons": [shop["coupon"].code],
        "stored_value": "200",
        "other_method": "cash",
        "action": action,
        **changes,
    }


def test_the_cashier_prices_the_bill_then_settles_it_once(client, org, shop):
    client.force_login(_cashier(org))
    assert client.get("/loyalty/checkout/").status_code == 200
    quote = client.post("/loyalty/checkout/", _form(shop, "quote"))
    html = quote.content.decode()
    assert quote.status_code == 200 and 'data-testid="bill-due">¥217.60<' in html
    assert html.count('data-testid="bill-line"') == 2 and 'data-testid="bill-coupon"' in html
    assert Order.objects.count() == 0  # pricing writes nothing

    paid = client.post("/loyalty/checkout/", _form(shop, "pay"), headers={"HX-Request": "true"})
    order = Order.objects.get()
    assert paid.status_code == 204 and paid["HX-Redirect"] == f"/loyalty/checkout/{order.pk}/"
    again = client.post("/loyalty/checkout/", _form(shop, "pay"))  # a double submit
    assert again.status_code == 302 and Order.objects.count() == 1
    assert balances(shop["card"])["principal"] == Decimal("300.00")

    done = client.get(f"/loyalty/checkout/{order.pk}/").content.decode()
    assert 'data-testid="balance-stored-value">¥300.00<' in done
    assert 'data-testid="balance-points">217<' in done
    assert 'data-testid="done-coupon-used"' in done


def test_the_page_shows_why_a_bill_cannot_be_settled(client, org, shop):
    client.force_login(_cashier(org))
    too_much = client.post("/loyalty/checkout/", _form(shop, "pay", stored_value="300"))
    assert 'data-testid="error-stored_value"' in too_much.content.decode()
    unknown = client.post("/loyalty/checkout/", _form(shop, "quote", member_card="NOPE"))
    assert 'data-testid="error-member_card"' in unknown.content.decode()
    assert Order.objects.count() == 0
    assert balances(shop["card"])["principal"] == Decimal("500.00")


def test_the_desk_may_not_check_out(client, org, shop):
    client.force_login(org["users"]["desk"])
    assert client.get("/loyalty/checkout/").status_code == 403
