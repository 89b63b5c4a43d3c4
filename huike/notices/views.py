"""The notice policy page (预订通知设置): the brand group's policy or a store's own, with a
preview of each text filled with sample values."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.org.models import Store

from . import permissions as perms
from . import services, texts
from .forms import NoticePolicyForm
from .models import NoticeKind, NoticePolicy


def _stores(user):
    return restrict(Store.objects.filter(active=True), user).order_by("name")


def _previews(data) -> list[dict]:
    rows = []
    for kind, label in NoticeKind.choices:
        text = data.get(f"{kind}_text") or ""
        problems = texts.template_problems(text)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "text": "" if problems else texts.fill(text, texts.SAMPLE),
                "problems": problems,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def notice_policy(request):
    """See (``reservations.view``) or set (``notices.manage``) the notices to guests."""
    check_perm(request.user, perms.VIEW)
    may_manage = has_perm(request.user, perms.MANAGE)
    stores = _stores(request.user)
    store_id = request.GET.get("store") or None
    store = stores.filter(pk=store_id).first() if (store_id or "").isdigit() else None
    policy = services.policy_for(store)
    own = policy.store_id == (store.pk if store else None) and policy.pk is not None
    initial = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    initial["store"] = store.pk if store else None
    if request.method == "POST":
        check_perm(request.user, perms.MANAGE)
        form = NoticePolicyForm(request.POST, stores=stores)
        ok, _saved = run_service(
            form, lambda data: services.notice_policy_set(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Saved."))
            chosen = form.cleaned_data.get("store")
            url = reverse("notice_policy") + (f"?store={chosen.pk}" if chosen else "")
            return redirect_after_save(request, url)
        data = form.data
    else:
        form = NoticePolicyForm(None, initial=initial, stores=stores)
        data = initial
    overrides = NoticePolicy.objects.filter(store__isnull=False).select_related("store")
    return render_page(
        request,
        "notices/policy.html",
        "notices/policy.html",
        {
            "form": form,
            "may_manage": may_manage,
            "store": store,
            "own": own,
            "previews": _previews(data),
            "overrides": restrict(overrides, request.user).order_by("store__name"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
