"""Backup and restore of all data (X5), one database-neutral format for SQLite and PostgreSQL.

A backup file is gzip'd JSON lines:

* line 1, the header: format and version, when it was taken, the source database vendor and the
  schema version — every applied migration, so a restore can tell whether the tables match;
* then one line per row, model by model in dependency order (a table before the tables that
  point at it), each row in Django's serializer form ``{"model", "pk", "fields"}``. Many-to-many
  links are rows of their own through tables, so no row needs a query of its own;
* last, the trailer: rows per model. A file without it was cut short and is refused.

Every row is read inside ONE snapshot, so the file is consistent while the app keeps writing:

* PostgreSQL: a ``REPEATABLE READ, READ ONLY`` transaction — every query in it sees the
  database as of its first query, whatever commits meanwhile.
* SQLite (WAL): a plain deferred ``BEGIN`` on the live connection. In WAL mode a read
  transaction sees the database as of its first read while writers go on committing beside it.
  (``atomic()`` is configured to ``BEGIN IMMEDIATE``, which would take the write lock and stall
  every writer for the whole backup, so the read transaction is opened by hand.)

Rows are streamed in chunks (``iterator(chunk_size=…)``) through the base managers, which are
not tenant-scoped: a backup is the one place that reads every tenant's rows on purpose.

Restore refuses a file whose schema differs from the database's, then, in one transaction,
empties every table (PostgreSQL: one ``TRUNCATE … CASCADE``, which the audit log's append-only
row trigger does not see; SQLite: ``DELETE``, foreign keys are checked at commit), inserts the
rows with their primary keys (the audit hashes cover ids, so the chains verify after a restore),
moves the id sequences past the restored rows and appends a ``restore`` entry to the system
audit chain. Nothing is changed when any step fails.
"""

from __future__ import annotations

import datetime as dt
import getpass
import gzip
import json
import os
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import python as python_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import Action, audit_record
from .errors import DomainError
from .tenancy import tenant_context

FORMAT = "huike-backup"
FORMAT_VERSION = 1
CHUNK_SIZE = 2000
INSERT_BATCH = 500
# Sign-in sessions are not business data: a restore signs everyone out instead of reviving them.
EXCLUDED_MODELS = {"sessions.session"}

ProgressCallback = Callable[[str, int], None]


class BackupError(DomainError):
    code = "backup_invalid"


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    taken_at: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- What is backed up, in which order --------------------------------------------------------
def backup_models() -> list[type[models.Model]]:
    """Every table Django manages (m2m through tables included), parents before children."""
    candidates = {
        m._meta.label_lower: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in EXCLUDED_MODELS
    }
    depends_on = {
        label: {
            f.related_model._meta.label_lower
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model is not None
            and f.related_model._meta.label_lower in candidates
            and f.related_model._meta.label_lower != label
        }
        for label, model in candidates.items()
    }
    ordered: list[str] = []
    done: set[str] = set()
    while depends_on:
        ready = sorted(label for label, deps in depends_on.items() if deps <= done)
        if not ready:  # a cycle: foreign keys are checked at commit, any order loads
            ready = [min(depends_on)]
        for label in ready:
            ordered.append(label)
            done.add(label)
            del depends_on[label]
    return [candidates[label] for label in ordered]


def schema_version() -> list[str]:
    """The applied migrations, ``app.name``, sorted: what the tables look like."""
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _latest_per_app(migrations: Iterable[str]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for item in migrations:
        app, name = item.split(".", 1)
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _schema_difference(backup: list[str], database: list[str]) -> str:
    """Which apps differ, each with its latest migration in the backup and in the database."""
    ours, theirs = _latest_per_app(database), _latest_per_app(backup)
    differing = sorted(
        app
        for app in set(ours) | set(theirs)
        if {m for m in backup if m.startswith(f"{app}.")}
        != {m for m in database if m.startswith(f"{app}.")}
    )
    return "; ".join(
        _("%(app)s: backup at %(backup)s, database at %(database)s")
        % {"app": app, "backup": theirs.get(app, "-"), "database": ours.get(app, "-")}
        for app in differing
    )


# --- Writing ----------------------------------------------------------------------------------
class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps every microsecond (the audit
    hashes cover them)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _RowSerializer(python_serializer.Serializer):
    """Django's serializer, row for row: many-to-many links go out as their through tables'
    rows, not as a list per object (which would cost a query per object)."""

    def handle_m2m_field(self, obj, field):
        pass


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _dumps(obj) -> str:
    return json.dumps(obj, cls=_Encoder, ensure_ascii=False, separators=(",", ":")) + "\n"


@contextmanager
def read_snapshot():
    """One consistent, read-only view of the whole database for the duration of the block."""
    if connection.in_atomic_block:
        raise BackupError(_("A backup takes its own snapshot: start it outside a transaction."))
    if connection.vendor == "postgresql":
        with transaction.atomic(durable=True):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")  # nothing was written: ending the read is all it does
    else:
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))


def _operator() -> str:
    try:
        return getpass.getuser()[:150]
    except Exception:  # no login name in this environment (e.g. a container without passwd)
        return "operator"


