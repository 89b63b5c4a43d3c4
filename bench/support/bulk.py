"""Bulk insert of generated rows for the benchmarks: COPY on PostgreSQL, executemany on SQLite.
``model_rows`` turns plain dicts into a model's table rows, every column filled from the
dict, the field's default (NULL or an empty text), or now for ``auto_now`` fields, each
prepared for the database as the ORM would."""

from __future__ import annotations

import time

from django.db import DatabaseError, connection
from django.utils import timezone


class Writer:
    """Bulk insert of plain rows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.tz = "+00" if self.pg else ""  # datetimes are written in UTC

    def ts(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + self.tz

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.pg:
                text = "".join(
                    "\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows
                )
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(text)
            else:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )

    def write_models(self, model, values: list[dict]) -> None:
        self.write(*model_rows(model, values))

    def fast(self) -> None:
        """Loading speed over safety, for this scratch database's session."""
        with connection.cursor() as cursor:
            if self.pg:
                # Foreign keys are checked by triggers, one per row: skip them for rows built
                # consistent here (constraints, indexes and checks stay). Needs a superuser.
                try:
                    cursor.execute("SET session_replication_role = replica")
                except DatabaseError:
                    print("  (not a superuser: foreign keys are checked row by row)")
            else:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -1000000")
                cursor.execute("PRAGMA temp_store = MEMORY")

    def safe(self) -> None:
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def model_rows(model, values: list[dict]) -> tuple[str, list[str], list[tuple]]:
    fields = model._meta.concrete_fields
    now = timezone.now()
    rows = []
    for row in values:
        out = []
        for field in fields:
            if field.attname in row:
                value = row[field.attname]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()  # "" for a text field that is never NULL
            out.append(None if value is None else field.get_db_prep_value(value, connection))
        rows.append(tuple(out))
    return model._meta.db_table, [f.column for f in fields], rows
