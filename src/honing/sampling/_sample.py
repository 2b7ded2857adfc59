"""`sample`: draw a design from a dataset version into a new version of another dataset,
recording the design in the lineage and each drawn item's inclusion probability, and
optionally feeding a review queue. Everything is checked and drawn before anything is
written, and written in the caller's one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import InvalidInput
from honing._names import check_name
from honing.datasets.dedup import dedup_version
from honing.sampling._design import Design
from honing.sampling._draw import Draw, draw
from honing.sampling._frame import Frame, Progress, read_frame
from honing.sampling._novelty import novelty, novelty_weights
from honing.sampling._priority import priority_weights, signal_flags
from honing.sampling._queue import check_queue, feed_queue
from honing.sampling._strata import standard_deviations, stratum_labels
from honing.storage import DatasetVersion, SampleInclusion, Workspace

_WRITE_BATCH = 1000


@dataclass(frozen=True)
class SampleResult:
    version: datasets.VersionInfo | None  # None when the frame was empty (a scheduled run)
    source: str
    frame: int  # items the design drew from
    version_items: int  # distinct items of the source version
    left_out: dict[str, int]  # reason -> items of the version left out of the frame
    drawn: int
    strata: dict[str, tuple[int, int]] = field(default_factory=dict)
    queued: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version.as_dict() if self.version else None, "source": self.source,
                "frame": self.frame, "version_items": self.version_items, "left_out": self.left_out,
                "drawn": self.drawn, "queued": self.queued,
                "strata": {s: {"frame": f, "drawn": d} for s, (f, d) in self.strata.items()}}


def sample(session: Session, workspace: Workspace, source: str, into: str, design: Design, *,
           actor: str, queue: str | None = None, exclude: Collection[int] = (),
           scheduled: bool = False, extra: dict[str, Any] | None = None,
           progress: Progress | None = None) -> SampleResult:
    """Draw `design` from the SOURCE version (DATASET or DATASET@N) into a new version of
    INTO (created if needed). `exclude`: item ids that may not be drawn (earlier runs of a
    schedule). `scheduled`: a frame smaller than the size is drawn whole, and an empty one
    writes nothing, instead of failing (what is left of a source between runs)."""
    name, wanted = datasets.parse_ref(source)
    version = datasets.resolve_version(session, datasets.get_dataset(session, workspace, name), wanted)
    source_ref = f"{name}@{version.number}"
    target = check_queue(session, workspace, queue) if queue else None
    check_name("dataset", into)
    frame = _frame(session, workspace, version, source_ref, design, exclude, progress)
    if not len(frame):
        if scheduled:
            return SampleResult(None, source_ref, 0, frame.version_items, frame.left_out, 0)
        raise InvalidInput(f"{source_ref} has no items left to draw from")
    if scheduled and design.size is not None and design.size > len(frame) and not design.budgets:
        design = replace(design, size=len(frame))
    chosen = _draw(session, workspace, frame, design, progress)
    drawn_ids = [int(i) for i in frame.item_ids[chosen.drawn]]
    labels = (stratum_labels(frame.values[design.stratify_by]) if design.stratify_by else None)
    dataset = datasets.get_or_create_dataset(session, workspace, into, actor=actor)
    parameters = {"source": source_ref, "design": design.as_dict(), "seed": design.seed,
                  "frame": {"items": len(frame), "version_items": frame.version_items,
                            "left_out": frame.left_out},
                  "drawn": len(drawn_ids), **(extra or {})}
    if chosen.strata:
        parameters["strata"] = {s: {"frame": f, "drawn": d} for s, (f, d) in chosen.strata.items()}
    new = datasets.add_version(
        session, dataset, content_hash=datasets.version_hash(datasets.item_hashes(session, drawn_ids)),
        item_count=len(drawn_ids), operation="sample", parameters=parameters, actor=actor,
        parents=[version])
    for start in range(0, len(drawn_ids), _WRITE_BATCH):
        datasets.add_version_items(session, new, start, drawn_ids[start:start + _WRITE_BATCH])
    _write_inclusion(session, new, frame, chosen, labels)
    queued = feed_queue(session, target, drawn_ids,
                        [labels[i] for i in chosen.drawn] if labels else None,
                        np.random.default_rng([design.seed, 1]), new.id) if target else 0
    info = datasets.version_info(session, dataset, new)
    audit.record(session, actor=actor, action="dataset.sample", target=f"dataset:{info.ref}",
                 workspace=workspace.name,
                 details={"source": source_ref, "design": design.kind, "seed": design.seed,
                          "frame": len(frame), "drawn": len(drawn_ids), "queue": queue,
                          "queued": queued})
    return SampleResult(info, source_ref, len(frame), frame.version_items, frame.left_out,
                        len(drawn_ids), chosen.strata, queued)


def _frame(session: Session, workspace: Workspace, version: DatasetVersion, source_ref: str,
           design: Design, exclude: Collection[int], progress: Progress | None) -> Frame:
    keys = [k for k in (design.stratify_by, design.neyman_sd,
                        design.score_field if design.kind == "priority" else None) if k]
    signals = design.kind == "priority" or (design.allocation == "neyman" and not design.neyman_sd)
    frame = read_frame(session, version, list(dict.fromkeys(keys)), signals=signals, progress=progress)
    for key in (design.stratify_by, design.neyman_sd):
        if key and len(frame) and all(v is None for v in frame.values[key]):
            raise InvalidInput(f"metadata field {key!r} is on no item of {source_ref}",
                               hint="stratify by a field the items have; `honing dataset show` "
                               "lists their metadata keys")
    if exclude:
        excluded = set(exclude)
        frame.keep(np.array([int(i) not in excluded for i in frame.item_ids], dtype=bool), "drawn before")
    if design.dedup and len(frame):
        report = dedup_version(session, workspace, source_ref, threshold=design.dedup_threshold,
                               progress=progress)
        present = set(frame.item_ids.tolist())
        redundant: set[int] = set()
        for cluster in report.clusters:
            members = [i for i in dict.fromkeys(cluster.item_ids) if i in present]
            redundant.update(members[1:])  # the first of each cluster still in the frame stays
        frame.keep(np.array([int(i) not in redundant for i in frame.item_ids], dtype=bool), "duplicates")
    return frame


def _draw(session: Session, workspace: Workspace, frame: Frame, design: Design,
          progress: Progress | None) -> Draw:
    labels = stratum_labels(frame.values[design.stratify_by]) if design.stratify_by else None
    sds = None
    if labels is not None and design.allocation == "neyman":
        strata = sorted(set(labels))
        if design.neyman_sd:
            figures = np.array([_number(v) for v in frame.values[design.neyman_sd]])
        else:  # the failure indicator: a 0/1 figure whose SD is sqrt(p(1-p)) per stratum
            figures = frame.failing.astype(float)
        sds = standard_deviations(labels, strata, figures)
    weights = None
    if design.kind == "priority":
        weights = priority_weights(signal_flags(session, frame, design), design.weights, len(frame))
    elif design.kind == "novelty":
        scores = novelty(session, workspace, frame.item_ids, design.novelty_field, progress)
        weights = novelty_weights(scores, design.novelty_floor)
    return draw(design, len(frame), np.random.default_rng(design.seed), labels=labels, weights=weights,
                sds=sds)


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _write_inclusion(session: Session, version: DatasetVersion, frame: Frame, chosen: Draw,
                     labels: list[str] | None) -> None:
    rows = [{"version_id": version.id, "item_id": int(frame.item_ids[k]),
             "stratum": labels[k] if labels is not None else None,
             "probability": float(chosen.probabilities[k])} for k in chosen.drawn]
    for start in range(0, len(rows), _WRITE_BATCH):
        session.execute(SampleInclusion.__table__.insert(), rows[start:start + _WRITE_BATCH])
