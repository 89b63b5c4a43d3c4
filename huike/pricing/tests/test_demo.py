"""The demo member pricing: member prices, 9.5折 for 金卡 and 满300减30; loading twice adds
nothing, and a gold card's order is priced by them."""

import datetime as dt
from decimal import Decimal

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.loyalty.services import card_issue
from huike.menu import demo as menu_demo
from huike.menu.models import Dish
from huike.org import demo as org_demo
from huike.org.models import Staff, Store
from huike.pricing import demo
from huike.pricing.models import MemberPrice, PricingRule
from huike.pricing.pricing import LineIn, price_order


def test_the_demo_pricing_loads_once_and_prices_a_gold_card(db):
    org_demo.load()
    menu_demo.load()
    demo.load()
    demo.load()
    with tenant_context(Tenant.objects.get(code=org_demo.TENANT_CODE)):
        assert MemberPrice.objects.count() == len(demo.MEMBER_PRICES)
        assert PricingRule.objects.count() == 2
        hq = Staff.objects.get(user__username="hq").user
        store = Store.objects.first()
        guest = guest_create(acting_user=hq, name="金卡会员", primary_phone="13800138000")
        gold = PricingRule.objects.get(kind="percent_off").tier
        card = card_issue(
            acting_user=hq, guest=guest, store=store, tier=gold, valid_from=dt.date(2020, 1, 1)
        )
        fish, pork = Dish.objects.get(code="XC001"), Dish.objects.get(code="XC003")
        quote = price_order(
            store=store,
            card=card,
            lines=[
                LineIn(dish=fish, qty=Decimal(2), unit_price=fish.price_regular),
                LineIn(dish=pork, qty=Decimal(2), unit_price=pork.price_regular),
            ],
        )
        # 剁椒鱼头 at its member price 118 (below 9.5折 121.60), 辣椒炒肉 at 9.5折 45.60:
        # 327.20, then 满300减30.
        assert [ln.unit_price for ln in quote.lines] == [Decimal("118.00"), Decimal("45.60")]
        assert quote.threshold_discount == Decimal("30.00") and quote.due == Decimal("297.20")
