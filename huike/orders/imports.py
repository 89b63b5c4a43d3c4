"""Import of POS orders from CSV or Excel (T2): one row per order line, grouped into orders.

Layout (first row: column names, in English or Chinese; column order free; unknown columns
ignored). Order columns are read from the first row of an order; its further rows may leave
them empty or repeat the same value.

==================  ============  =====  =====================================================
column              中文           level  content
==================  ============  =====  =====================================================
store_code          门店编码        order  required; the store's code
pos_order_id        单号            order  required; the POS's order number (re-import safe)
closed_at           结账时间        order  required; 2026-05-01 12:30 in the store's time zone,
                                           or with an offset (2026-05-01T12:30+08:00)
opened_at           开台时间        order  optional, not after closed_at
table               台号            order  optional table or room label
party_size          人数            order  optional whole number
guest_phone         顾客手机        order  optional; an unknown phone creates a guest
member_card         会员卡号        order  optional
discount            整单优惠        order  optional amount, default 0
service_charge      服务费          order  optional amount, default 0
total               合计            order  optional check: subtotal − discount + service charge
pay_cash …          现金 …          order  what was paid by each method: pay_cash 现金,
                                           pay_card 银行卡, pay_wechat 微信, pay_alipay 支付宝,
                                           pay_stored_value 储值, pay_coupon 优惠券,
                                           pay_other 其他; they must add up to the total
dish_code           菜品编码        line   required; the dish's code
qty                 数量            line   required, more than 0 (up to 3 decimals)
price_tier          价格档          line   regular/hall/vip_room or 标准价/大堂价/贵宾包房价
unit_price          单价            line   optional; empty: the dish's price of the tier
==================  ============  =====  =====================================================

The rows of one order must be next to each other. The file is read as a stream (csv module;
openpyxl in read-only mode), one order at a time, so a 100,000-row file is never held whole;
the orders are posted in batches of ``BATCH`` through ``orders_post_batch`` (the path of
``order_post``: the same checks and effects), each batch in one transaction in which every
order stands alone — any bad row rejects its whole order and nothing of it is written, and
the report lists every reason with its row number and column. Importing the same file again
posts nothing twice (idempotent on store + POS number).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import check_perm, restrict
from huike.core.timeutils import zone
from huike.org.models import Store

from . import permissions as perms
from .models import Order, OrderPayment
from .services import REPLAYED, orders_post_batch

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 1000
MAX_CELL = 200
BATCH = 200  # orders posted together (one transaction, a few statements)

PAY_COLUMNS = {f"pay_{m}": m for m in OrderPayment.Method.values}
HEADERS = {
    "store_code": ["门店编码", "门店代码"],
    "pos_order_id": ["单号", "POS单号", "订单号"],
    "closed_at": ["结账时间"],
    "opened_at": ["开台时间"],
    "table": ["台号", "桌台", "包房"],
    "party_size": ["人数"],
    "guest_phone": ["顾客手机", "手机"],
    "member_card": ["会员卡号"],
    "discount": ["整单优惠", "优惠"],
    "service_charge": ["服务费"],
    "total": ["合计"],
    "pay_cash": ["现金"],
    "pay_card": ["银行卡"],
    "pay_wechat": ["微信"],
    "pay_alipay": ["支付宝"],
    "pay_stored_value": ["储值"],
    "pay_coupon": ["优惠券"],
    "pay_other": ["其他"],
    "dish_code": ["菜品编码"],
    "qty": ["数量"],
    "price_tier": ["价格档"],
    "unit_price": ["单价"],
}
REQUIRED = ["store_code", "pos_order_id", "closed_at", "dish_code", "qty"]
ORDER_COLUMNS = [
    "store_code",
    "pos_order_id",
    "closed_at",
    "opened_at",
    "table",
    "party_size",
    "guest_phone",
    "member_card",
    "discount",
    "service_charge",
    "total",
    *PAY_COLUMNS,
]
TIER_NAMES = {"标准价": "regular", "大堂价": "hall", "贵宾包房价": "vip_room", "包房价": "vip_room"}
# Where an error of order_post shows in the file.
FIELD_COLUMNS = {
    "store": "store_code",
    "table_label": "table",
    "subtotal": "total",
    "payments": "pay_cash",
}
LINE_FIELD_COLUMNS = {"dish": "dish_code"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    orders_posted: int = 0
    orders_already_posted: int = 0
    orders_rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False

    def add_error(self, row: int, column: str, message) -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.errors_truncated = True
            return
        self.errors.append(RowError(row, column, str(message)))

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "orders_posted": self.orders_posted,
            "orders_already_posted": self.orders_already_posted,
            "orders_rejected": self.orders_rejected,
            "errors": [e.__dict__ for e in self.errors],
            "errors_truncated": self.errors_truncated,
        }


# --- Reading ---------------------------------------------------------------------------------
def _header_map(cells) -> dict[int, str]:
    names = {}
    for alias_of, aliases in HEADERS.items():
        names[alias_of.lower()] = alias_of
        for alias in aliases:
            names[alias.lower()] = alias_of
    found = {}
    for index, cell in enumerate(cells):
        name = names.get(str(cell or "").strip().lower())
        if name and name not in found.values():
            found[index] = name
    missing = [c for c in REQUIRED if c not in found.values()]
    if missing:
        raise errors.InvalidInput(
            _("The file lacks the columns: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    return found


def _rows(upload) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the first sheet or the CSV file, streamed."""
    name = (getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if name.endswith((".xlsx", ".xlsm")) or (head == b"PK\x03\x04" and not name.endswith(".csv")):
        yield from _excel_rows(upload)
    else:
        yield from _csv_rows(upload)


def _excel_rows(upload) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise errors.InvalidInput(
            _("This is not a readable Excel file (.xlsx)."), code="unreadable_file"
        ) from exc
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    except errors.DomainError:
        raise
    except Exception as exc:
        raise errors.InvalidInput(
            _("The Excel file is damaged and could not be read to the end."),
            code="unreadable_file",
        ) from exc
    finally:
        book.close()


def _csv_encoding(upload) -> str:
    sample = upload.read(64 * 1024)
    upload.seek(0)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"  # what Excel on a Chinese Windows saves as CSV
    return "utf-8"


def _csv_rows(upload) -> Iterator[tuple[int, list]]:
    encoding = _csv_encoding(upload)
    raw = upload.file if hasattr(upload, "file") else upload
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        yield from enumerate(csv.reader(text), start=1)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise errors.InvalidInput(
            _("The CSV file could not be read: save it as UTF-8 or as Excel (.xlsx)."),
            code="unreadable_file",
        ) from exc
    finally:
        text.detach()


# --- Cell values -----------------------------------------------------------------------------
def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _as_time(value, store: Store | None):
    """An aware time: a naive one is read in the store's time zone."""
    if value in ("", None):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if not isinstance(value, dt.datetime):
        text = str(value).strip().replace("/", "-")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(
                _("“%(value)s” is not a date and time like 2026-05-01 12:30.") % {"value": text}
            ) from exc
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone(store.time_zone if store else None))
    return value


