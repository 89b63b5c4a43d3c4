"""Dishes to and from Excel (openpyxl): the export, and the streamed import that upserts by code.

Layout (one header row, then one dish per row): code, name, category, unit, kind, regular price,
hall price, VIP-room price, service charge, discountable, recommended, featured, active. Headers
are written in the reader's language; the import accepts them in Chinese or English.

The import reads the workbook streamed (``read_only``), checks every row first and then writes
each good row in its own transaction through the dish services (so each dish is audited and a
row goes in whole or not at all). Bad rows come back as a report: row number, column, message.
A file that is not xlsx, too large, or has the wrong header is refused with nothing written.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import cny
from huike.core.permissions import check_perm

from . import permissions as perms
from . import selectors, services
from .models import Dish, DishCategory

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
BATCH_ROWS = 200  # rows per transaction while writing (each row is its own savepoint)
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, header); the key is the dish field, or "category" for the category's name.
COLUMNS = [
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Name")),
    ("category", gettext_lazy("Category")),
    ("unit", gettext_lazy("Unit")),
    ("kind", gettext_lazy("Kind")),
    ("price_regular", gettext_lazy("Regular price")),
    ("price_hall", gettext_lazy("Hall price")),
    ("price_vip_room", gettext_lazy("VIP-room price")),
    ("service_charge", gettext_lazy("Service charge")),
    ("discountable", gettext_lazy("Discountable")),
    ("recommended", gettext_lazy("Recommended")),
    ("featured", gettext_lazy("Featured for push")),
    ("active", gettext_lazy("Active")),
]
KEYS = [key for key, _label in COLUMNS]
BOOL_COLUMNS = ("discountable", "recommended", "featured", "active")
BOOL_DEFAULTS = {"discountable": True, "recommended": False, "featured": False, "active": True}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "对", "√", "✓"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "不", "×", "✗"}
LANGUAGES = ("zh-hans", "en")
MAX_LENGTHS = {"code": 30, "name": 60, "category": 60, "unit": 10}


def _norm(text) -> str:
    return " ".join(str(text if text is not None else "").split()).casefold()


def _in_each_language(lazy) -> set[str]:
    found = set()
    for language in LANGUAGES:
        with translation.override(language):
            found.add(_norm(str(lazy)))
    return found


def column_label(key: str) -> str:
    return str(dict(COLUMNS)[key])


# --- Export ----------------------------------------------------------------------------------
def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def dishes_workbook(dishes) -> bytes:
    """The workbook of ``dishes`` (pure: no permission check, no audit)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Dishes")[:31])
    bold = Font(bold=True)
    header = []
    for _key, label in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for dish in dishes:
        row = [dish.code, dish.name, dish.category.name, dish.unit, str(dish.get_kind_display())]
        for name in services.PRICE_FIELDS:
            cell = WriteOnlyCell(sheet, value=getattr(dish, name))
            cell.number_format = "0.00"
            row.append(cell)
        row += [_yes_no(getattr(dish, name)) for name in BOOL_COLUMNS]
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dish_export(*, acting_user) -> bytes:
    """Every dish of the brand group as .xlsx, headers in the reader's language; audited."""
    check_perm(acting_user, perms.MANAGE_MENU)
    dishes = list(selectors.dish_list(user=acting_user))
    content = dishes_workbook(dishes)
    audit_record(
        action=Action.EXPORT,
        actor=acting_user,
        object_type="menu.dish",
        object_repr=_("Dishes (Excel)"),
        changes={"rows": len(dishes), "format": "xlsx"},
    )
    return content


# --- Import: parsing (pure) ------------------------------------------------------------------
@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected_rows,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }


def _refuse(message, code: str) -> errors.InvalidInput:
    return errors.InvalidInput(message, code=code, fields={"file": [message]})


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Dish.Kind.choices:
        lookup[_norm(value)] = value
        for text in _in_each_language(label):
            lookup[text] = value
    return lookup


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 1001, not 1001.0
    return str(value).strip()


