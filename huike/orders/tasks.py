"""Jobs of the guests' order history: the auto-tag rules (自动标签), re-evaluated nightly for
every guest and at once for one tag when its rule changes. (They live here because djhuey
only discovers modules named ``tasks``; the guests app's own holds the retention job.)"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.guests.autotags import autotags_nightly, tag_autotags_refresh
from huike.guests.models import GuestTag


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_autotags_refresh():
    autotags_nightly()


@db_task()
def autotags_refresh_tag(tenant_id: int, tag_id: int):
    """Apply one tag's new rule to every guest of the tenant (queued after the rule is saved);
    a tag deleted meanwhile is skipped."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with tenant_context(tenant):
        tag = GuestTag.objects.filter(pk=tag_id).first()
        if tag is not None:
            tag_autotags_refresh(tag=tag)
