"""Storage: SQLAlchemy tables, sessions and Alembic migrations (SQLite and PostgreSQL)."""

from honing.storage._database import Database, open_database
from honing.storage._tables import (
    ApiToken,
    AuditEvent,
    Base,
    Dataset,
    DatasetVersion,
    DatasetVersionItem,
    DatasetVersionParent,
    ItemRow,
    Membership,
    ResponseRow,
    User,
    Workspace,
    utcnow,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Database",
    "Dataset",
    "DatasetVersion",
    "DatasetVersionItem",
    "DatasetVersionParent",
    "ItemRow",
    "Membership",
    "ResponseRow",
    "User",
    "Workspace",
    "open_database",
    "utcnow",
]
