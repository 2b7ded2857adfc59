"""Sign-in throttling state, shared by every server process through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, UtcDateTime


class LoginThrottle(Base):
    """Recent failed sign-ins of one account name or one client address. `scope` is
    "account" (key: a digest of the name as typed, known or not) or "address" (key: the
    client address). A row whose `forget_at` has passed counts as if it were not there, and
    is pruned later; the whole table is small and each sign-in reads it by primary key."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_forget_at", "forget_at"),)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)  # in a row: each one doubles the delay
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    forget_at: Mapped[datetime] = mapped_column(UtcDateTime())
