"""Retention: raw text of some items (typically conversations from production) is kept
only for a while; after that, only a redacted copy remains.

A dataset's policy names a metadata field and value (`source` = `production`), a number of
days after import, and how the copy is redacted. `apply_retention` is a dry run unless
told otherwise: it counts the items that are due. Applied, it replaces each due item's
stored text (messages, tool calls and results, context documents, responses, metadata
strings) by its PII-redacted version in place, so every version, label and evaluation
that refers to the item keeps working, and marks the item with the policy and the time.
The item keeps its content hash, which now names the content it was imported with.

Items are shared by every dataset of the workspace that holds the same conversation, so
the raw text is gone everywhere: that is what dropping it means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput, NotFound
from honing.datasets._items import forget_cached, load_items
from honing.datasets._versions import get_dataset
from honing.storage import (
    Dataset,
    DatasetVersion,
    DatasetVersionItem,
    ItemRow,
    ResponseRow,
    RetentionPolicy,
    Workspace,
    utcnow,
)

MARK = "retention"  # metadata key recording that (and how) an item's raw text was dropped
BATCH = 500
SAMPLE = 20  # item ids listed per dataset in a result


@dataclass
class RetentionOutcome:
    dataset: str
    policy: dict[str, Any]
    due: int = 0  # items whose raw text is past its time
    redacted: int = 0  # of those, redacted now (0 in a dry run)
    already: int = 0  # items matching the policy whose raw text was dropped before
    sample: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "policy": self.policy, "due": self.due, "redacted": self.redacted,
                "already": self.already, "sample_item_ids": self.sample}


@dataclass
class RetentionRun:
    dry_run: bool
    at: datetime
    outcomes: list[RetentionOutcome]

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "at": self.at.isoformat(), "datasets": [o.as_dict() for o in self.outcomes]}


def policy_dict(policy: RetentionPolicy) -> dict[str, Any]:
    return {"field": policy.field, "equals": policy.equals, "after_days": policy.after_days, "mode": policy.mode}


def set_retention_policy(session: Session, workspace: Workspace, dataset_name: str, *, after_days: int,
                         actor: str, field: str = "source", equals: str = "production",
                         mode: str = "placeholder") -> dict[str, Any]:
    from honing.datasets.pii import check_mode

    if not 0 <= after_days <= 36_500:
        raise InvalidInput(f"after_days must be between 0 and 36500, got {after_days}")
    if not field or len(field) > 64 or not equals or len(equals) > 200:
        raise InvalidInput("the policy needs a metadata field (at most 64 characters) and a value (at most 200)")
    mode = check_mode(mode)
    dataset = get_dataset(session, workspace, dataset_name)
    policy = session.get(RetentionPolicy, dataset.id)
    if policy is None:
        policy = RetentionPolicy(dataset_id=dataset.id, after_days=after_days, actor=actor)
        session.add(policy)
    policy.field, policy.equals, policy.after_days, policy.mode = field, equals, after_days, mode
    policy.actor, policy.created_at = actor, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="dataset.retention_policy", target=f"dataset:{dataset.name}",
                 workspace=workspace.name, details=policy_dict(policy))
    return policy_dict(policy)


def list_retention_policies(session: Session, workspace: Workspace) -> list[tuple[str, dict[str, Any]]]:
    rows = session.execute(select(Dataset.name, RetentionPolicy).join(
        RetentionPolicy, RetentionPolicy.dataset_id == Dataset.id).where(Dataset.workspace_id == workspace.id)
        .order_by(Dataset.name)).all()
    return [(name, policy_dict(policy)) for name, policy in rows]


def apply_retention(session: Session, workspace: Workspace, *, actor: str, dataset: str | None = None,
                    dry_run: bool = True, now: datetime | None = None) -> RetentionRun:
    """Each policy of the workspace (or of `dataset`): the items due, redacted unless
    `dry_run`. Audited per dataset, with counts only."""
    from honing.datasets.pii import Redactor, redact_item, workspace_backends

    now = now or utcnow()
    query = select(Dataset, RetentionPolicy).join(RetentionPolicy, RetentionPolicy.dataset_id == Dataset.id) \
        .where(Dataset.workspace_id == workspace.id).order_by(Dataset.name)
    if dataset is not None:
        query = query.where(Dataset.id == get_dataset(session, workspace, dataset).id)
    pairs = session.execute(query).all()
    if dataset is not None and not pairs:
        raise NotFound(f"dataset {dataset!r} has no retention policy",
                       hint=f"set one with: honing retention set {dataset} --after-days N")
    backends = workspace_backends(session, workspace)
    outcomes = []
    for ds, policy in pairs:
        outcome = RetentionOutcome(ds.name, policy_dict(policy))
        cutoff = now - timedelta(days=policy.after_days)
        if not dry_run:
            Redactor(policy.mode)  # a hash mode without its key fails before anything changes
        for batch in _candidates(session, ds.id, cutoff):
            for stored in load_items(session, batch):
                meta = stored.item.metadata
                if str(meta.get(policy.field)) != policy.equals:
                    continue
                if MARK in meta:
                    outcome.already += 1
                    continue
                outcome.due += 1
                if len(outcome.sample) < SAMPLE:
                    outcome.sample.append(stored.id)
                if dry_run:
                    continue
                redacted = redact_item(stored.item, Redactor(policy.mode, backends=backends))
                mark = {**policy_dict(policy), "applied_at": now.isoformat()}
                _overwrite(session, stored.id, redacted.model_copy(update={"metadata": {**redacted.metadata,
                                                                                       MARK: mark}}))
                outcome.redacted += 1
        if not dry_run:
            audit.record(session, actor=actor, action="dataset.retention", target=f"dataset:{ds.name}",
                         workspace=workspace.name, details={"redacted": outcome.redacted, **outcome.policy})
        outcomes.append(outcome)
    session.flush()
    return RetentionRun(dry_run=dry_run, at=now, outcomes=outcomes)


def _candidates(session: Session, dataset_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Ids of the dataset's items (in any version) imported before `cutoff`, in batches."""
    ids = session.scalars(select(ItemRow.id).where(
        ItemRow.id.in_(select(DatasetVersionItem.item_id).join(
            DatasetVersion, DatasetVersion.id == DatasetVersionItem.version_id)
            .where(DatasetVersion.dataset_id == dataset_id)),
        ItemRow.created_at < cutoff).order_by(ItemRow.id)).all()
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _overwrite(session: Session, item_id: int, item: Any) -> None:
    body = item.model_dump(mode="json", exclude_none=True)
    row = session.get_one(ItemRow, item_id)
    row.messages, row.context, row.tools, row.meta = body["messages"], body["context"], body["tools"], body["metadata"]
    responses = session.scalars(select(ResponseRow).where(ResponseRow.item_id == item_id)
                                .order_by(ResponseRow.position)).all()
    for response_row, response in zip(responses, item.responses, strict=True):
        response_row.content = response.content
        response_row.tool_calls = [c.model_dump(mode="json") for c in response.tool_calls] \
            if response.tool_calls is not None else None
    forget_cached(session, item_id)