# --- Grouping into orders --------------------------------------------------------------------
@dataclass
class _Group:
    key: tuple[str, str]
    first_row: int
    header: dict = field(default_factory=dict)
    header_rows: dict = field(default_factory=dict)
    lines: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _add_row(group: _Group, number: int, values: dict) -> None:
    for column in ORDER_COLUMNS:
        value = values.get(column, "")
        if value == "":
            continue
        if column not in group.header:
            group.header[column] = value
            group.header_rows[column] = number
        elif _as_text(group.header[column]) != _as_text(value):
            group.errors.append(
                RowError(
                    number,
                    column,
                    _("Differs from row %(row)s of the same order (%(value)s).")
                    % {
                        "row": group.header_rows[column],
                        "value": _as_text(group.header[column]),
                    },
                )
            )
    group.lines.append((number, values))


def _decimal_text(value) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _order_arguments(group: _Group, store: Store) -> dict:
    """Arguments of ``order_post`` from the rows; cell errors land in ``group.errors``."""
    header = group.header
    arguments = {
        "store": store,
        "pos_order_id": group.key[1],
        "table_label": _as_text(header.get("table", "")),
        "guest_phone": _as_text(header.get("guest_phone", "")) or None,
        "member_card": _as_text(header.get("member_card", "")),
        "party_size": header.get("party_size") or None,
        "discount": _decimal_text(header.get("discount") or "0"),
        "service_charge": _decimal_text(header.get("service_charge") or "0"),
        "total": _decimal_text(header["total"]) if header.get("total") not in (None, "") else None,
    }
    if isinstance(arguments["party_size"], float) and arguments["party_size"].is_integer():
        arguments["party_size"] = int(arguments["party_size"])
    for column in ("closed_at", "opened_at"):
        try:
            arguments[column] = _as_time(header.get(column), store)
        except ValueError as exc:
            group.errors.append(
                RowError(group.header_rows.get(column, group.first_row), column, str(exc))
            )
    arguments["payments"] = [
        {"method": method, "amount": _decimal_text(header[column])}
        for column, method in PAY_COLUMNS.items()
        if header.get(column) not in (None, "", 0)
    ]
    lines = []
    for _number, values in group.lines:
        tier = _as_text(values.get("price_tier", "")) or "regular"
        line = {
            "dish_code": _as_text(values.get("dish_code", "")),
            "qty": _decimal_text(values.get("qty", "")),
            "price_tier": TIER_NAMES.get(tier, tier),
        }
        if values.get("unit_price") not in (None, ""):
            line["unit_price"] = _decimal_text(values["unit_price"])
        lines.append(line)
    arguments["lines"] = lines
    return arguments


