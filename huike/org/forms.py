"""Console forms of the organisation app: they parse input; the services validate and write.

Choices of related rows (brands, stores, roles, org units) are the user's own tenant and row
scope, so a row of another tenant can't even be chosen (the services refuse it again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.core.permissions import FIELD_RESOURCES, PERMISSIONS, SCOPE_CHOICES
from huike.core.timeutils import DEFAULT_TIME_ZONE

from . import selectors
from .models import WEEKDAYS, Brand, OrgUnit, Role, Store
from .opening_hours import format_day, parse_day

OTHER_ZONE = "other"
COMMON_TIME_ZONES = [
    ("Asia/Shanghai", _("China (Asia/Shanghai)")),
    ("Asia/Urumqi", _("Xinjiang (Asia/Urumqi)")),
    ("Asia/Hong_Kong", _("Hong Kong (Asia/Hong_Kong)")),
    ("Asia/Macau", _("Macau (Asia/Macau)")),
    ("Asia/Taipei", _("Taipei (Asia/Taipei)")),
    ("Asia/Singapore", _("Singapore (Asia/Singapore)")),
    ("Asia/Kuala_Lumpur", _("Kuala Lumpur (Asia/Kuala_Lumpur)")),
    ("Asia/Bangkok", _("Bangkok (Asia/Bangkok)")),
    ("Asia/Tokyo", _("Tokyo (Asia/Tokyo)")),
    ("Asia/Seoul", _("Seoul (Asia/Seoul)")),
    ("Asia/Dubai", _("Dubai (Asia/Dubai)")),
    ("Australia/Sydney", _("Sydney (Australia/Sydney)")),
    ("Europe/London", _("London (Europe/London)")),
    ("Europe/Paris", _("Paris (Europe/Paris)")),
    ("America/New_York", _("New York (America/New_York)")),
    ("America/Los_Angeles", _("Los Angeles (America/Los_Angeles)")),
    ("America/Vancouver", _("Vancouver (America/Vancouver)")),
]
WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ],
        strict=True,
    )
)


class BrandForm(ConsoleForm):
    name = forms.CharField(label=_("Name"))
    code = forms.CharField(label=_("Code"), help_text=_("Letters, digits and dashes."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_for(brand: Brand) -> dict:
        return {"name": brand.name, "code": brand.code, "active": brand.active}


class StoreForm(ConsoleForm):
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.all_tenants.none())
    name = forms.CharField(label=_("Name"))
    code = forms.CharField(label=_("Code"), help_text=_("Letters, digits and dashes."))
    city = forms.CharField(label=_("City"))
    address = forms.CharField(label=_("Address"))
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        initial=DEFAULT_TIME_ZONE,
        choices=[*COMMON_TIME_ZONES, (OTHER_ZONE, _("Other (type it below)"))],
    )
    time_zone_other = forms.CharField(
        label=_("Other time zone"),
        required=False,
        help_text=_("An IANA name such as Asia/Kathmandu."),
    )
    phone = forms.CharField(label=_("Phone"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = selectors.brand_list(user=user)
        self.fields["time_zone_other"].widget.attrs["placeholder"] = "Asia/Kathmandu"
        self.fields["time_zone"].widget.attrs["x-model"] = "zone"
        for day in WEEKDAYS:
            name = f"hours_{day}"
            self.fields[name] = forms.CharField(label=WEEKDAY_LABELS[day], required=False)
            self.fields[name].widget.attrs.update(
                {
                    "class": "form-control",
                    "data-testid": f"input-{name}",
                    "placeholder": _("closed"),
                }
            )

    @property
    def hours_fields(self):
        return [self[f"hours_{day}"] for day in WEEKDAYS]

    @staticmethod
    def initial_for(store: Store) -> dict:
        common = {code for code, _label in COMMON_TIME_ZONES}
        zone_is_common = store.time_zone in common
        return {
            "brand": store.brand_id,
            "name": store.name,
            "code": store.code,
            "city": store.city,
            "address": store.address,
            "latitude": store.latitude,
            "longitude": store.longitude,
            "phone": store.phone,
            "active": store.active,
            "time_zone": store.time_zone if zone_is_common else OTHER_ZONE,
            "time_zone_other": "" if zone_is_common else store.time_zone,
            **{
                f"hours_{day}": format_day((store.opening_hours or {}).get(day)) for day in WEEKDAYS
            },
        }

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            name = f"hours_{day}"
            try:
                periods = parse_day(data.pop(name, ""))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            if periods:
                hours[day] = periods
        data["opening_hours"] = hours
        other = (data.pop("time_zone_other", "") or "").strip()
        if data.get("time_zone") == OTHER_ZONE:
            if not other:
                self.add_error("time_zone_other", _("Type the time zone, or choose one above."))
            data["time_zone"] = other
        return data

    def error_field_map(self) -> dict:
        """Where the services' field errors go: a bad typed zone beside the text box."""
        other = self.data.get("time_zone") == OTHER_ZONE
        return {
            "time_zone": "time_zone_other" if other else "time_zone",
            "opening_hours": "__all__",
        }


