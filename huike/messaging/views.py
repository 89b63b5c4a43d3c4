"""The outbox page (发件箱): messages to guests with their status, filtered (HTMX)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator

from huike.core.htmx import render_page
from huike.core.permissions import check_perm

from . import permissions as perms
from . import selectors
from .forms import MessageFilterForm
from .providers import provider_for

PAGE_SIZE = 50


@login_required
def message_list(request):
    check_perm(request.user, perms.VIEW_MESSAGES)
    filters = MessageFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    messages = selectors.message_list(
        status=chosen.get("status", ""),
        channel=chosen.get("channel", ""),
        reference=chosen.get("reference", ""),
    )
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = selectors.recipient_shown_for(request.user)
    rows = [(message, shown(message)) for message in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "messaging/message_list.html",
        "messaging/partials/message_table.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "sms_configured": provider_for("sms") is not None,
            "email_configured": provider_for("email") is not None,
        },
    )
