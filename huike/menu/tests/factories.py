"""Test data of the menu app, made through the services (so it is valid and audited)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from huike.menu import services
from huike.menu.excel import COLUMNS


def category(hq, name="湘菜", sort_order=0):
    return services.category_create(acting_user=hq, name=name, sort_order=sort_order)


def dish(hq, cat, code="D001", name="辣椒炒肉", **changes):
    data = {
        "price_regular": "48.00",
        "price_hall": "42.00",
        "price_vip_room": "56.00",
        **changes,
    }
    return services.dish_create(acting_user=hq, category=cat, code=code, name=name, **data)


def workbook_bytes(rows, header=None) -> bytes:
    """An .xlsx with the dish header (or ``header``) and ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(header if header is not None else [str(label) for _key, label in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Upload(io.BytesIO):
    """An uploaded file as the services see it: bytes with a name and a size."""

    def __init__(self, content: bytes, name: str = "dishes.xlsx"):
        super().__init__(content)
        self.name = name
        self.size = len(content)