def _explain(group: _Group, exc: errors.DomainError) -> list[RowError]:
    """Put a service error on the row and column it came from."""
    found = []
    for name, messages in (exc.fields or {}).items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            row = group.lines[index][0] if index < len(group.lines) else group.first_row
            column = LINE_FIELD_COLUMNS.get(parts[-1], parts[-1]) if len(parts) > 2 else ""
        elif parts[0] == "payments":
            row, column = group.first_row, "pay_*"
        else:
            column = FIELD_COLUMNS.get(parts[0], parts[0])
            row = group.header_rows.get(column, group.first_row)
        found += [RowError(row, column, str(m)) for m in messages]
    if not found:
        found.append(RowError(group.first_row, "", str(exc.message)))
    return found


class _Importer:
    """Groups finished orders into batches of ``BATCH`` and posts each batch at once."""

    def __init__(self, *, acting_user, report: ImportReport):
        self.user = acting_user
        self.report = report
        self.stores: dict[str, Store | None] = {}
        self.done: set[tuple[str, str]] = set()
        self.pending: list[tuple[_Group, dict]] = []

    def store(self, code: str) -> Store | None:
        if code not in self.stores:
            self.stores[code] = restrict(Store.objects.all(), self.user).filter(code=code).first()
        return self.stores[code]

    def finish(self, group: _Group | None) -> None:
        if group is None:
            return
        self.done.add(group.key)
        store = self.store(group.key[0])
        if store is None:
            group.errors.append(
                RowError(
                    group.first_row,
                    "store_code",
                    _("No store of yours has the code “%(code)s”.") % {"code": group.key[0]},
                )
            )
        arguments = _order_arguments(group, store) if store is not None else None
        if group.errors:
            self.reject(group.errors)
            return
        self.pending.append((group, arguments))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Post the pending orders as one batch; a bad order is rejected alone."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        results = orders_post_batch(
            acting_user=self.user,
            orders=[arguments for _group, arguments in pending],
            source=Order.Source.IMPORT,
        )
        for (group, _arguments), result in zip(pending, results, strict=True):
            if result.error is not None:
                self.reject(_explain(group, result.error))
            elif result.status == REPLAYED:
                self.report.orders_already_posted += 1
            else:
                self.report.orders_posted += 1

    def reject(self, row_errors: list[RowError]) -> None:
        self.report.orders_rejected += 1
        for error in sorted(row_errors, key=lambda e: e.row):
            self.report.add_error(error.row, error.column, error.message)


def import_orders(*, acting_user, upload) -> ImportReport:
    """Import a CSV or Excel file of order lines (layout in the module docstring). Refuses the
    whole file only when it cannot be read or lacks required columns; otherwise each order
    stands alone and the report says what was posted and why the rest was not."""
    check_perm(acting_user, perms.IMPORT_ORDERS)
    check_perm(acting_user, perms.POST_ORDERS)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise errors.InvalidInput(
            _("The file is larger than %(mb)s MB; split it into several files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    if size == 0:
        raise errors.InvalidInput(_("The file is empty."), code="empty_file")
    report = ImportReport()
    importer = _Importer(acting_user=acting_user, report=report)
    columns: dict[int, str] | None = None
    group: _Group | None = None
    for number, cells in _rows(upload):
        if not any(c not in (None, "") for c in cells):
            continue
        if columns is None:
            columns = _header_map(cells)
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.add_error(
                number,
                "",
                _("More than %(n)s rows: the rest of the file was not read.") % {"n": MAX_ROWS},
            )
            report.rows -= 1
            break
        values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in columns.items()}
        values = {k: (v[:MAX_CELL] if isinstance(v, str) else v) for k, v in values.items()}
        key = (_as_text(values.get("store_code", "")), _as_text(values.get("pos_order_id", "")))
        if not key[0] or not key[1]:
            report.orders_rejected += 1
            for column, value in zip(("store_code", "pos_order_id"), key, strict=True):
                if not value:
                    report.add_error(number, column, _("This field is required."))
            continue
        if group is not None and key == group.key:
            _add_row(group, number, values)
            continue
        importer.finish(group)
        if key in importer.done:
            group = None
            report.orders_rejected += 1
            report.add_error(
                number,
                "pos_order_id",
                _(
                    "The rows of order %(number)s must be next to each other; this row was "
                    "not imported."
                )
                % {"number": key[1]},
            )
            continue
        group = _Group(key=key, first_row=number)
        _add_row(group, number, values)
    importer.finish(group)
    importer.flush()
    if columns is None:
        raise errors.InvalidInput(_("The file is empty."), code="empty_file")
    return report


def template_header() -> list[str]:
    """The column names, in the documented order (the template to download)."""
    return [
        "store_code",
        "pos_order_id",
        "closed_at",
        "opened_at",
        "table",
        "party_size",
        "guest_phone",
        "member_card",
        "discount",
        "service_charge",
        "total",
        *PAY_COLUMNS,
        "dish_code",
        "qty",
        "price_tier",
        "unit_price",
    ]
