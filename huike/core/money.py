"""Money in CNY as exact decimals with two places (X3). Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

from .errors import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14


def cny(value) -> Decimal:
    """Parse a value (str, int, Decimal) into a CNY amount rounded half-up to the cent.

    Floats are refused: they cannot carry an exact amount.
    """
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(message=f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise InvalidInput(message=f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_cny(amount: Decimal | None) -> str:
    """¥1,234.50 — the way amounts are shown in the console in both languages."""
    if amount is None:
        return ""
    amount = cny(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``weights`` into cents that add up exactly (largest remainder)."""
    total = cny(total)
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum <= 0:
        raise ValueError("weights must be positive")
    cents = int(total / CENT)
    raw = [Decimal(cents) * w / weight_sum for w in weights]
    shares = [int(r) for r in raw]
    left = cents - sum(shares)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[:left]:
        shares[i] += 1
    return [Decimal(s) * CENT for s in shares]


class MoneyField(models.DecimalField):
    """A CNY amount: 14 digits, 2 places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "huike.core.money.MoneyField", args, kwargs
