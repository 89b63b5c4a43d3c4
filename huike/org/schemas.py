"""API schemas of the organisation app."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AliasChoices, BeforeValidator, ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


OpeningHours = dict[str, list[tuple[str, str]]]
Text = Annotated[str, BeforeValidator(str)]  # translated labels, in the request's language


def _six_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"))


Coordinate = Annotated[Decimal | None, AfterValidator(_six_places)]  # as stored: 6 places


class StoreIn(StrictIn):
    brand: int
    name: str = Field(max_length=100)
    code: str = Field(max_length=40)
    city: str = Field(max_length=50)
    address: str = Field(max_length=200)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    time_zone: str = Field(default="Asia/Shanghai", max_length=64)
    phone: str = Field(default="", max_length=30)
    opening_hours: OpeningHours = Field(default_factory=dict)
    active: bool = True


class StorePatch(StrictIn):
    brand: int | None = None
    name: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=200)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    time_zone: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=30)
    opening_hours: OpeningHours | None = None
    active: bool | None = None


class StoreOut(Schema):
    id: int
    brand: int = Field(validation_alias=AliasChoices("brand_id", "brand"))
    name: str
    code: str
    city: str
    address: str
    latitude: Coordinate
    longitude: Coordinate
    time_zone: str
    phone: str
    opening_hours: dict
    active: bool


class BrandIn(StrictIn):
    name: str = Field(max_length=100)
    code: str = Field(max_length=40)
    active: bool = True


class BrandPatch(StrictIn):
    name: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=40)
    active: bool | None = None


class BrandOut(Schema):
    id: int
    name: str
    code: str
    active: bool


OrgUnitKind = Literal["organisation", "department", "group"]


class OrgUnitIn(StrictIn):
    kind: OrgUnitKind
    name: str = Field(max_length=100)
    parent: int | None = None


class OrgUnitPatch(StrictIn):
    name: str = Field(max_length=100)


class OrgUnitOut(Schema):
    id: int
    kind: str
    name: str
    parent: int | None = Field(validation_alias=AliasChoices("parent_id", "parent"))
    path: str
    depth: int


class StaffIn(StrictIn):
    name: str = Field(max_length=60)
    employee_no: str = Field(max_length=30)
    title: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    org_unit: int | None = None
    brand: int | None = None
    store: int | None = None
    role: int | None = None
    active: bool = True
    username: str = Field(
        default="", max_length=150, description="With password: also create a login account."
    )
    password: str = Field(default="", max_length=128)


class StaffPatch(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    employee_no: str | None = Field(default=None, max_length=30)
    title: str | None = Field(default=None, max_length=60)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    org_unit: int | None = None
    brand: int | None = None
    store: int | None = None
    role: int | None = None
    active: bool | None = None


def _related_id(name: str):
    """An output field holding a foreign key's id (read from ``<name>_id``)."""
    return Field(default=None, validation_alias=AliasChoices(f"{name}_id", name))


class StaffOut(Schema):
    """Fields the caller's role may not see (field visibility, e.g. phone) are left out."""

    id: int
    name: str | None = None
    employee_no: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    org_unit: int | None = _related_id("org_unit")
    brand: int | None = _related_id("brand")
    store: int | None = _related_id("store")
    role: int | None = _related_id("role")
    active: bool
    has_login: bool = False

    @staticmethod
    def resolve_has_login(obj) -> bool:
        return obj.get("has_login", False) if isinstance(obj, dict) else obj.user_id is not None


RowScope = Literal["own", "group", "department", "store", "brand", "all"]
PermissionCodes = list[Annotated[str, Field(max_length=80)]]


class RoleIn(StrictIn):
    code: str = Field(max_length=40)
    name: str = Field(max_length=60)
    description: str = Field(default="", max_length=200)
    permissions: PermissionCodes = Field(default_factory=list, max_length=200)
    row_scope: RowScope = "own"


class RolePatch(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, max_length=200)
    permissions: PermissionCodes | None = Field(default=None, max_length=200)
    row_scope: RowScope | None = None


class RoleOut(Schema):
    id: int
    code: str
    name: str
    label: Text = Field(description="The name in the reader's language (built-in roles).")
    description: str
    permissions: list[str]
    row_scope: str
    is_system: bool


class FieldVisibilityIn(StrictIn):
    fields: dict[Annotated[str, Field(max_length=60)], bool] = Field(max_length=100)


class FieldVisibilityItem(Schema):
    name: str
    label: Text
    visible: bool


class FieldVisibilityOut(Schema):
    resource: str
    label: Text
    fields: list[FieldVisibilityItem]


class PermissionOut(Schema):
    code: str
    label: Text
    area: Text