def backup_write(path: str | Path, *, on_progress: ProgressCallback | None = None) -> BackupSummary:
    """Write a backup of every table to ``path`` (replaced only once the file is complete).

    The act is audited first, in its own transaction, so the entry is inside the backup."""
    path = Path(path)
    if connection.in_atomic_block:
        raise BackupError(_("A backup takes its own snapshot: start it outside a transaction."))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise BackupError(_("Cannot write the backup file: %(error)s") % {"error": exc}) from exc
    try:
        with tenant_context(None):  # the system chain: a backup is not one tenant's act
            audit_record(
                action=Action.EXPORT,
                actor=None,
                actor_name=_operator(),
                object_type="backup",
                object_repr=path.name[:200],
                changes={"file": path.name, "host": socket.gethostname()},
            )
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as gz:
            summary = _dump(gz, path, on_progress)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return summary


def _dump(gz, path: Path, on_progress: ProgressCallback | None) -> BackupSummary:
    serializer = _RowSerializer()
    with read_snapshot():
        taken_at = timezone.now().isoformat()
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "taken_at": taken_at,
            "vendor": connection.vendor,
            "schema": schema_version(),
        }
        gz.write(_dumps(header).encode("utf-8"))
        summary = BackupSummary(path=path, vendor=connection.vendor, taken_at=taken_at)
        for model in backup_models():
            label = model._meta.label_lower
            rows = model._base_manager.order_by("pk").iterator(chunk_size=CHUNK_SIZE)
            count = 0
            for chunk in _chunks(rows, CHUNK_SIZE):
                lines = "".join(_dumps(row) for row in serializer.serialize(chunk))
                gz.write(lines.encode("utf-8"))
                count += len(chunk)
            summary.rows[label] = count
            if on_progress is not None:
                on_progress(label, count)
        gz.write(_dumps({"end": True, "rows": summary.rows}).encode("utf-8"))
    return summary


# --- Reading ----------------------------------------------------------------------------------
def backup_read_header(path: str | Path) -> dict:
    with _open_backup(path) as fh:
        return _header(fh, path)


@contextmanager
def _open_backup(path: str | Path):
    try:
        fh = gzip.open(path, "rt", encoding="utf-8")
    except OSError as exc:
        raise BackupError(_("Cannot open the backup file: %(error)s") % {"error": exc}) from exc
    with fh:
        yield fh


def _header(fh, path) -> dict:
    try:
        header = json.loads(fh.readline())
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(
            _("%(file)s is not a Huike backup file.") % {"file": Path(path).name},
            code="backup_invalid",
        ) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(_("%(file)s is not a Huike backup file.") % {"file": Path(path).name})
    if header.get("version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup uses format version %(version)s; this Huike reads version %(ours)s.")
            % {"version": header.get("version"), "ours": FORMAT_VERSION}
        )
    return header


def _rows(fh, trailer: dict) -> Iterator[dict]:
    """The row lines of an open backup; the trailer is stored in ``trailer`` when reached."""
    try:
        for line in fh:
            obj = json.loads(line)
            if obj.get("end") is True:
                trailer.update(obj)
                return
            yield obj
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(
            _("The backup file is damaged: %(error)s") % {"error": exc}, code="backup_incomplete"
        ) from exc


def _insert(model: type[models.Model], batch: list[models.Model]) -> None:
    # The raw insert that Model.save_base(raw=True) (loaddata) does, a batch at a time: values go
    # in as they are, so auto_now fields keep the backed-up time.
    model._base_manager._insert(
        batch, fields=model._meta.local_concrete_fields, raw=True, using=connection.alias
    )


def _load(rows: Iterable[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    model, batch, size = None, [], INSERT_BATCH
    for deserialized in serializers.deserialize("python", rows, using=connection.alias):
        obj = deserialized.object
        if type(obj) is not model or len(batch) >= size:
            if batch:
                _insert(model, batch)
            model, batch = type(obj), []
            fields = model._meta.local_concrete_fields
            fit = connection.ops.bulk_batch_size(fields, [obj] * INSERT_BATCH)
            size = max(1, min(INSERT_BATCH, fit))
        batch.append(obj)
        label = model._meta.label_lower
        counts[label] = counts.get(label, 0) + 1
    if batch:
        _insert(model, batch)
    return counts


def _empty_all_tables() -> None:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def backup_restore(path: str | Path) -> BackupSummary:
    """Replace every table's rows with the backup's; refuses a backup of another schema."""
    path = Path(path)
    with _open_backup(path) as fh:
        header = _header(fh, path)
        ours = schema_version()
        if header.get("schema") != ours:
            raise BackupError(
                _(
                    "The backup does not fit this database's schema (%(details)s). Restore it with "
                    "the Huike version that took it, or migrate the database to match first."
                )
                % {"details": _schema_difference(header.get("schema") or [], ours)},
                code="backup_schema_mismatch",
            )
        trailer: dict = {}
        summary = BackupSummary(
            path=path, vendor=header.get("vendor", ""), taken_at=header.get("taken_at", "")
        )
        try:
            with transaction.atomic(), tenant_context(None):
                _empty_all_tables()
                summary.rows = _load(_rows(fh, trailer))
                expected = {k: v for k, v in trailer.get("rows", {}).items() if v}
                if not trailer or expected != summary.rows:
                    raise BackupError(
                        _("The backup file is incomplete: it was cut short."),
                        code="backup_incomplete",
                    )
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), backup_models()):
                        cursor.execute(sql)
                audit_record(
                    action=Action.RESTORE,
                    actor=None,
                    actor_name=_operator(),
                    object_type="backup",
                    object_repr=path.name[:200],
                    changes={
                        "file": path.name,
                        "taken_at": summary.taken_at,
                        "source": summary.vendor,
                        "rows": summary.total,
                        "host": socket.gethostname(),
                    },
                )
        finally:
            ContentType.objects.clear_cache()  # ids may have changed; never serve stale ones
    return summary
