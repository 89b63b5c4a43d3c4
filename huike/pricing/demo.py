"""Demo member pricing for the demo brand group: member prices on a few signature dishes,
9.5折 for 金卡 members and 满300减30 for every member. Idempotent: what exists is left as it
is (after ``huike.menu.demo.load``)."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.loyalty import services as loyalty
from huike.loyalty.models import Tier
from huike.menu.models import Dish
from huike.org import demo as org_demo
from huike.org.models import Staff

from . import services
from .models import MemberPrice, PricingRule

MEMBER_PRICES = [("XC001", "118.00"), ("XC004", "128.00"), ("YS001", "62.00"), ("YS002", "80.00")]
GOLD = ("gold", "金卡", 2)


def load() -> Tenant | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        for code, price in MEMBER_PRICES:
            dish = Dish.objects.filter(code=code).first()
            if dish and not MemberPrice.objects.filter(dish=dish, tier=None).exists():
                services.member_price_create(acting_user=hq, dish=dish, price=price)
        gold = Tier.objects.filter(code=GOLD[0]).first() or loyalty.tier_create(
            acting_user=hq, code=GOLD[0], name=GOLD[1], rank=GOLD[2]
        )
        if not PricingRule.objects.filter(kind=PricingRule.Kind.PERCENT_OFF, tier=gold).exists():
            services.pricing_rule_create(
                acting_user=hq,
                kind=PricingRule.Kind.PERCENT_OFF,
                name="金卡9.5折",
                tier=gold,
                percent_off=5,
            )
        if not PricingRule.objects.filter(kind=PricingRule.Kind.SPEND_SAVE).exists():
            services.pricing_rule_create(
                acting_user=hq,
                kind=PricingRule.Kind.SPEND_SAVE,
                name="满300减30",
                threshold="300",
                save_amount="30",
            )
    return tenant
