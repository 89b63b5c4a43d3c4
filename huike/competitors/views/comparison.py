"""The price comparison: our dishes against the competitors' comparable dishes."""

from django.contrib.auth.decorators import login_required

from huike.core.htmx import render_page
from huike.core.permissions import check_perm

from .. import permissions as perms
from .. import selectors
from ..forms import ComparisonForm


@login_required
def comparison(request):
    check_perm(request.user, perms.VIEW_COMPETITORS)
    form = ComparisonForm(request.GET)
    tier = form.tier_value()
    return render_page(
        request,
        "competitors/comparison.html",
        "competitors/partials/comparison_table.html",
        {
            "form": form,
            "tier": tier,
            "rows": selectors.price_comparison(user=request.user, tier=tier),
        },
    )
