"""Import a file into a dataset: validate every record first, then write all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput, Problem
from honing.accounts import get_workspace
from honing.datasets import (
    VersionInfo,
    add_version,
    add_version_items,
    get_or_create_dataset,
    head_version,
    item_hashes,
    store_items,
    version_hash,
    version_info,
    version_item_ids,
)
from honing.domain import Item
from honing.ingest._mapping import ColumnCheck, apply_mapping, check_fields
from honing.ingest._readers import detect_format, file_columns, read_records
from honing.ingest._records import to_item
from honing.storage import Database

Mode = Literal["replace", "append"]
# Called as progress(phase, done, total): "validating" (total unknown) then "writing".
Progress = Callable[[str, int, int | None], None]


def _quiet(phase: str, done: int, total: int | None) -> None:
    return None
MAX_PROBLEMS = 50
_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    created: bool
    version: VersionInfo
    records: int
    new_items: int

    def as_dict(self) -> dict[str, object]:
        return {"created": self.created, "records": self.records, "new_items": self.new_items,
                "version": self.version.as_dict()}


def import_file(
    db: Database,
    path: Path | str,
    *,
    workspace: str,
    dataset: str,
    actor: str,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    mode: Mode = "replace",
    source_name: str | None = None,
    progress: Progress = _quiet,
    redact_pii: str | None = None,
) -> ImportResult:
    """Import `path` as a new version of `dataset`.

    `replace`: the version holds exactly the file's records. `append`: the head version's
    items followed by the file's. Either way, content equal to the head creates nothing.
    `redact_pii` (mask, placeholder or hash) redacts PII in every record before anything is
    stored, so raw values never reach the database; the mode is kept in the lineage.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    mapping = mapping or {}
    transform = _pii_transform(db, workspace, redact_pii)
    # pass 1: nothing touches the database
    file_hashes = _validate(path, fmt, mapping, progress, transform)
    parameters = {"file": source_name or path.name, "format": fmt, "mode": mode,
                  "mapping": mapping, "records": len(file_hashes)}
    if redact_pii is not None:
        parameters["redact_pii"] = redact_pii
    return _write_version(db, workspace, dataset, actor, file_hashes,
                          lambda: _batches(path, fmt, mapping, transform), mode, parameters,
                          progress)


def import_items(
    db: Database,
    items: Sequence[Item],
    *,
    workspace: str,
    dataset: str,
    actor: str,
    mode: Mode = "replace",
    parameters: dict[str, Any] | None = None,
    redact_pii: str | None = None,
) -> ImportResult:
    """Import already-validated items (from a generator or a notebook) the same way."""
    transform = _pii_transform(db, workspace, redact_pii)
    pairs = [(item.content_hash(), item) for item in map(transform, items)]
    if not pairs:
        raise InvalidInput("there are no items to import")
    parameters = {"mode": mode, "records": len(pairs), **(parameters or {})}
    if redact_pii is not None:
        parameters["redact_pii"] = redact_pii
    chunks = lambda: (pairs[i:i + _BATCH] for i in range(0, len(pairs), _BATCH))  # noqa: E731
    return _write_version(db, workspace, dataset, actor, [h for h, _ in pairs], chunks, mode,
                          parameters)


def _write_version(
    db: Database,
    workspace: str,
    dataset: str,
    actor: str,
    new_hashes: list[str],
    batches: Callable[[], Iterable[list[tuple[str, Item]]]],
    mode: Mode,
    parameters: dict[str, Any],
    progress: Progress = _quiet,
) -> ImportResult:
    with db.writing() as session:
        return write_version(session, workspace, dataset, actor, new_hashes, batches, mode,
                             parameters, progress)


