"""Template tags of the table orders app: the pre-order section of the booking page."""

from django import template

from huike.tableorders import selectors

register = template.Library()


@register.simple_tag
def pre_order_for(booking) -> dict:
    """``{% pre_order_for booking as pre_order %}``: the booking's pre-ordered dishes, their
    total and the price tier."""
    return selectors.pre_order_of(booking)
