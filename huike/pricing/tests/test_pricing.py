"""``price_order``: member prices and percent off per line (the lower wins), non-discountable
dishes, tier and brand rules, 满减 (once, 每满, the best single rule), 满返, dates, rounding,
the untouched service charge, and no card → list prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huike.core import errors
from huike.loyalty import services as loyalty
from huike.loyalty.ledger import CardNotUsable
from huike.org import services as org_services
from huike.pricing import services
from huike.pricing.pricing import STACKING_RULES, price_order

from .conftest import line

D = Decimal
TODAY = dt.date(2026, 6, 15)


def quote(org, card, lines, **kw):
    return price_order(store=org["store"], card=card, lines=lines, today=TODAY, **kw)


def member_price(hq, dish, price, tier=None):
    return services.member_price_create(acting_user=hq, dish=dish, price=price, tier=tier)


def test_without_a_card_every_line_is_at_its_listed_price(org, hq, dishes, rule):
    member_price(hq, dishes["fish"], "100")
    rule("percent_off", percent_off=10)
    rule("spend_save", threshold="100", save_amount="50")
    result = quote(org, None, [line(dishes["fish"]), line(dishes["pork"], "2")])
    assert [ln.unit_price for ln in result.lines] == [D("128.00"), D("48.00")]
    assert [ln.rule for ln in result.lines] == ["", ""]
    assert (result.subtotal, result.discount, result.total, result.due) == (
        D("224.00"),
        D("0.00"),
        D("224.00"),
        D("224.00"),
    )
    assert result.returns == [] and result.steps


def test_on_each_line_the_lower_of_member_price_and_percent_off_wins(org, hq, dishes, card, rule):
    member_price(hq, dishes["fish"], "110")  # below 10 % off (115.20): member price
    member_price(hq, dishes["pork"], "45")  # above 10 % off (43.20): percent off
    rule("percent_off", percent_off=10)
    result = quote(org, card, [line(dishes["fish"]), line(dishes["pork"], "2")])
    fish, pork = result.lines
    assert (fish.unit_price, fish.line_total, fish.discount) == (D("110"), D("110"), D("18"))
    assert (pork.unit_price, pork.line_total, pork.discount) == (
        D("43.20"),
        D("86.40"),
        D("9.60"),
    )
    assert fish.rule and pork.rule and fish.rule != pork.rule
    assert result.member_discount == D("27.60") and result.threshold_discount == 0
    assert result.total == D("196.40") == result.due


def test_a_member_price_never_raises_a_listed_price(org, hq, dishes, card):
    member_price(hq, dishes["pork"], "50")
    result = quote(org, card, [line(dishes["pork"], tier="hall")])
    assert result.lines[0].unit_price == D("48.00") and result.lines[0].rule == ""


def test_a_dish_that_is_not_discountable_gets_its_member_price_but_no_percent_off(
    org, hq, dishes, card, rule
):
    rule("percent_off", percent_off=20)
    wine = quote(org, card, [line(dishes["wine"])]).lines[0]
    assert (wine.unit_price, wine.discount, wine.discountable) == (D("300.00"), 0, False)
    member_price(hq, dishes["wine"], "280")
    wine = quote(org, card, [line(dishes["wine"])]).lines[0]
    assert (wine.unit_price, wine.discount) == (D("280.00"), D("20.00"))


def test_tier_rules_apply_to_their_tier_and_untiered_ones_to_every_member(
    org, hq, dishes, tiers, card, silver_card, rule
):
    rule("percent_off", percent_off=10, tier=tiers["gold"])
    gold = quote(org, card, [line(dishes["pork"])])
    silver = quote(org, silver_card, [line(dishes["pork"])])
    assert gold.lines[0].unit_price == D("43.20") and silver.lines[0].unit_price == D("48.00")
    rule("percent_off", percent_off=5)
    assert quote(org, silver_card, [line(dishes["pork"])]).lines[0].unit_price == D("45.60")
    assert quote(org, card, [line(dishes["pork"])]).lines[0].unit_price == D("43.20")


def test_tier_member_prices_and_the_all_member_price_the_lowest_applies(
    org, hq, dishes, tiers, card, silver_card
):
    member_price(hq, dishes["fish"], "120")
    member_price(hq, dishes["fish"], "100", tier=tiers["gold"])
    assert quote(org, card, [line(dishes["fish"])]).lines[0].unit_price == D("100")
    assert quote(org, silver_card, [line(dishes["fish"])]).lines[0].unit_price == D("120")


def test_the_brands_own_rules_of_a_kind_replace_the_groups(org, hq, dishes, card, rule):
    other = org_services.brand_create(acting_user=hq, name="别的品牌", code="other")
    rule("percent_off", percent_off=10)  # the group's
    rule("percent_off", percent_off=20, brand=other)  # another brand's: never here
    assert quote(org, card, [line(dishes["pork"])]).lines[0].unit_price == D("43.20")
    rule("percent_off", percent_off=3, brand=org["brand"])  # the brand's own wins, lower or not
    assert quote(org, card, [line(dishes["pork"])]).lines[0].unit_price == D("46.56")
    rule("spend_save", threshold="40", save_amount="5")  # the group's 满减 still applies
    assert quote(org, card, [line(dishes["pork"])]).threshold_discount == D("5.00")


def test_spend_and_save_once_and_for_every_full_amount(org, dishes, card, rule):
    once = rule("spend_save", threshold="100", save_amount="10")
    order = [line(dishes["fish"]), line(dishes["pork"], "2")]  # 224.00
    assert quote(org, card, order).threshold_discount == D("10.00")
    services.pricing_rule_update(acting_user=org["users"]["hq"], rule=once, repeat=True)
    result = quote(org, card, order)
    assert result.threshold_discount == D("20.00") and result.due == D("204.00")


def test_only_the_best_single_spend_and_save_rule_applies(org, dishes, card, rule):
    rule("spend_save", threshold="100", save_amount="10", repeat=True)  # 20 on 224
    best = rule("spend_save", threshold="200", save_amount="25")  # 25 on 224
    result = quote(org, card, [line(dishes["fish"]), line(dishes["pork"], "2")])
    assert result.threshold_discount == D("25.00") and result.discount == D("25.00")
    assert any(best.name in step for step in result.steps)


def test_spend_and_save_is_judged_after_the_line_discounts(org, dishes, card, rule):
    rule("percent_off", percent_off=10)
    rule("spend_save", threshold="250", save_amount="30")
    result = quote(org, card, [line(dishes["fish"], "2")])  # 256 listed, 230.40 after 10 % off
    assert result.member_discount == D("25.60") and result.threshold_discount == 0
    rule("spend_save", threshold="200", save_amount="20")
    result = quote(org, card, [line(dishes["fish"], "2")])
    assert result.threshold_discount == D("20.00") and result.due == D("210.40")


def test_rules_out_of_their_dates_or_switched_off_do_not_apply(org, hq, dishes, card, rule):
    rule("percent_off", percent_off=10, valid_from=TODAY + dt.timedelta(days=1))
    rule("percent_off", percent_off=20, valid_until=TODAY - dt.timedelta(days=1))
    off = rule("percent_off", percent_off=30)
    services.pricing_rule_deactivate(acting_user=hq, rule=off)
    assert quote(org, card, [line(dishes["pork"])]).lines[0].unit_price == D("48.00")
    rule("percent_off", percent_off=5, valid_from=TODAY, valid_until=TODAY)
    assert quote(org, card, [line(dishes["pork"])]).lines[0].unit_price == D("45.60")


def test_amounts_are_rounded_half_up_to_the_cent(org, dishes, card, rule):
    rule("percent_off", percent_off=5)
    result = quote(org, card, [line(dishes["odd"], "3")])  # 33.33 × 0.95 = 31.6635
    odd = result.lines[0]
    assert (odd.unit_price, odd.line_total, odd.discount) == (
        D("31.66"),
        D("94.98"),
        D("5.01"),
    )
    half = quote(org, None, [line(dishes["odd"], "0.5")])  # 16.665
    assert half.lines[0].line_total == D("16.67") == half.subtotal


def test_the_service_charge_is_never_discounted_nor_counted_toward_a_threshold(
    org, dishes, card, rule
):
    rule("percent_off", percent_off=10)
    rule("spend_save", threshold="200", save_amount="20")
    result = quote(org, card, [line(dishes["fish"]), line(dishes["pork"])], service_charge=D("30"))
    # 176 listed → 158.40 after 10 % off: below 200 even with the 30 of service charge
    assert result.threshold_discount == 0 and result.service_charge == D("30.00")
    assert result.total == D("188.40") == result.due


def test_a_card_that_is_not_usable_is_refused(org, hq, dishes, card):
    loyalty.card_freeze(acting_user=hq, card=card)
    card.refresh_from_db()
    with pytest.raises(CardNotUsable) as refused:
        quote(org, card, [line(dishes["pork"])])
    assert refused.value.code == "card_frozen"


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_a_quantity_not_above_zero_is_a_field_error(org, dishes, card, qty):
    with pytest.raises(errors.InvalidInput) as bad:
        quote(org, card, [line(dishes["pork"]), line(dishes["fish"], qty)])
    assert set(bad.value.fields) == {"lines.1.qty"}


def test_a_negative_service_charge_is_a_field_error(org, dishes, card):
    with pytest.raises(errors.InvalidInput) as bad:
        quote(org, card, [line(dishes["pork"])], service_charge=D("-1"))
    assert set(bad.value.fields) == {"service_charge"}


def test_the_stacking_rules_are_a_fixed_list_of_sentences():
    assert len(STACKING_RULES) == 6 and all(str(rule) for rule in STACKING_RULES)
