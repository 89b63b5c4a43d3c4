import pytest

from huike.core.tenancy import NoActiveTenant, tenant_context
from huike.org.models import Store


def test_scoped_manager_sees_only_the_active_tenant(org, other_org):
    assert set(Store.objects.values_list("name", flat=True)) == {"测试集团一店", "测试集团二店"}
    with tenant_context(other_org["tenant"]):
        assert set(Store.objects.values_list("name", flat=True)) == {"别家集团一店", "别家集团二店"}
    assert Store.all_tenants.count() == 4


def test_query_without_an_active_tenant_is_refused(org):
    with tenant_context(None), pytest.raises(NoActiveTenant):
        list(Store.objects.all())


def test_a_row_of_another_tenant_cannot_be_saved_under_this_one(org, other_org):
    foreign = Store.all_tenants.get(code="t2-s1")
    foreign.name = "偷改"
    with pytest.raises(NoActiveTenant):
        foreign.save()
    assert Store.all_tenants.get(code="t2-s1").name == "别家集团一店"


def test_new_rows_take_the_active_tenant(org):
    from huike.org.models import Brand

    brand = Brand(name="新品牌", code="new-brand")
    brand.save()
    assert brand.tenant == org["tenant"]
