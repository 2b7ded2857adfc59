"""What the OTLP receiver keeps: every span it was sent, once, and for each conversation the
item that currently stands for it (docs/decisions/0027-otlp-intake.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, UtcDateTime, utcnow


class OtlpSpan(Base):
    """One received span. The key makes a span sent twice one row; `conversation` groups
    the spans an item is rebuilt from (`trace:<id>` or `conversation:<gen_ai.conversation.id>`).
    `body` is the span reduced to what the mapping reads, as compact JSON."""

    __tablename__ = "otlp_span"
    __table_args__ = (Index("ix_otlp_span_conversation", "workspace_id", "conversation"),)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    span_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(300))
    start_ns: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class OtlpConversation(Base):
    """The current item of a conversation: replaced by a rebuilt one when more of its spans
    arrive. Items are immutable, so a growing conversation is a sequence of items of which
    only the newest is current; `first_seen` orders the intake snapshot."""

    __tablename__ = "otlp_conversation"
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              primary_key=True)
    conversation: Mapped[str] = mapped_column(String(300), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
