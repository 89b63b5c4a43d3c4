"""Console forms of the loyalty app: they parse input only; services write."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class TopUpForm(ConsoleForm):
    """A cashier's top-up (充值) at the till. The hidden token makes a double submit (a second
    click, a reload) replay the first top-up instead of paying twice."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    amount = forms.CharField(
        label=_("Amount paid (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reference = forms.CharField(label=_("Receipt number"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", f"TU-{uuid.uuid4().hex}")


class CardSearchForm(ConsoleForm):
    q = forms.CharField(label=_("Card number or phone"), max_length=30, required=False)


class CardIssueForm(ConsoleForm):
    """开卡: the guest by phone, the issuing store, optionally a number and a tier."""

    guest_phone = forms.CharField(label=_("Guest's phone"), max_length=30)
    store = forms.ModelChoiceField(label=_("Issuing store"), queryset=None)
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        required=False,
        help_text=_("Empty: a number is generated."),
    )
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, required=False)

    def __init__(self, *args, stores, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["tier"].queryset = tiers


class CheckoutForm(ConsoleForm):
    """The cashier's member checkout (会员结账): the card, the dishes, the coupons scanned and how
    much of the bill the card's stored value pays; the rest is paid by ``other_method``. The
    hidden order number makes a double submit replay the first checkout instead of paying
    twice. Dish rows and coupon codes arrive as repeated fields (``dish_code``, ``qty``,
    ``price_tier``, ``coupons``), read by ``lines`` and ``coupon_codes``."""

    OTHER_METHODS = [
        ("cash", _("cash")),
        ("wechat", _("WeChat Pay")),
        ("alipay", _("Alipay")),
        ("card", _("bank card")),
    ]

    pos_order_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    member_card = forms.CharField(
        label=_("Member card number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    service_charge = forms.DecimalField(
        label=_("Service charge"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    stored_value = forms.DecimalField(
        label=_("Paid from stored value"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("The rest of the bill is paid by the method below."),
    )
    other_method = forms.ChoiceField(label=_("Rest paid by"), choices=OTHER_METHODS)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        if not self.is_bound:
            self.initial.setdefault("pos_order_id", f"WEB-{uuid.uuid4().hex[:16].upper()}")

    def lines(self) -> list[dict]:
        data = self.data
        codes, qtys, tiers = (data.getlist(n) for n in ("dish_code", "qty", "price_tier"))
        rows = []
        for i, code in enumerate(codes):
            code = code.strip()
            if code:
                qty = qtys[i].strip() if i < len(qtys) else "1"
                tier = tiers[i] if i < len(tiers) else "regular"
                rows.append({"dish_code": code, "qty": qty or "1", "price_tier": tier})
        return rows

    def coupon_codes(self) -> list[str]:
        return [c.strip() for c in self.data.getlist("coupons") if c.strip()]


class CardReasonForm(ConsoleForm):
    """Freeze, unfreeze or report lost: an optional reason."""

    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class CardReplaceForm(ConsoleForm):
    """补卡: an optional new number (empty: generated) and a reason."""

    number = forms.CharField(
        label=_("New card number"),
        max_length=40,
        required=False,
        help_text=_("Empty: a number is generated."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PointsAdjustForm(ConsoleForm):
    """HQ's points correction: plus or minus, always with a reason; sent once per token."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    points = forms.CharField(
        label=_("Points (+ or −)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", f"PA-{uuid.uuid4().hex}")


class StoredValueRefundForm(ConsoleForm):
    """A refund of principal in cash, with a reason; sent once per token."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    amount = forms.CharField(
        label=_("Principal refunded (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", f"RF-{uuid.uuid4().hex}")
