"""Demo duplicates (G4): a few guests recorded twice, the way it happens at a busy desk — once
with the same name and birthday under a second phone, once sharing an office line, once under a
slightly different name with a phone that ends the same — and the duplicate scan run over them,
so the duplicates page has pairs to compare. Idempotent: nothing is added twice."""

from __future__ import annotations

import datetime as dt

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Staff

from . import services
from .dedupe import duplicates_scan
from .models import Guest

MARK = "演示重复档案"  # in the notes of each demo duplicate
OFFICE_LINE = "0731 8888 6666"


def load() -> Tenant | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        if Guest.objects.filter(notes=MARK).exists():
            return tenant
        hq = Staff.objects.get(user__username="hq").user
        regulars = list(Guest.objects.exclude(name="").order_by("pk")[:3])
        if len(regulars) < 3:
            return tenant
        first, second, third = regulars
        birthday = dt.date(1982, 9, 16)
        services.guest_update(acting_user=hq, guest=first, birthday=birthday)
        services.guest_create(
            acting_user=hq,
            name=first.name,
            primary_phone="13307310001",
            birthday=birthday,
            taboos="不吃辣",
            notes=MARK,
        )
        shared = services.guest_create(
            acting_user=hq, title=f"{second.surname}总", primary_phone="13307310002", notes=MARK
        )
        for guest in (second, shared):
            services.guest_phone_add(acting_user=hq, guest=guest, phone=OFFICE_LINE, label="办公室")
        tail = third.primary_phone[-4:]
        services.guest_create(
            acting_user=hq,
            name=f"{third.name}先生",
            primary_phone=f"1350731{tail}",
            notes=MARK,
        )
        duplicates_scan(tenants=[tenant])
    return tenant