def _amount(value):
    """An Excel cell as an exact amount: numbers via their shortest decimal form, never as a
    binary float."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return _text(value).replace(",", "").replace("¥", "").replace("￥", "")


def _boolean(value, vocabulary: dict):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = _norm(_text(value))
    if text in vocabulary["yes"]:
        return True
    if text in vocabulary["no"]:
        return False
    raise ValueError(text)


def vocabulary() -> dict:
    """The words a cell may hold, in either language: kinds, yes and no (built once per file)."""
    return {
        "kinds": _kind_lookup(),
        "yes": TRUE_WORDS | _in_each_language(gettext_lazy("yes")),
        "no": FALSE_WORDS | _in_each_language(gettext_lazy("no")),
    }


def check_header(cells) -> None:
    """Refuse a header row that is not the dish layout (in either language, or the keys)."""
    got = [_norm(c) for c in cells]
    while got and not got[-1]:
        got.pop()
    ok = len(got) == len(COLUMNS) and all(
        text == _norm(key) or text in _in_each_language(label)
        for text, (key, label) in zip(got, COLUMNS, strict=True)
    )
    if not ok:
        expected = ", ".join(str(label) for _key, label in COLUMNS)
        raise _refuse(
            _("The first row must be the column headers: %(columns)s.") % {"columns": expected},
            "wrong_header",
        )


def parse_row(number: int, cells, words: dict) -> tuple[dict, list[RowError]]:
    """One data row → (values for the dish services, its errors)."""
    cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
    raw = dict(zip(KEYS, cells, strict=False))
    values, problems = {}, []

    def fail(key: str, message: str) -> None:
        problems.append(RowError(number, column_label(key), message))

    for key in ("code", "name", "category", "unit"):
        text = _text(raw[key])
        if not text and key != "unit":
            fail(key, _("This field is required."))
        elif len(text) > MAX_LENGTHS[key]:
            fail(key, _("At most %(n)s characters.") % {"n": MAX_LENGTHS[key]})
        values[key] = text or ("份" if key == "unit" else "")
    kind_text = _norm(_text(raw["kind"]))
    if not kind_text:
        values["kind"] = Dish.Kind.DISH
    elif kind_text in words["kinds"]:
        values["kind"] = words["kinds"][kind_text]
    else:
        options = ", ".join(str(label) for _v, label in Dish.Kind.choices)
        fail(
            "kind",
            _("Unknown kind “%(kind)s”; use one of: %(options)s.")
            % {
                "kind": _text(raw["kind"]),
                "options": options,
            },
        )
    for key in services.PRICE_FIELDS:
        cell = raw[key]
        if (cell is None or _text(cell) == "") and key == "service_charge":
            values[key] = Decimal("0.00")
            continue
        if cell is None or _text(cell) == "":
            fail(key, _("This field is required."))
            continue
        try:
            amount = _amount(cell)
        except InvalidOperation:
            fail(key, _("Enter an amount such as 38 or 38.50."))
            continue
        message = services.price_error(amount)
        if message:
            fail(key, message)
        else:
            values[key] = cny(amount)
    for key in BOOL_COLUMNS:
        try:
            flag = _boolean(raw[key], words)
        except ValueError:
            fail(key, _("Enter yes or no."))
            continue
        values[key] = BOOL_DEFAULTS[key] if flag is None else flag
    return values, problems


def read_dish_rows(upload) -> tuple[list[ParsedRow], list[RowError]]:
    """Check the file and parse every row (streamed). Raises ``InvalidInput`` for a file that
    is refused as a whole; returns the good rows and the errors of the bad ones."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            "file_too_large",
        )
    name = getattr(upload, "name", "") or ""
    upload.seek(0)
    magic = upload.read(4)
    upload.seek(0)
    if (name and not name.lower().endswith(".xlsx")) or magic != b"PK\x03\x04":
        raise _refuse(_("The file is not an Excel workbook (.xlsx)."), "not_xlsx")
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refuse(_("The file is not an Excel workbook (.xlsx)."), "not_xlsx") from exc
    try:
        return _parse_sheet(book.worksheets[0] if book.worksheets else None)
    finally:
        book.close()


