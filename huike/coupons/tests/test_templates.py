"""Designing coupon templates: each kind's required fields, validity, limits, and what may not
change once coupons exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.coupons import services
from huike.coupons.models import CouponTemplate

from .conftest import make_template


def test_a_cash_template_is_saved_and_audited(hq, org):
    template = make_template(hq, min_spend="100", stores=[org["store"].pk], total_limit=50)
    assert template.face_value == Decimal("20.00")
    assert template.min_spend == Decimal("100.00")
    assert [s.pk for s in template.stores.all()] == [org["store"].pk]
    assert (
        AuditEntry.objects.filter(
            object_type="coupons.coupontemplate", object_id=str(template.pk), action="create"
        ).count()
        == 1
    )


def test_fields_of_another_kind_are_dropped(hq, dish):
    template = make_template(hq, kind="percent", percent_off=12, face_value="5", dish=dish.pk)
    assert template.face_value is None and template.dish is None
    assert template.percent_off == 12


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "cash", "face_value": None}, "face_value"),
        ({"kind": "referral", "face_value": "0"}, "face_value"),
        ({"kind": "percent", "percent_off": None}, "percent_off"),
        ({"kind": "percent", "percent_off": 100}, "percent_off"),
        ({"kind": "free_dish"}, "dish"),
        ({"kind": "trial", "dish": 999999}, "dish"),
        ({"kind": "bogus"}, "kind"),
        ({"name": "  "}, "name"),
        ({"valid_days": None}, "valid_until"),
        ({"valid_until": dt.date(2030, 1, 1)}, "valid_days"),
        (
            {"valid_days": None, "valid_from": "2030-02-01", "valid_until": "2030-01-01"},
            "valid_until",
        ),
        ({"valid_days": 0}, "valid_days"),
        ({"wait_days": -1}, "wait_days"),
        ({"min_spend": "-5"}, "min_spend"),
        ({"min_spend": "1.005"}, "min_spend"),
        ({"total_limit": "many"}, "total_limit"),
        ({"stores": [999999]}, "stores"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_template_input_is_a_field_error_and_writes_nothing(hq, org, changes, field):
    with pytest.raises(errors.InvalidInput) as caught:
        make_template(hq, **changes)
    assert field in caught.value.fields
    assert CouponTemplate.objects.count() == 0


def test_only_designers_design(users):
    with pytest.raises(errors.PermissionDenied):
        make_template(users["cashier"])
    assert make_template(users["marketing"]).pk


def test_the_value_is_fixed_once_coupons_are_issued(hq, guest, cash_template):
    services.template_update(acting_user=hq, template=cash_template, face_value="30")
    services.coupon_issue(acting_user=hq, template=cash_template, guest=guest, send=False)
    with pytest.raises(errors.InvalidInput) as caught:
        services.template_update(acting_user=hq, template=cash_template, face_value="50")
    assert caught.value.code == "coupon_template_in_use"
    assert set(caught.value.fields) == {"face_value"}
    services.template_update(acting_user=hq, template=cash_template, name="新名字", total_limit=9)
    cash_template.refresh_from_db()
    assert (cash_template.name, cash_template.face_value) == ("新名字", Decimal("30.00"))


def test_a_deactivated_template_issues_nothing(hq, guest, cash_template):
    services.template_deactivate(acting_user=hq, template=cash_template)
    with pytest.raises(errors.Conflict) as caught:
        services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)
    assert caught.value.code == "coupon_template_inactive"
