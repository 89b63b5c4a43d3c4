"""Demo data: the brand group's default booking notice policy (reminder two hours before).
Idempotent: an existing policy is left as it is."""

from huike.core.tenancy import require_active_tenant

from .models import NoticePolicy


def load() -> NoticePolicy:
    """Call with the demo tenant active."""
    tenant = require_active_tenant()
    policy, _created = NoticePolicy.objects.get_or_create(
        tenant=tenant, store=None, defaults={"reminder_minutes": 120}
    )
    return policy
