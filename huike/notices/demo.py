"""Demo data: the brand group's default booking notice policy (reminder two hours before).
Idempotent: an existing policy is left as it is."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo

from .models import NoticePolicy


def load() -> NoticePolicy | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        policy, _created = NoticePolicy.objects.get_or_create(
            tenant=tenant, store=None, defaults={"reminder_minutes": 120}
        )
    return policy