def write_version(
    session: Session,
    workspace: str,
    dataset: str,
    actor: str,
    new_hashes: list[str],
    batches: Callable[[], Iterable[list[tuple[str, Item]]]],
    mode: Mode,
    parameters: dict[str, Any],
    progress: Progress = _quiet,
) -> ImportResult:
    """Write a version inside the caller's transaction, so an import that stores more than
    items (labels from another tool) is still all or nothing."""
    ws = get_workspace(session, workspace)
    ds = get_or_create_dataset(session, ws, dataset, actor=actor)
    head = head_version(session, ds)
    kept: list[int] = []
    base_hashes: list[str] = []
    if mode == "append" and head is not None:
        kept = list(version_item_ids(session, head))
        base_hashes = item_hashes(session, kept)
    content_hash = version_hash([*base_hashes, *new_hashes])
    if head is not None and head.content_hash == content_hash:
        return ImportResult(False, version_info(session, ds, head), len(new_hashes), 0)

    version = add_version(
        session, ds, content_hash=content_hash, item_count=len(kept) + len(new_hashes),
        operation="import", actor=actor, parents=[head] if head is not None else [],
        parameters=parameters,
    )
    if kept:
        add_version_items(session, version, 0, kept)
    position = len(kept)
    new_items = 0
    for batch in batches():  # pass 2: write, all in this one transaction
        ids, inserted = store_items(session, ws.id, batch)
        add_version_items(session, version, position, ids)
        position += len(ids)
        new_items += inserted
        progress("writing", position - len(kept), len(new_hashes))
    if position != version.item_count:
        raise InvalidInput("the input changed while it was being imported",
                           hint="import it again once nothing is writing to it")
    audit.record(session, actor=actor, action="dataset.import",
                 target=f"dataset:{ds.name}@{version.number}", workspace=ws.name,
                 details={"content_hash": content_hash, "records": len(new_hashes),
                          "new_items": new_items, "mode": mode,
                          "file": parameters.get("file")})
    return ImportResult(True, version_info(session, ds, version), len(new_hashes), new_items)


def validate_file(path: Path | str, *, fmt: str | None = None,
                  mapping: dict[str, str] | None = None) -> int:
    """Check a file without importing it; the number of valid records."""
    path = Path(path)
    return len(_validate(path, detect_format(path, fmt), mapping or {}))


def _pii_transform(db: Database, workspace: str, redact_pii: str | None) -> Callable[[Item], Item]:
    """Identity, or PII redaction with one placeholder map per record, by the rules and the
    workspace's NER backends."""
    if redact_pii is None:
        return lambda item: item
    from honing.datasets import pii  # detection is only loaded when asked for

    with db.reading() as session:
        backends = pii.workspace_backends(session, get_workspace(session, workspace))
    # a bad mode, a missing hash key or a backend that no longer loads fails before reading
    pii.Redactor(redact_pii, backends=backends)
    return lambda item: pii.redact_item(item, pii.Redactor(redact_pii, backends=backends))


def _validate(path: Path, fmt: str, mapping: dict[str, str],
              progress: Progress = _quiet,
              transform: Callable[[Item], Item] = lambda item: item) -> list[str]:
    check_fields(mapping)
    columns = ColumnCheck(path.name, mapping, file_columns(path, fmt))
    columns.before()
    hashes: list[str] = []
    problems: list[Problem] = []
    bad_records = 0
    for count, located in enumerate(read_records(path, fmt), start=1):
        if count % 1000 == 0:
            progress("validating", count, None)
        result: Item | list[Problem]
        if located.problem is not None:
            result = [located.problem]
        else:
            columns.see(located.record or {})
            result = to_item(apply_mapping(located.record or {}, mapping),
                             file=located.file, line=located.line, row=located.row)
        if isinstance(result, Item):
            hashes.append(transform(result).content_hash())
            continue
        bad_records += 1
        problems.extend(result[: MAX_PROBLEMS - len(problems)])
    # A mapping the file cannot honour explains the record problems it causes, so it comes first.
    columns.after()
    if problems:
        shown = "" if bad_records <= MAX_PROBLEMS else f" (first {MAX_PROBLEMS} problems shown)"
        raise InvalidInput(
            f"{path.name}: {bad_records} invalid record(s); nothing was imported{shown}",
            problems=problems,
            hint="fix the records named above and import again",
        )
    if not hashes:
        raise InvalidInput(f"{path.name} holds no records", hint="check the file and its format")
    return hashes


def _batches(path: Path, fmt: str, mapping: dict[str, str],
             transform: Callable[[Item], Item] = lambda item: item):
    batch: list[tuple[str, Item]] = []
    for located in read_records(path, fmt):
        item = to_item(apply_mapping(located.record or {}, mapping),
                       file=located.file, line=located.line, row=located.row)
        if not isinstance(item, Item):  # the file changed between the two passes
            raise InvalidInput(f"{path.name} changed while it was being imported", problems=item)
        item = transform(item)
        batch.append((item.content_hash(), item))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
