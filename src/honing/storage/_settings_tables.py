"""Named settings of a workspace, one JSON value each (e.g. which NER models scan its data
for personal names). A small key-value table, so a new setting needs no migration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, JsonType, UtcDateTime, utcnow


class WorkspaceSetting(Base):
    """One setting of one workspace; who changed it last and when (the audit log keeps the
    history)."""

    __tablename__ = "workspace_setting"
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonType)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
