"""The audit log (O3): append-only entries, hash-chained per tenant.

Services call ``audit_record`` inside their transaction, so an entry exists exactly when the
change it describes was committed. Appending locks the chain's head row: entries of one tenant
get consecutive sequence numbers and each hash covers the one before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .context import client_ip
from .models import AuditChainHead, AuditEntry, Tenant, User
from .tenancy import get_active_tenant

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"

Action = AuditEntry.Action


def chain_name(tenant_id: int | None) -> str:
    return f"tenant:{tenant_id}" if tenant_id else SYSTEM_CHAIN


def _canonical(value) -> object:
    """JSON-safe, deterministic form of ``value`` (Decimals and dates as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def entry_digest(entry: AuditEntry) -> str:
    """The SHA-256 over an entry's content and the previous link's hash."""
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "tenant": entry.tenant_id,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "ip_address": entry.ip_address,
        "prev_hash": entry.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _locked_head(chain: str) -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(chain=chain)
    except AuditChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(chain=chain, seq=0, hash=GENESIS)
        except IntegrityError:
            pass  # created by a concurrent writer; lock it below
        return AuditChainHead.objects.select_for_update().get(chain=chain)


def object_label(obj: models.Model | None) -> tuple[str, str, str]:
    """Type, id and label of an entry's object; a model with ``audit_label()`` chooses its
    label (guests are named by number, never by name: decision 0012)."""
    if obj is None:
        return "", "", ""
    meta = obj._meta
    label = obj.audit_label() if hasattr(obj, "audit_label") else str(obj)
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk or ""), label[:200]


REDACTED = "***"


def without_personal_values(obj: models.Model | None, changes: dict) -> dict:
    """``changes`` with the value of each of ``obj``'s ``audit_personal_fields`` replaced by
    ``REDACTED`` (an empty value stays empty): the log says that personal data changed, never
    what it was (decision 0012)."""
    personal = getattr(obj, "audit_personal_fields", None)
    if not personal:
        return changes

    def hidden(value):
        if isinstance(value, list) and len(value) == 2:  # an update's [old, new]
            return [hidden(value[0]), hidden(value[1])]
        return value if value in (None, "", [], {}) else REDACTED

    return {
        key: hidden(value) if key in personal or key.removesuffix("_id") in personal else value
        for key, value in changes.items()
    }


def audit_record(
    *,
    action: str,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    tenant: Tenant | None = None,
    ip_address: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry to the tenant's chain. Call inside the service's transaction."""
    if obj is not None:
        object_type, object_id, object_repr = object_label(obj)
    if tenant is None:
        tenant = getattr(obj, "tenant", None) if obj is not None else None
        tenant = tenant or get_active_tenant() or getattr(actor, "tenant", None)
    tenant_id = tenant.pk if tenant else None
    chain = chain_name(tenant_id)
    with transaction.atomic():
        head = _locked_head(chain)
        entry = AuditEntry(
            chain=chain,
            seq=head.seq + 1,
            tenant_id=tenant_id,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_name=(actor_name or (actor.get_username() if actor and actor.pk else "system"))[
                :150
            ],
            action=action,
            object_type=object_type[:60],
            object_id=str(object_id)[:64],
            object_repr=object_repr[:200],
            changes=_canonical(without_personal_values(obj, changes or {})),
            ip_address=ip_address if ip_address is not None else client_ip(),
            prev_hash=head.hash,
        )
        entry.hash = entry_digest(entry)
        entry.save()
        AuditChainHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    return entry


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """Field values of ``obj`` (FKs by id), to diff before and after an update."""
    names = fields or [
        f.attname for f in obj._meta.concrete_fields if f.name not in {"id", "tenant"}
    ]
    return _canonical({name: getattr(obj, name) for name in names})


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@dataclass
class ChainBreak:
    chain: str
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self):
        return f"chain {self.chain}, entry #{self.seq} (id {self.entry_id}): {self.reason}"


def verify_chain(chain: str) -> ChainBreak | None:
    """Walk one chain from the start; the first broken link, or None when it is whole."""
    prev_hash, expected_seq = GENESIS, 1
    entries = AuditEntry.objects.filter(chain=chain).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainBreak(chain, expected_seq, None, "entry missing")
        if entry.prev_hash != prev_hash:
            return ChainBreak(chain, entry.seq, entry.pk, "does not link to the previous entry")
        if entry_digest(entry) != entry.hash:
            return ChainBreak(chain, entry.seq, entry.pk, "content was changed")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head and head.seq != expected_seq - 1:
        return ChainBreak(chain, expected_seq, None, "entries after this one were removed")
    return None


def verify_all_chains() -> tuple[int, list[ChainBreak]]:
    """Check every chain; returns (entries checked, breaks)."""
    chains = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    chains |= set(AuditChainHead.objects.values_list("chain", flat=True))
    breaks = [b for c in sorted(chains) if (b := verify_chain(c))]
    return AuditEntry.objects.count(), breaks


def audit_records(entries) -> list[AuditEntry]:
    """Append many entries at once: each item holds the keyword arguments of ``audit_record``.
    Each chain's head is locked once (chains in name order), the entries get consecutive
    sequence numbers in the order given and are inserted in one statement; the result is the
    same chain as ``audit_record`` called for each in turn. Call inside the service's
    transaction."""
    prepared = []
    ip = None
    for item in entries:
        obj = item.get("obj")
        actor = item.get("actor")
        object_type = item.get("object_type", "")
        object_id = item.get("object_id", "")
        object_repr = item.get("object_repr", "")
        if obj is not None:
            object_type, object_id, object_repr = object_label(obj)
        tenant = item.get("tenant")
        if tenant is None:
            tenant = getattr(obj, "tenant", None) if obj is not None else None
            tenant = tenant or get_active_tenant() or getattr(actor, "tenant", None)
        tenant_id = tenant.pk if tenant else None
        ip_address = item.get("ip_address")
        if ip_address is None:
            ip = client_ip() if ip is None else ip
            ip_address = ip
        actor_name = item.get("actor_name", "")
        prepared.append(
            AuditEntry(
                chain=chain_name(tenant_id),
                tenant_id=tenant_id,
                created_at=timezone.now(),
                actor=actor if actor is not None and actor.pk else None,
                actor_name=(
                    actor_name or (actor.get_username() if actor and actor.pk else "system")
                )[:150],
                action=item["action"],
                object_type=object_type[:60],
                object_id=str(object_id)[:64],
                object_repr=object_repr[:200],
                changes=_canonical(without_personal_values(obj, item.get("changes") or {})),
                ip_address=ip_address,
            )
        )
    if not prepared:
        return []
    with transaction.atomic():
        heads = {chain: _locked_head(chain) for chain in sorted({e.chain for e in prepared})}
        links = {chain: (head.seq, head.hash) for chain, head in heads.items()}
        for entry in prepared:
            seq, prev_hash = links[entry.chain]
            entry.seq, entry.prev_hash = seq + 1, prev_hash
            entry.hash = entry_digest(entry)
            links[entry.chain] = (entry.seq, entry.hash)
        AuditEntry.objects.bulk_create(prepared)
        for chain, head in heads.items():
            seq, last_hash = links[chain]
            AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=last_hash)
    return prepared
