"""``{% booking_notices booking as rows %}``: the booking's notices for its page, each with
its message's delivery status and the recipient as this user may see it."""

from django import template

from huike.messaging.selectors import recipient_shown_for

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def booking_notices(context, booking):
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = recipient_shown_for(user)
    return [selectors.notice_data(n, shown) for n in selectors.notices_of_booking(booking)]
