"""Platform API: /api/v1/audit (search the audit log) and /api/v1/me (who am I)."""

from __future__ import annotations

from django.utils import translation
from ninja import Query, Router

from .permissions import VIEW_AUDIT, access_for, check_perm
from .schemas import AuditPage, AuditQuery, MeOut
from .selectors import audit_search

router = Router(tags=["platform"])


@router.get("/audit", response=AuditPage, summary="Search the audit log (newest first)")
def search_audit(request, query: Query[AuditQuery]):
    check_perm(request.user, VIEW_AUDIT)
    filters = query.model_dump(exclude={"limit", "offset"})
    entries = audit_search(user=request.user, **filters)
    return {
        "count": entries.count(),
        "items": list(entries[query.offset : query.offset + query.limit]),
    }


@router.get("/me", response=MeOut, summary="Who the caller is and what they may do")
def me(request):
    user, access = request.user, access_for(request.user)
    return {
        "username": user.get_username(),
        "tenant": user.tenant,
        "staff": access.staff_id,
        "role": access.role_code,
        "permissions": sorted(access.permissions),
        "row_scope": access.scope,
        "store": access.store_id,
        "brand": access.brand_id,
        "language": translation.get_language(),
    }
