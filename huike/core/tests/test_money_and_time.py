import datetime as dt
from decimal import Decimal

import pytest

from huike.core.errors import InvalidInput
from huike.core.money import allocate, cny, format_cny
from huike.core.timeutils import day_bounds, in_zone, is_valid_time_zone


def test_cny_rounds_half_up_to_the_cent():
    assert cny("10.005") == Decimal("10.01")
    assert cny(3) == Decimal("3.00")
    assert cny(Decimal("-0.004")) == Decimal("0.00")


def test_cny_refuses_floats_and_garbage():
    with pytest.raises(TypeError):
        cny(0.1)
    with pytest.raises(InvalidInput):
        cny("十块")
    with pytest.raises(InvalidInput):
        cny("NaN")


def test_format_cny():
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    assert format_cny(Decimal("-8")) == "-¥8.00"


def test_allocate_splits_exactly():
    shares = allocate(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert sum(shares) == Decimal("100.00")
    assert sorted(shares) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_times_are_shown_in_the_store_zone():
    moment = dt.datetime(2026, 1, 1, 4, 0, tzinfo=dt.UTC)
    assert in_zone(moment, "Asia/Shanghai").hour == 12
    assert in_zone(moment, "Asia/Urumqi").hour == 10
    with pytest.raises(ValueError):
        in_zone(dt.datetime(2026, 1, 1), "Asia/Shanghai")


def test_day_bounds_and_zone_names():
    start, end = day_bounds(dt.date(2026, 3, 8), "Asia/Shanghai")
    assert start.utcoffset() == dt.timedelta(hours=8) and end - start == dt.timedelta(days=1)
    assert is_valid_time_zone("Asia/Shanghai") and not is_valid_time_zone("Mars/Olympus")
