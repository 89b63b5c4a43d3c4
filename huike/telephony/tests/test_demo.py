import pytest

from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Store
from huike.telephony import demo
from huike.telephony.models import IncomingCall, TelephonyLine


@pytest.mark.django_db
def test_the_demo_sets_up_a_line_per_store_once(published):
    tenant = org_demo.load()
    assert demo.load() == tenant
    demo.load()
    with tenant_context(tenant):
        assert TelephonyLine.objects.count() == Store.objects.count() > 0
        assert IncomingCall.objects.filter(call_id="demo-2", guest=None).count() == 1
