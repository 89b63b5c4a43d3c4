"""Organisation (O1): brands, stores, the org tree, roles and staff."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from huike.core.permissions import PERMISSIONS, SCOPE_CHOICES, SCOPE_OWN
from huike.core.tenancy import TenantScopedModel
from huike.core.timeutils import DEFAULT_TIME_ZONE, is_valid_time_zone

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Brand(TenantScopedModel):
    """A brand (品牌) of the group."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40)
    active = models.BooleanField(_("active"), default=True)

    scope_paths = {"brand": "pk"}

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="brand_code_unique"),
            models.UniqueConstraint(fields=["tenant", "name"], name="brand_name_unique"),
        ]

    def __str__(self):
        return self.name


def validate_opening_hours(value) -> None:
    """``{"mon": [["10:00", "14:00"], ["17:00", "22:00"]], …}``; a close before its open means
    the period runs past midnight."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must map weekdays to periods."))
    for day, periods in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(_("Unknown weekday “%(day)s”."), params={"day": day})
        if not isinstance(periods, list):
            raise ValidationError(_("Periods of %(day)s must be a list."), params={"day": day})
        for period in periods:
            if (
                not isinstance(period, list | tuple)
                or len(period) != 2
                or not all(isinstance(t, str) and _HHMM.match(t) for t in period)
            ):
                raise ValidationError(
                    _("A period is two times like 10:00 and 14:00 (%(day)s)."),
                    params={"day": day},
                )
            if period[0] == period[1]:
                raise ValidationError(
                    _("A period cannot open and close at the same time (%(day)s)."),
                    params={"day": day},
                )


def validate_time_zone(value: str) -> None:
    if not is_valid_time_zone(value):
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


class Store(TenantScopedModel):
    """A store (门店) of a brand."""

    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="stores", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40)
    city = models.CharField(_("city"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.JSONField(
        _("opening hours"), default=dict, blank=True, validators=[validate_opening_hours]
    )
    active = models.BooleanField(_("active"), default=True)

    scope_paths = {"store": "pk", "brand": "brand"}

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["brand__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="store_code_unique"),
            models.UniqueConstraint(fields=["tenant", "name"], name="store_name_unique"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="store_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="store_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="store_geo_point_whole",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                {
                    "longitude" if self.longitude is None else "latitude": _(
                        "Give both latitude and longitude, or neither."
                    )
                }
            )


class OrgUnit(TenantScopedModel):
    """A node of the org tree: organisation/branch (机构) → department (部门) → group (小组)."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("organisation")
        DEPARTMENT = "department", _("department")
        GROUP = "group", _("group")

    PARENT_KIND = {
        Kind.ORGANISATION: None,
        Kind.DEPARTMENT: Kind.ORGANISATION,
        Kind.GROUP: Kind.DEPARTMENT,
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    scope_paths = {"group": "", "department": ""}

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "parent", "name"], name="orgunit_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.PARENT_KIND.get(self.kind)
        actual = self.parent.kind if self.parent_id else None
        if expected != actual:
            if expected is None:
                raise ValidationError({"parent": _("An organisation is at the top of the tree.")})
            raise ValidationError(
                {
                    "parent": _("A %(kind)s belongs to a %(parent)s.")
                    % {"kind": self.Kind(self.kind).label, "parent": self.Kind(expected).label}
                }
            )

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def ancestor_of_kind(self, kind: str) -> OrgUnit | None:
        if self.kind == kind:
            return self
        ids = self.ancestor_ids()
        return OrgUnit.all_tenants.filter(pk__in=ids, kind=kind).first()


class Role(TenantScopedModel):
    """A role (角色) with its permission codes and row scope."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    row_scope = models.CharField(
        _("row scope"), max_length=20, choices=SCOPE_CHOICES, default=SCOPE_OWN
    )
    is_system = models.BooleanField(_("built-in"), default=False, editable=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="role_code_unique"),
        ]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        """Built-in roles show their name in the reader's language."""
        from .roles import ROLE_LABELS

        return ROLE_LABELS.get(self.code, self.name) if self.is_system else self.name

    def clean(self):
        unknown = sorted(set(self.permissions or []) - set(PERMISSIONS))
        if unknown:
            raise ValidationError(
                {"permissions": _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}}
            )


class FieldPolicy(TenantScopedModel):
    """Whether a role sees one field of a resource (e.g. the guest sheet's phone)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_policies")
    resource = models.CharField(max_length=40)
    field = models.CharField(max_length=60)
    visible = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("field visibility")
        verbose_name_plural = _("field visibility")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "resource", "field"], name="fieldpolicy_unique"
            ),
        ]


class Staff(TenantScopedModel):
    """A staff member (人员): where they sit in the org tree, their store, role and login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name=_("login account"),
    )
    name = models.CharField(_("name"), max_length=60)
    employee_no = models.CharField(_("employee number"), max_length=30)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("org unit"),
    )
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("brand"),
    )
    store = models.ForeignKey(
        Store,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("store"),
    )
    role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("role"),
    )
    active = models.BooleanField(_("active"), default=True)

    scope_paths = {
        "own": "user",
        "group": "org_unit",
        "department": "org_unit",
        "store": "store",
        "brand": "brand",
    }

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "employee_no"], name="staff_no_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.store_id and self.brand_id and self.store.brand_id != self.brand_id:
            raise ValidationError({"store": _("This store belongs to another brand.")})
