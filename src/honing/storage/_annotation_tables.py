"""Tables of the annotation workbench: rubrics, queues, assignments, labels and the
quality-control records around them (reviews, escalations, adjudications, suggestions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, Id, JsonType, UtcDateTime, utcnow


class Rubric(Base):
    __tablename__ = "rubric"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RubricVersion(Base):
    """Immutable: the validated rubric as JSON, and the YAML it came from."""

    __tablename__ = "rubric_version"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)
    source: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Queue(Base):
    __tablename__ = "queue"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id"))
    policy: Mapped[dict[str, Any]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default="active")
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class QueueItem(Base):
    """One item in a queue. `taken` counts active leases plus submitted labels: the claim
    guard `taken < overlap` is a single-row check, which is what keeps it atomic."""

    __tablename__ = "queue_item"
    __table_args__ = (
        UniqueConstraint("queue_id", "item_id", "kind"),
        # Claims walk this in position order and stop at the first row: only items that
        # still have room are in it, so the walk does not grow with finished items.
        Index("ix_queue_item_open", "queue_id", "kind", "position",
              postgresql_where=text("NOT is_full"), sqlite_where=text("NOT is_full")),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    # live | gold | qualification. Never sent to raters.
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str | None] = mapped_column(String(200))
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # taken >= overlap, kept with `taken` so the open-items index can leave the row out.
    is_full: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    gold_answers: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    tolerances: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # The sampled dataset version whose draw queued this item (`honing sample --queue`):
    # its inclusion probability is read from that version's sample_inclusion rows. None for
    # items queued with the queue's own version. No foreign key: a plain id keeps this hot
    # table's writes free of another index check.
    sample_version_id: Mapped[int | None] = mapped_column(Id)


class Assignment(Base):
    """A lease of one queue item to one rater; at most one per (item, rater), ever."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("queue_item_id", "rater_id"),
        Index("ix_assignment_rater", "queue_id", "rater_id", "status"),
        Index("ix_assignment_lease", "queue_id", "status", "lease_expires_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_item.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # leased | submitted | expired | skipped
    status: Mapped[str] = mapped_column(String(16))
    # The rater saw the two responses right-to-left; kept to measure position bias.
    swapped: Mapped[bool] = mapped_column(Boolean, default=False)
    leased_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    draft: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    active_ms: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Label(Base):
    """A rater's submitted answers, in canonical response order (A = first response)."""

    __tablename__ = "label"
    __table_args__ = (
        Index("ix_label_queue_item", "queue_item_id"),
        Index("ix_label_rater", "queue_id", "rater_id"),
        # The newest change to a queue's labels in one index seek: part of the state the
        # dashboard's cached figures are checked against (honing.quality.queue_state).
        Index("ix_label_updated", "queue_id", "updated_at"),
        # Only the labels sampled for review.
        Index("ix_label_review", "queue_id", "status", postgresql_where=text("audit"),
              sqlite_where=text("audit")),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), unique=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_item.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id"))
    kind: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # submitted | accepted | returned | reworked
    status: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    active_ms: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    # Drawn at submit with the queue's audit rate: this label goes to a reviewer.
    audit: Mapped[bool] = mapped_column(Boolean, default=False)
    gold_correct: Mapped[int | None] = mapped_column(Integer)
    gold_scored: Mapped[int | None] = mapped_column(Integer)
    gold_detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Where a label brought in from another tool came from (tool, its ids, its annotator,
    # its timestamps); None for labels given in Honing.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class RaterProgress(Base):
    """How many labels a rater has submitted in a queue, kept with every submit: raters see
    it with each item, and reading one row stays as cheap at their ten-thousandth label
    as at their first."""

    __tablename__ = "rater_progress"
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    labels: Mapped[int] = mapped_column(Integer, default=0)


class Review(Base):
    __tablename__ = "review"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    verdict: Mapped[str] = mapped_column(String(16))  # accept | return
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Escalation(Base):
    """A rater's report that an item, a response or the guidelines need a lead's eye. It
    ends with an outcome the rater sees: open -> assigned -> resolved (and may be reopened)."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_queue_status", "queue_id", "status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    severity: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JsonType)
    confidence: Mapped[float | None] = mapped_column(Float)
    # open | assigned | resolved
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # One of annotate.ESCALATION_OUTCOMES once resolved; the note is what the rater reads.
    outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Adjudication(Base):
    """A lead's final answer to one question of one queue item; the newest one counts."""

    __tablename__ = "adjudication"
    __table_args__ = (Index("ix_adjudication_item", "queue_item_id", "question"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_item.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    answer: Mapped[Any] = mapped_column(JsonType)
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Suggestion(Base):
    """A model's pre-label for one question of an item: shown to raters, never a label."""

    __tablename__ = "suggestion"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JsonType)
    source: Mapped[str] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Qualification(Base):
    """Where a rater stands on a queue's qualification pack."""

    __tablename__ = "qualification"
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # passed | failed
    score: Mapped[float | None] = mapped_column(Float)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
