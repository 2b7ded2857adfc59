"""Tables of evaluation: suites and their immutable versions (scenarios in their own rows,
so a run streams them instead of holding a whole suite in memory), runs, one result per
scenario and repeat, and the response cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, Id, JsonType, UtcDateTime, utcnow


class EvalSuite(Base):
    __tablename__ = "eval_suite"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Held-out suites are what the contamination check compares training data with;
    # scratch suites (pushed by `eval run FILE`) are not. Suites stored before the mark
    # existed were all compared, so the migration marks them held out.
    held_out: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # hidden from lists and checks


class EvalSuiteVersion(Base):
    """Immutable; `content_hash` covers the name and every resolved scenario in order."""

    __tablename__ = "eval_suite_version"
    __table_args__ = (UniqueConstraint("suite_id", "number"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    suite_id: Mapped[int] = mapped_column(ForeignKey("eval_suite.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    scenario_count: Mapped[int] = mapped_column(Integer)
    tiers: Mapped[dict[str, Any]] = mapped_column(JsonType)  # tier -> scenario count
    # The tiers the suite file declared, most important first; None: the default ones. A
    # list of its own because `tiers` is a JSON object, whose key order JSONB does not keep.
    tier_names: Mapped[list[str] | None] = mapped_column(JsonType)
    source: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EvalScenario(Base):
    __tablename__ = "eval_scenario"
    version_id: Mapped[int] = mapped_column(ForeignKey("eval_suite_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)


class EvalRun(Base):
    __tablename__ = "eval_run"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    suite_version_id: Mapped[int] = mapped_column(ForeignKey("eval_suite_version.id"))
    target: Mapped[str] = mapped_column(String(1000))  # the target spec string
    config: Mapped[dict[str, Any]] = mapped_column(JsonType)  # parameters, repeats, judges, seed, code version
    status: Mapped[str] = mapped_column(String(16))  # running | completed | interrupted
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EvalResult(Base):
    """One scenario x repeat of a run, written as soon as it completes (so a run resumes
    where it stopped). status: pass | fail | inconclusive (a scorer could not decide) |
    error (the target could not be reached or answered badly)."""

    __tablename__ = "eval_result"
    __table_args__ = (UniqueConstraint("run_id", "scenario_id", "repeat"),
                      Index("ix_eval_result_run_status", "run_id", "status"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_run.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(200))
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16))
    output: Mapped[dict[str, Any]] = mapped_column(JsonType)  # text, tool calls, trajectory
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EvalCache(Base):
    """A target's reply, keyed by target, parameters, conversation, repeat and step: reruns
    and resumes cost nothing."""

    __tablename__ = "eval_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    reply: Mapped[bytes] = mapped_column(LargeBinary)  # orjson of the reply
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
