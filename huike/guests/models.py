"""Guests (顾客): the profile of G1, their phones, important dates, contacts, tags and the facts
captured at the collection points of G2."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huike.core.money import MoneyField
from huike.core.tenancy import TenantScopedModel


class Guest(TenantScopedModel):
    """A guest (顾客档案). ``primary_phone`` (E.164) is the lookup key, unique in the tenant."""

    class Gender(models.TextChoices):
        UNKNOWN = "", _("unknown")
        MALE = "m", _("male")
        FEMALE = "f", _("female")

    class MealType(models.TextChoices):
        UNKNOWN = "", _("not known")
        BUSINESS = "business", _("business")
        FAMILY = "family", _("family")
        FRIENDS = "friends", _("friends")
        COUPLE = "couple", _("couple")
        BANQUET = "banquet", _("banquet")
        SOLO = "solo", _("solo")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("email")
        PHONE = "phone", _("phone call")
        PORTAL = "portal", _("member portal")

    name = models.CharField(_("name"), max_length=60, blank=True)
    surname = models.CharField(_("surname"), max_length=20, blank=True)
    title = models.CharField(
        _("form of address"),
        max_length=30,
        blank=True,
        help_text=_("How staff address the guest, e.g. 王先生."),
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    primary_phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    company = models.CharField(_("company"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    referrer = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    taste_preferences = models.CharField(_("taste preferences"), max_length=300, blank=True)
    dish_requirements = models.CharField(_("dish requirements"), max_length=300, blank=True)
    likes = models.CharField(_("likes"), max_length=300, blank=True)
    taboos = models.CharField(_("taboos and allergies"), max_length=300, blank=True)
    preferred_room = models.CharField(_("preferred room"), max_length=100, blank=True)
    meal_type = models.CharField(
        _("meal type"), max_length=20, choices=MealType.choices, blank=True
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    marketing_consent = models.BooleanField(_("agrees to marketing"), default=False)
    consent_source = models.CharField(_("consent source"), max_length=60, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    home_store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("home store"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Derived from posted orders (T3), kept on the row for instant lookups.
    visit_count = models.PositiveIntegerField(_("visits"), default=0)
    total_spend = MoneyField(_("total spend"), default=0)
    first_visit_at = models.DateTimeField(_("first visit"), null=True, blank=True)
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    # Dedupe (G4) and personal-data erasure (X4).
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_guests",
        verbose_name=_("merged into"),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    # No row scope: a regular of one store is welcome at every store of the group, so guests
    # are shared tenant-wide; what each role sees of them is the guest sheet's field policy (G5).

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "primary_phone"],
                condition=Q(primary_phone__gt=""),
                name="guest_primary_phone_unique",
            ),
            models.CheckConstraint(
                condition=Q(total_spend__gte=0), name="guest_spend_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "last_visit_at"], name="guest_last_visit"),
            models.Index(fields=["tenant", "birthday"], name="guest_birthday"),
            models.Index(fields=["tenant", "name"], name="guest_name"),
        ]

    # What the audit log never keeps in clear (decision 0012): that a field changed is
    # recorded, its value is not, so an erased guest leaves nothing personal behind.
    audit_personal_fields = frozenset(
        {
            "name",
            "surname",
            "title",
            "primary_phone",
            "email",
            "birthday",
            "company",
            "job_title",
            "address",
            "taste_preferences",
            "dish_requirements",
            "likes",
            "taboos",
            "preferred_room",
            "consent_source",
            "notes",
        }
    )

    def __str__(self):
        return self.title or self.name or self.primary_phone or f"#{self.pk}"

    def audit_label(self) -> str:
        return f"#{self.pk}"


class GuestPhone(TenantScopedModel):
    """A further phone of a guest (office, spouse's, …), E.164."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="phones")
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    label = models.CharField(_("label"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("further phone")
        verbose_name_plural = _("further phones")
        constraints = [models.UniqueConstraint(fields=["guest", "phone"], name="guestphone_unique")]
        # Lookup by phone is per tenant; tenant first lets SQLite use it without statistics.
        indexes = [models.Index(fields=["tenant", "phone"], name="guestphone_tenant_phone")]

    audit_personal_fields = frozenset({"phone", "label"})

    def __str__(self):
        return self.phone

    def audit_label(self) -> str:
        return f"#{self.pk} ({self._meta.verbose_name} #{self.guest_id})"


class ImportantDate(TenantScopedModel):
    """A date to remember besides the birthday (wedding anniversary, company founding …)."""

    class Kind(models.TextChoices):
        ANNIVERSARY = "anniversary", _("wedding anniversary")
        PARTNER_BIRTHDAY = "partner_birthday", _("partner's birthday")
        CHILD_BIRTHDAY = "child_birthday", _("child's birthday")
        COMPANY = "company", _("company anniversary")
        OTHER = "other", _("other")

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="important_dates")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    label = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")
        ordering = ["date"]

    audit_personal_fields = frozenset({"date", "label"})

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"

    def audit_label(self) -> str:
        return f"{self.get_kind_display()} (#{self.guest_id})"


class GuestContact(TenantScopedModel):
    """Someone connected to the guest: assistant, spouse, colleague who books for them."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    audit_personal_fields = frozenset({"name", "relation", "phone"})

    def __str__(self):
        return self.name

    def audit_label(self) -> str:
        return f"#{self.pk} ({self._meta.verbose_name} #{self.guest_id})"


class GuestTag(TenantScopedModel):
    """A tag (标签) with a colour; set by hand, or by an auto-tag rule."""

    name = models.CharField(_("name"), max_length=30)
    colour = models.CharField(
        _("colour"), max_length=7, default="#206bc4", help_text=_("A colour like #206bc4.")
    )
    rule = models.JSONField(
        _("auto-tag rule"), null=True, blank=True, help_text=_("Empty for a tag set by hand.")
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="guesttag_name_unique")
        ]

    def __str__(self):
        return self.name


class GuestTagging(TenantScopedModel):
    """A tag on a guest, with who or which rule put it there."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(GuestTag, on_delete=models.CASCADE, related_name="taggings")
    auto = models.BooleanField(_("by rule"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tagging")
        verbose_name_plural = _("taggings")
        constraints = [models.UniqueConstraint(fields=["guest", "tag"], name="guesttagging_unique")]

    def __str__(self):
        return f"{self.guest_id}:{self.tag_id}"


class CollectedFact(TenantScopedModel):
    """What staff captured about a guest at one collection point (客户信息收集时点, G2): the
    fields of that point's quick form, who captured them, when and at which store."""

    class Point(models.TextChoices):
        CALL_CENTRE = "call_centre", _("call centre")
        ARRIVAL = "arrival", _("arrival")
        ORDERING = "ordering", _("ordering")
        TABLE_VISIT = "table_visit", _("table visit")
        CHECKOUT = "checkout", _("checkout")
        CALLBACK = "callback", _("next-day call-back")

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="facts")
    point = models.CharField(_("collection point"), max_length=20, choices=Point.choices)
    data = models.JSONField(_("captured"), default=dict)
    store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("store"),
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("captured by"),
    )
    captured_at = models.DateTimeField(_("captured at"), db_index=True)

    scope_paths = {"store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("captured fact")
        verbose_name_plural = _("captured facts")
        ordering = ["-captured_at", "-id"]

    audit_personal_fields = frozenset({"data"})

    def __str__(self):
        return f"{self.get_point_display()} {self.captured_at:%Y-%m-%d}"


class GuestMerge(TenantScopedModel):
    """One merge of a duplicate guest into the surviving profile (G4): what moved, which blank
    fields of the survivor were filled from the duplicate, and, once undone, when and by whom.
    The duplicate stays as a redirect (``Guest.merged_into``) until the merge is undone."""

    survivor = models.ForeignKey(
        Guest, on_delete=models.PROTECT, related_name="merges_in", verbose_name=_("kept guest")
    )
    merged = models.ForeignKey(
        Guest, on_delete=models.PROTECT, related_name="merges_out", verbose_name=_("merged guest")
    )
    # {mover code: [ids moved]} — the rows each app moved, so an undo moves the same ones back.
    moved = models.JSONField(_("moved rows"), default=dict, blank=True)
    # {field: [survivor's value before, value after]} for the profile fields the merge changed.
    filled = models.JSONField(_("filled fields"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"), db_index=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undo_reason = models.CharField(_("reason for the undo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("guest merge")
        verbose_name_plural = _("guest merges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(survivor=models.F("merged")), name="guestmerge_not_itself"
            ),
            # A duplicate is merged away at most once at a time.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(undone_at__isnull=True),
                name="guestmerge_active_once",
            ),
        ]

    audit_personal_fields = frozenset({"filled"})

    def __str__(self):
        return f"#{self.merged_id} → #{self.survivor_id}"


class MergeCandidate(TenantScopedModel):
    """A pair of guests that look like one person (G4), found by the duplicate scan. ``guest_a``
    is always the older profile (lower id). Dismissed pairs are kept so the scan never offers
    them again."""

    class Reason(models.TextChoices):
        SAME_PHONE = "same_phone", _("same phone")
        NAME_BIRTHDAY = "name_birthday", _("same name and birthday")
        CLOSE_NAME = "close_name", _("similar name, same phone ending")

    guest_a = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="+")
    guest_b = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    score = models.PositiveSmallIntegerField(_("similarity"), default=100)
    found_at = models.DateTimeField(_("found at"))
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dismissed by"),
    )

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["guest_a", "guest_b"], name="mergecandidate_pair"),
            models.CheckConstraint(
                condition=Q(guest_a__lt=models.F("guest_b")), name="mergecandidate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "dismissed_at", "-score"], name="candidate_open")]

    def __str__(self):
        return f"#{self.guest_a_id} ~ #{self.guest_b_id}"
