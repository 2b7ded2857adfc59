"""Storage: SQLAlchemy tables, sessions and Alembic migrations (SQLite and PostgreSQL)."""

from honing.storage._annotation_tables import (
    Adjudication,
    Assignment,
    Escalation,
    Label,
    Qualification,
    Queue,
    QueueItem,
    RaterProgress,
    Review,
    Rubric,
    RubricVersion,
    Suggestion,
)
from honing.storage._cache_tables import FigureCache
from honing.storage._database import Database, execute_unprepared, open_database
from honing.storage._evaluation_tables import (
    EvalCache,
    EvalResult,
    EvalRun,
    EvalScenario,
    EvalSuite,
    EvalSuiteVersion,
)
from honing.storage._feedback_tables import FeedbackSignal, SampleInclusion
from honing.storage._governance_tables import DatasetCardFields, RetentionPolicy, VersionCheck
from honing.storage._judge_tables import JudgeCalibration
from honing.storage._login_tables import LoginThrottle
from honing.storage._loop import LoopDatabase
from honing.storage._otlp_tables import OtlpConversation, OtlpSpan
from honing.storage._sampling_tables import SampleSchedule, SampleScheduleRun
from honing.storage._settings_tables import WorkspaceSetting
from honing.storage._tables import (
    MAX_ROW_ID,
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
    "Adjudication",
    "Assignment",
    "Escalation",
    "EvalCache",
    "EvalResult",
    "EvalRun",
    "EvalScenario",
    "EvalSuite",
    "EvalSuiteVersion",
    "FeedbackSignal",
    "OtlpConversation",
    "OtlpSpan",
    "FigureCache",
    "JudgeCalibration",
    "Label",
    "LoginThrottle",
    "LoopDatabase",
    "Qualification",
    "Queue",
    "QueueItem",
    "RaterProgress",
    "RetentionPolicy",
    "Review",
    "SampleInclusion",
    "SampleSchedule",
    "SampleScheduleRun",
    "Rubric",
    "RubricVersion",
    "Suggestion",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Database",
    "Dataset",
    "DatasetCardFields",
    "DatasetVersion",
    "DatasetVersionItem",
    "DatasetVersionParent",
    "ItemRow",
    "MAX_ROW_ID",
    "Membership",
    "ResponseRow",
    "User",
    "VersionCheck",
    "Workspace",
    "WorkspaceSetting",
    "execute_unprepared",
    "open_database",
    "utcnow",
]
