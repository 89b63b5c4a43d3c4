"""Demo coupons: a few templates of the demo brand group (cash voucher, percent off, free dish,
new-dish trial) and coupons issued to some demo guests, one of them already redeemed.
Idempotent: nothing is added once the demo group has coupon templates. Texts are not sent
(``send=False``): the demo has no SMS gateway."""

from __future__ import annotations

import datetime as dt

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.core.timeutils import local_today
from huike.guests.models import Guest
from huike.menu.models import Dish
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from . import services
from .models import CouponTemplate


def load() -> Tenant | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        if CouponTemplate.objects.exists():
            return tenant
        hq = Staff.objects.get(user__username="hq").user
        stores = list(Store.objects.order_by("pk"))
        dishes = list(Dish.objects.filter(active=True).order_by("pk")[:2])
        guests = list(
            Guest.objects.filter(merged_into=None, anonymised_at=None)
            .exclude(primary_phone="")
            .order_by("pk")[:6]
        )
        if not stores or not guests:
            return tenant
        today = local_today(stores[0].time_zone)
        templates = [
            services.template_create(
                acting_user=hq,
                name="满200减30代金券",
                kind="cash",
                face_value="30",
                min_spend="200",
                valid_days=30,
                per_guest_limit=2,
            ),
            services.template_create(
                acting_user=hq,
                name="会员九折券",
                kind="percent",
                percent_off=10,
                max_discount="100",
                valid_days=60,
                stacks_with_member_pricing=True,
            ),
            services.template_create(
                acting_user=hq,
                name="生日赠菜券",
                kind="free_dish",
                dish=dishes[0].pk if dishes else None,
                valid_from=today,
                valid_until=today + dt.timedelta(days=90),
                stores=[s.pk for s in stores[:2]],
                total_limit=500,
            )
            if dishes
            else None,
        ]
        templates = [t for t in templates if t is not None]
        issued = []
        for i, guest in enumerate(guests):
            template = templates[i % len(templates)]
            issued.append(
                services.coupon_issue(
                    acting_user=hq,
                    template=template,
                    guest=guest,
                    store=stores[0],
                    source="campaign" if i % 2 else "manual",
                    send=False,
                )
            )
        services.coupon_redeem(
            acting_user=hq, code=issued[0].code, store=stores[0], amount="268", reference="DEMO-1"
        )
    return tenant
