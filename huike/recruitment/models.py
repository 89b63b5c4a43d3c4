"""Member recruitment (会员发展): targets of new members per store, or per staff member of a
store, for a period. Progress is counted from the membership cards themselves (their issuing
store and the staff member who signed them up), never stored. See decision 0017."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huike.core.tenancy import TenantScopedModel


class RecruitmentTarget(TenantScopedModel):
    """A target of new members (发展目标) for a store, or for one staff member of it, over a
    period of whole days (the store's local dates, both ends included)."""

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    staff = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
        help_text=_("Empty: the target of the whole store."),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    target = models.PositiveIntegerField(_("target (new members)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("recruitment target")
        verbose_name_plural = _("recruitment targets")
        ordering = ["-period_start", "store", "staff", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="recruitment_period_ordered",
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="recruitment_target_positive"),
            models.UniqueConstraint(
                fields=["tenant", "store", "period_start", "period_end"],
                condition=Q(staff__isnull=True),
                name="recruitment_store_period_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "store", "staff", "period_start", "period_end"],
                condition=Q(staff__isnull=False),
                name="recruitment_staff_period_unique",
            ),
        ]

    def __str__(self):
        who = self.staff.name if self.staff_id else self.store.name
        return f"{who} {self.period_start}–{self.period_end}: {self.target}"