def _parse_sheet(sheet) -> tuple[list[ParsedRow], list[RowError]]:
    if sheet is None:
        check_header([])
    rows = sheet.iter_rows(values_only=True)
    check_header(next(rows, ()))
    words = vocabulary()
    good: list[ParsedRow] = []
    problems: list[RowError] = []
    first_row_of_code: dict[str, int] = {}
    count = 0
    for number, cells in enumerate(rows, start=2):
        cells = list(cells[: len(COLUMNS) + 1])
        if all(c is None or _text(c) == "" for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _refuse(
                _("The file has more than %(n)s rows; split it into smaller files.")
                % {"n": f"{MAX_ROWS:,}"},
                "too_many_rows",
            )
        values, row_problems = parse_row(number, cells[: len(COLUMNS)], words)
        code = values.get("code")
        if code and not any(p.column == column_label("code") for p in row_problems):
            if code in first_row_of_code:
                row_problems.append(
                    RowError(
                        number,
                        column_label("code"),
                        _("Code “%(code)s” already appears in row %(row)s.")
                        % {"code": code, "row": first_row_of_code[code]},
                    )
                )
            else:
                first_row_of_code[code] = number
        if row_problems:
            problems += row_problems
        else:
            good.append(ParsedRow(number, values))
    return good, problems


# --- Import: writing -------------------------------------------------------------------------
def _field_column(name: str) -> str:
    return column_label(name) if name in KEYS else _("Row")


def dish_import(*, acting_user, upload) -> ImportResult:
    """Upsert the dishes of an uploaded workbook by code. Good rows go in, each whole or not at
    all (a savepoint per row, written by the dish services, which audit each dish), bad rows
    are reported; one summary entry in the audit log. Rows are committed in batches of
    ``BATCH_ROWS``: far fewer commits than one per row, and no long write lock on SQLite."""
    check_perm(acting_user, perms.MANAGE_MENU)
    good, problems = read_dish_rows(upload)
    result = ImportResult(errors=problems)
    dishes = {d.code: d for d in Dish.objects.all()}
    categories = {c.name: c for c in DishCategory.objects.all()}
    for start in range(0, len(good), BATCH_ROWS):
        with transaction.atomic():
            for parsed in good[start : start + BATCH_ROWS]:
                _import_row(acting_user, parsed, dishes, categories, result)
    result.errors.sort(key=lambda e: e.row)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        object_type="menu.dish",
        object_repr=_("Excel import: %(file)s") % {"file": getattr(upload, "name", "")[:150]},
        changes={
            "via": "excel_import",
            "file": getattr(upload, "name", ""),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected_rows": result.rejected_rows,
        },
    )
    return result


def _import_row(acting_user, parsed: ParsedRow, dishes: dict, categories: dict, result) -> None:
    values = dict(parsed.values)
    category_name = values.pop("category")
    dish = dishes.get(values["code"])
    category = categories.get(category_name)
    if dish is not None and category is not None and _same(dish, category, values):
        result.unchanged += 1
        return
    try:
        with transaction.atomic():
            if category is None:
                category = services.category_create(acting_user=acting_user, name=category_name)
            if dish is None:
                dish = services.dish_create(acting_user=acting_user, category=category, **values)
                outcome = "created"
            else:
                dish = services.dish_update(
                    acting_user=acting_user, dish=dish, category=category, **values
                )
                outcome = "updated"
    except errors.PermissionDenied:
        raise
    except errors.DomainError as exc:
        if dish is not None:
            dish.refresh_from_db()  # the service may have set the refused values on it
        for name, messages in (exc.fields or {"": [exc.message]}).items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                result.errors.append(RowError(parsed.row, _field_column(name), str(message)))
        return
    categories[category.name] = category
    dishes[dish.code] = dish
    setattr(result, outcome, getattr(result, outcome) + 1)


def _same(dish: Dish, category: DishCategory, values: dict) -> bool:
    """Whether the row says what the dish already is (then it is not written at all)."""
    return dish.category_id == category.pk and all(
        getattr(dish, name) == value for name, value in values.items()
    )