class StoreFilterForm(ConsoleForm):
    q = forms.CharField(label=_("Search"), required=False)
    brand = forms.ModelChoiceField(
        label=_("Brand"),
        queryset=Brand.all_tenants.none(),
        required=False,
        empty_label=_("All brands"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = selectors.brand_list(user=user)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or city")


class OrgUnitNameForm(ConsoleForm):
    name = forms.CharField(label=_("Name"))


class _UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * obj.depth}{obj.name}"


class StaffForm(ConsoleForm):
    """Create or edit a staff member. Fields of the staff record the user may not see are left
    out entirely, so they are neither shown nor changed."""

    name = forms.CharField(label=_("Name"))
    employee_no = forms.CharField(label=_("Employee number"))
    title = forms.CharField(label=_("Job title"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    email = forms.CharField(label=_("Email"), required=False)
    org_unit = _UnitChoiceField(
        label=_("Org unit"), queryset=OrgUnit.all_tenants.none(), required=False
    )
    brand = forms.ModelChoiceField(
        label=_("Brand"),
        queryset=Brand.all_tenants.none(),
        required=False,
        help_text=_("For staff without a store; a store sets it."),
    )
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.all_tenants.none(), required=False
    )
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.all_tenants.none(), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    username = forms.CharField(
        label=_("Login username"),
        required=False,
        help_text=_("Leave empty for staff who do not sign in."),
    )
    password = forms.CharField(
        label=_("Password"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args, user, visible: frozenset[str], with_login: bool, **kwargs):
        super().__init__(*args, **kwargs)
        declared = {f.name for f in FIELD_RESOURCES["staff"].fields}
        for name in declared - visible:
            self.fields.pop(name, None)
        if not with_login:
            self.fields.pop("username")
            self.fields.pop("password")
        self.fields["org_unit"].queryset = selectors.org_unit_list(user=user)
        self.fields["brand"].queryset = selectors.brand_list(user=user)
        if "store" in self.fields:
            self.fields["store"].queryset = selectors.store_list(user=user)
        if "role" in self.fields:
            self.fields["role"].queryset = selectors.role_list(user=user)
            self.fields["role"].label_from_instance = lambda role: str(role.label)

    @staticmethod
    def initial_for(staff) -> dict:
        return {
            "name": staff.name,
            "employee_no": staff.employee_no,
            "title": staff.title,
            "phone": staff.phone,
            "email": staff.email,
            "org_unit": staff.org_unit_id,
            "brand": staff.brand_id,
            "store": staff.store_id,
            "role": staff.role_id,
            "active": staff.active,
        }

    def clean(self):
        data = super().clean()
        if data.get("password") and not data.get("username"):
            self.add_error("username", _("Give a username for the password."))
        return data


class StaffPasswordForm(ConsoleForm):
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(render_value=False)
    )


class StaffFilterForm(ConsoleForm):
    q = forms.CharField(label=_("Search"), required=False)
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.all_tenants.none(),
        required=False,
        empty_label=_("All stores"),
    )
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=Role.all_tenants.none(),
        required=False,
        empty_label=_("All roles"),
    )
    org_unit = _UnitChoiceField(
        label=_("Org unit"),
        queryset=OrgUnit.all_tenants.none(),
        required=False,
        empty_label=_("Whole organisation"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = selectors.store_list(user=user)
        self.fields["role"].queryset = selectors.role_list(user=user)
        self.fields["role"].label_from_instance = lambda role: str(role.label)
        self.fields["org_unit"].queryset = selectors.org_unit_list(user=user)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or employee number")


class RoleCreateForm(ConsoleForm):
    code = forms.CharField(label=_("Code"), help_text=_("Letters, digits and dashes."))
    name = forms.CharField(label=_("Name"))
    description = forms.CharField(label=_("Description"), required=False)
    row_scope = forms.ChoiceField(label=_("Row scope"), choices=SCOPE_CHOICES, initial="own")
    copy_from = forms.ModelChoiceField(
        label=_("Start from the permissions of"),
        queryset=Role.all_tenants.none(),
        required=False,
        empty_label=_("No permissions"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = selectors.role_list(user=user)
        self.fields["copy_from"].label_from_instance = lambda role: str(role.label)

    def clean(self):
        data = super().clean()
        source = data.pop("copy_from", None)
        data["permissions"] = list(source.permissions) if source else []
        return data


class RoleForm(ConsoleForm):
    """The role editor: permissions, row scope, name (custom roles) and, per field resource,
    which fields the role sees (inputs named ``visible-<resource>-<field>``)."""

    name = forms.CharField(label=_("Name"))
    description = forms.CharField(label=_("Description"), required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    row_scope = forms.ChoiceField(label=_("Row scope"), choices=SCOPE_CHOICES)

    def __init__(self, *args, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        self.fields["permissions"].choices = [(p.code, p.label) for p in PERMISSIONS.values()]
        if role.is_system:
            self.fields.pop("name")
            self.fields.pop("description")
        for resource in FIELD_RESOURCES.values():
            for spec in resource.fields:
                name = visibility_field(resource.code, spec.name)
                self.fields[name] = forms.BooleanField(label=spec.label, required=False)

    @staticmethod
    def initial_for(role: Role, visibility: list[dict]) -> dict:
        initial = {
            "name": role.name,
            "description": role.description,
            "permissions": list(role.permissions or []),
            "row_scope": role.row_scope,
        }
        for resource in visibility:
            for field in resource["fields"]:
                initial[visibility_field(resource["resource"], field["name"])] = field["visible"]
        return initial

    def clean(self):
        data = super().clean()
        data["field_visibility"] = {
            resource.code: {
                spec.name: data.pop(visibility_field(resource.code, spec.name), False)
                for spec in resource.fields
            }
            for resource in FIELD_RESOURCES.values()
        }
        return data


def visibility_field(resource: str, field: str) -> str:
    return f"visible-{resource}-{field}"
