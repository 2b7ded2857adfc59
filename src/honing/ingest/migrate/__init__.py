"""Migration imports: Label Studio, Argilla and Langfuse exports with their human labels,
brought in as dataset versions, rubrics, queues and labels (and feedback signals)."""

from honing.ingest.migrate._model import MigratedLabel, MigratedRecord, Migration, QuestionSpec
from honing.ingest.migrate._service import (
    MIGRATION_FORMATS,
    MigrationResult,
    import_migration,
    read_migration,
)

__all__ = [
    "MIGRATION_FORMATS",
    "MigratedLabel",
    "MigratedRecord",
    "Migration",
    "MigrationResult",
    "QuestionSpec",
    "import_migration",
    "read_migration",
]
