"""Outbox API: GET /api/v1/messages (paged, newest first). Thin: query in, selector, out."""

from __future__ import annotations

from ninja import Query, Router

from huike.core.permissions import check_perm

from . import permissions as perms
from . import selectors
from .schemas import MessagePage, MessageQuery

router = Router(tags=["messages"])


@router.get("/messages", response=MessagePage, summary="List messages to guests (the outbox)")
def list_messages(request, query: Query[MessageQuery]):
    check_perm(request.user, perms.VIEW_MESSAGES)
    messages = selectors.message_list(
        status=query.status or "", channel=query.channel or "", reference=query.reference or ""
    )
    shown = selectors.recipient_shown_for(request.user)
    page = list(messages[query.offset : query.offset + query.limit])
    return {
        "count": messages.count(),
        "items": [
            {
                "id": m.pk,
                "channel": m.channel,
                "recipient": shown(m),
                "purpose": m.purpose,
                "reference": m.reference,
                "status": m.status,
                "attempts": m.attempts,
                "provider": m.provider,
                "provider_message_id": m.provider_message_id,
                "last_error": m.last_error,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
                "delivered_at": m.delivered_at,
            }
            for m in page
        ],
    }
