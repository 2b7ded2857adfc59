"""Import another tool's export with its labels: the items become a dataset version, the
questions a rubric, and the labels submitted labels of a queue over that version, by
Honing users mapped from the tool's annotators. One transaction: all of it or none.
Importing the same file again adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from honing import accounts, annotate, audit, datasets, feedback
from honing.ingest._service import write_version
from honing.ingest.migrate._argilla import read_argilla
from honing.ingest.migrate._label_studio import read_label_studio
from honing.ingest.migrate._langfuse import read_langfuse
from honing.ingest.migrate._model import Migration
from honing.ingest.migrate._raters import read_rater_map, usernames
from honing.rubrics import parse_rubric
from honing.storage import Database, utcnow

READERS: dict[str, Callable[..., Migration]] = {
    "label-studio": read_label_studio,
    "argilla": read_argilla,
    "langfuse": read_langfuse,
}
MIGRATION_FORMATS = tuple(READERS)
_BATCH = 500


@dataclass(frozen=True)
class MigrationResult:
    tool: str
    version: str  # dataset@number
    version_created: bool
    items: int
    rubric: str  # name@number
    questions_from: str
    queue: str
    queue_created: bool
    labels_added: int
    labels_already_there: int
    signals_added: int
    suggestions_added: int
    raters: dict[str, str]  # the tool's annotator -> Honing username
    raters_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def read_migration(path: Path | str, tool: str, *, config: Path | str | None = None,
                   mapping: dict[str, str] | None = None) -> Migration:
    """Read an export without importing it (nothing touches the database)."""
    return READERS[tool](Path(path), config=Path(config) if config else None, mapping=mapping)


def import_migration(db: Database, path: Path | str, *, tool: str, workspace: str, dataset: str,
                     actor: str, queue: str | None = None, rubric: str | None = None,
                     config: Path | str | None = None, rater_map: Path | str | dict[str, str] | None = None,
                     mapping: dict[str, str] | None = None, source_name: str | None = None) -> MigrationResult:
    path = Path(path)
    migration = read_migration(path, tool, config=config, mapping=mapping)
    # Everything that can be checked without the database is checked before it is opened.
    rubric_text = yaml.safe_dump(migration.rubric(rubric or dataset), sort_keys=False, allow_unicode=True)
    parse_rubric(rubric_text, source=f"{tool} questions")
    given_map = rater_map if isinstance(rater_map, dict) else \
        read_rater_map(Path(rater_map)) if rater_map else {}
    annotators = list(dict.fromkeys(label.annotator for record in migration.records
                                    for label in record.labels))
    names = usernames(tool, annotators, given_map)
    pairs = [(record.item.content_hash(), record.item) for record in migration.records]
    parameters = {"file": source_name or path.name, "format": tool, "mode": "replace",
                  "records": len(pairs), "questions_from": migration.questions_from}
    with db.writing() as session:
        written = write_version(session, workspace, dataset, actor, [h for h, _ in pairs],
                                lambda: (pairs[i:i + _BATCH] for i in range(0, len(pairs), _BATCH)),
                                "replace", parameters)
        ws = accounts.get_workspace(session, workspace)
        version = datasets.resolve_version(session, datasets.get_dataset(session, ws, dataset),
                                           written.version.number)
        item_ids = list(datasets.version_item_ids(session, version))
        pushed = annotate.push_rubric(session, ws, rubric_text, source=f"{tool} import of {path.name}",
                                      actor=actor)
        overlap = max((len(record.labels) for record in migration.records), default=1)
        queue_row, queue_created = annotate.import_queue(
            session, ws, name=queue or dataset, dataset_ref=f"{dataset}@{version.number}",
            rubric_ref=pushed.ref, overlap=overlap, actor=actor)
        rater_ids: dict[str, int] = {}
        created: list[str] = []
        for annotator, username in names.items():
            rater_ids[annotator], new = accounts.ensure_rater(session, ws, username,
                                                              display_name=annotator, actor=actor)
            if new:
                created.append(username)
        now = utcnow()
        labels = [annotate.ImportedLabel(item_ids[position], rater_ids[label.annotator], label.answers,
                                         label.submitted_at or now, label.provenance, label.active_ms)
                  for position, record in enumerate(migration.records) for label in record.labels]
        added, already = annotate.store_imported_labels(session, ws, queue_row, labels, actor=actor)
        suggested = annotate.add_new_suggestions(session, ws, migration.suggestions(item_ids), actor=actor)
        signals = sum(len(feedback.record_signals(session, ws, item_ids[position], record.signals))
                      for position, record in enumerate(migration.records) if record.signals)
        audit.record(session, actor=actor, action="dataset.migrate", target=f"queue:{queue_row.name}",
                     workspace=ws.name, details={"tool": tool, "file": parameters["file"],
                                                 "version": written.version.ref, "labels": added,
                                                 "signals": signals, "raters_created": created})
        return MigrationResult(
            tool=tool, version=written.version.ref, version_created=written.created,
            items=len(pairs), rubric=pushed.ref, questions_from=migration.questions_from,
            queue=queue_row.name, queue_created=queue_created, labels_added=added,
            labels_already_there=already, signals_added=signals, suggestions_added=suggested, raters=names,
            raters_created=created, warnings=migration.warnings)
