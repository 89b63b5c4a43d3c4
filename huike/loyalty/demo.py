"""Demo tiers and points rules for the demo brand group: 银卡 (every member), 金卡 and 钻石卡
with their thresholds and benefits, a downgrade policy for the first brand (re-qualify every
1 January), 1 point per yuan, double points in the birthday week, at most 5000 points a day;
membership cards for the first demo guests, topped up, with points, signed up by the stores'
staff.
Idempotent: a tier that exists (the pricing demo makes 金卡) gets its rules; other rows that
exist are left as they are."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Brand, Staff

from . import accrual, tiers
from .models import AccrualRule, AccrualSettings, Tier, TierPolicy

TIERS = [
    {
        "code": "silver",
        "name": "银卡",
        "rank": 1,
        "benefits": "生日当周积分双倍",
    },
    {
        "code": "gold",
        "name": "金卡",
        "rank": 2,
        "qualify_points": 3000,
        "qualify_spend": "3000.00",
        "qualify_visits": 12,
        "window_days": 365,
        "benefits": "会员菜品9.5折；包房优先预订",
        "points_multiplier": "1.5",
    },
    {
        "code": "diamond",
        "name": "钻石卡",
        "rank": 3,
        "qualify_points": 10000,
        "qualify_spend": "10000.00",
        "qualify_visits": 36,
        "window_days": 365,
        "benefits": "免服务费；专属客户经理；生日赠菜",
        "points_multiplier": "2",
    },
]


def _tiers(hq) -> None:
    for values in TIERS:
        tier = Tier.objects.filter(code=values["code"]).first()
        if tier is None:
            tiers.tier_define(acting_user=hq, **values)
        elif not tier.has_thresholds and not tier.benefits:
            rules = {k: v for k, v in values.items() if k != "code"}
            tiers.tier_update(acting_user=hq, tier=tier, **rules)


def _rules(hq) -> None:
    rules = AccrualRule.objects.filter(brand=None)
    if not rules.filter(kind=AccrualRule.Kind.PER_AMOUNT).exists():
        accrual.accrual_rule_create(
            acting_user=hq, kind="per_amount", name="每消费1元积1分", points=1, per_amount="1.00"
        )
    if not rules.filter(kind=AccrualRule.Kind.CAMPAIGN, birthday_week=True).exists():
        accrual.accrual_rule_create(
            acting_user=hq,
            kind="campaign",
            name="生日周双倍积分",
            multiplier="2",
            birthday_week=True,
        )
    if not AccrualSettings.objects.filter(brand=None).exists():
        accrual.accrual_settings_set(acting_user=hq, day_cap=5000)


def load() -> Tenant | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        _tiers(hq)
        brand = Brand.objects.order_by("pk").first()
        if brand is not None and not TierPolicy.objects.filter(brand=brand).exists():
            tiers.tier_policy_set(
                acting_user=hq, brand=brand, downgrade="on_date", requalify_month=1, requalify_day=1
            )
        _rules(hq)
        _cards(hq)
    return tenant


CARDS = 12  # demo guests with a card
TOP_UPS = ["1000", "500", "300", "200"]


def _cards(hq) -> None:
    """Cards for the first demo guests with a phone (numbers V0001…), each topped up and with
    some points; issued at their home store (or the first) by a staff member there."""
    from huike.core.permissions import has_perm
    from huike.guests.models import Guest
    from huike.org.models import Store

    from . import permissions as perms
    from . import services
    from .models import MembershipCard

    if MembershipCard.objects.exists():
        return
    stores = list(Store.objects.order_by("pk"))
    guests = Guest.objects.filter(merged_into=None, anonymised_at=None).exclude(primary_phone="")
    silver = Tier.objects.filter(code="silver").first()
    for n, guest in enumerate(guests.order_by("pk")[:CARDS], start=1):
        store = next((s for s in stores if s.pk == guest.home_store_id), stores[0])
        signers = Staff.objects.filter(store=store, user__isnull=False).order_by("pk")
        signer = next((s.user for s in signers if has_perm(s.user, perms.ISSUE_CARDS)), hq)
        card = services.card_issue(
            acting_user=signer,
            guest=guest,
            store=store,
            number=f"V{n:04d}",
            tier=silver,
        )
        services.stored_value_top_up(
            acting_user=hq, card=card, amount=TOP_UPS[n % len(TOP_UPS)], store=store
        )
        services.points_accrue(acting_user=hq, card=card, points=100 * n, store=store)
        tiers.tier_evaluate(card, acting_user=hq)
