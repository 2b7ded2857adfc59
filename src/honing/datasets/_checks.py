"""Checks run on a dataset version and kept with it, for its card: the PII scan, duplicates
and contamination against the evaluation suites. Each is stored as a short summary (what a
card shows; never raw personal data), the newest result per kind replacing the last."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput
from honing.datasets._versions import get_dataset, parse_ref, resolve_version
from honing.storage import VersionCheck, Workspace, utcnow

CHECKS = ("pii", "dedup", "contamination")
MAX_LISTED = 20  # cluster sizes, matches and examples kept in a summary


def run_checks(session: Session, workspace: Workspace, ref: str, *, actor: str,
               kinds: Iterable[str] = CHECKS, threshold: float = 0.8,
               field: str = "user") -> dict[str, dict[str, Any]]:
    """Run the checks on DATASET[@VERSION] and store their summaries; audited. `threshold`
    is the duplicates' Jaccard threshold; `field` the item text duplicates and near-duplicate
    contamination compare (see `honing.datasets.dedup.FIELDS`)."""
    kinds = list(dict.fromkeys(kinds))
    unknown = sorted(set(kinds) - set(CHECKS))
    if unknown:
        raise InvalidInput(f"unknown check{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                           hint=f"checks: {', '.join(CHECKS)}")
    from honing.datasets.dedup import check_field

    check_field(field)
    name, number = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    version = resolve_version(session, dataset, number)
    exact_ref = f"{dataset.name}@{version.number}"
    done: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        parameters, result = _RUNNERS[kind](session, workspace, exact_ref, threshold, field)
        row = session.get(VersionCheck, (version.id, kind))
        if row is None:
            row = VersionCheck(version_id=version.id, kind=kind, parameters=parameters, result=result, actor=actor)
            session.add(row)
        else:
            row.parameters, row.result, row.actor, row.created_at = parameters, result, actor, utcnow()
        done[kind] = {"parameters": parameters, "result": result}
    session.flush()
    audit.record(session, actor=actor, action="dataset.check", target=f"dataset:{exact_ref}",
                 workspace=workspace.name, details={"checks": kinds})
    return done


def _pii(session: Session, workspace: Workspace, ref: str, threshold: float, field: str) -> tuple[dict, dict]:
    from honing.datasets.pii import scan_version

    report = scan_version(session, workspace, ref)  # the rules and the workspace's NER backends
    entities = {e.entity: {"items": e.items, "spans": e.spans, "examples": e.examples[:3]}
                for e in report.entities.values()}
    return ({"detectors": report.detectors},
            {"items_scanned": report.items, "items_with_pii": report.items_with_pii, "entities": entities})


def _dedup(session: Session, workspace: Workspace, ref: str, threshold: float, field: str) -> tuple[dict, dict]:
    from honing.datasets.dedup import dedup_version

    report = dedup_version(session, workspace, ref, threshold=threshold, field=field)  # type: ignore[arg-type]
    return ({"threshold": threshold, "field": report.field},
            {"exact_clusters": report.count("exact"), "near_clusters": report.count("near"),
             "redundant_items": report.removable, "sizes": {str(k): v for k, v in report.sizes().items()}})


def _contamination(session: Session, workspace: Workspace, ref: str, threshold: float,
                   field: str) -> tuple[dict, dict]:
    from honing.datasets.contamination import find_contamination

    report = find_contamination(session, workspace, ref, field=field)  # type: ignore[arg-type]
    return ({"suites": report.suites, "ngram": report.ngram, "min_overlap": report.min_overlap,
             "threshold": report.threshold, "field": report.field},
            {"contaminated_items": len(report.item_ids), "scenarios": report.scenarios,
             # Which item matched which scenario, without the shared text (it may hold PII).
             "matches": [{k: v for k, v in m.as_dict().items() if k != "snippet"}
                         for m in report.matches[:MAX_LISTED]]})


_RUNNERS = {"pii": _pii, "dedup": _dedup, "contamination": _contamination}
