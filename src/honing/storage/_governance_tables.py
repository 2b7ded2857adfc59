"""Tables of data governance: what a dataset's card says that cannot be computed (intended
use, limitations, license, consent, retention notes), the checks run on a version (PII
scan, duplicates, contamination), and retention policies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, JsonType, UtcDateTime, utcnow


class DatasetCardFields(Base):
    """The editable part of a dataset's card, one row per dataset (every version's card
    shows it); the rest of the card is computed from the version."""

    __tablename__ = "dataset_card"
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    intended_use: Mapped[str] = mapped_column(Text, default="")
    limitations: Mapped[str] = mapped_column(Text, default="")
    license: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[str] = mapped_column(Text, default="")
    retention_notes: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class VersionCheck(Base):
    """The newest result of one kind of check (pii, dedup, contamination) on a version.
    Versions are immutable, so a result stays true; contamination also depends on the
    suites, which `parameters` records."""

    __tablename__ = "dataset_version_check"
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RetentionPolicy(Base):
    """Items of the dataset whose metadata `field` equals `equals` keep their raw text for
    `after_days` days after import; then the raw text is replaced by a redacted copy."""

    __tablename__ = "retention_policy"
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), default="source")
    equals: Mapped[str] = mapped_column(String(200), default="production")
    after_days: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16), default="placeholder")  # how the kept copy is redacted
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
