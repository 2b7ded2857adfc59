"""Novelty: how unlike an item is to everything labeled so far, from MinHash signatures
(the dedup module's): the share of an item's LSH bands that no labeled item shares. A
near duplicate of a labeled item shares most bands (novelty near 0); an item on a topic
nobody has labeled shares none (novelty 1). Band lookups keep this linear in the number
of items, where comparing every item with every labeled one would not be."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import datasets
from honing.datasets.dedup import MinHasher, band_keys, check_field, item_text, shingle_texts
from honing.sampling._frame import BATCH, Progress
from honing.storage import Label, Queue, Workspace

NUM_PERM = 64
BANDS = 32  # two rows each: a band is shared with probability J^2, sensitive to topical overlap
SHINGLE = 3  # word 3-grams: phrasing shared by conversations on the same topic
_SEED = 29


def labeled_item_ids(session: Session, workspace: Workspace) -> list[int]:
    """Items with at least one human label in any of the workspace's queues."""
    return list(session.scalars(select(Label.item_id).join(Queue, Queue.id == Label.queue_id)
                                .where(Queue.workspace_id == workspace.id).distinct()))


def _band_batches(session: Session, item_ids: Iterable[int], field: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(band keys, has text) per batch of items, in the order given."""
    hasher = MinHasher(NUM_PERM, seed=_SEED)
    texts: list[str] = []

    def keys() -> tuple[np.ndarray, np.ndarray]:
        batch = shingle_texts(texts, SHINGLE)
        return band_keys(hasher.signatures(batch), BANDS), batch.counts > 0

    for stored in datasets.iter_loaded(session, item_ids, batch=BATCH):
        texts.append(item_text(stored.item, field))  # type: ignore[arg-type]
        if len(texts) >= BATCH:
            yield keys()
            texts = []
    if texts:
        yield keys()


def novelty(session: Session, workspace: Workspace, item_ids: np.ndarray, field: str,
            progress: Progress | None = None) -> np.ndarray:
    """Each item's novelty in [0, 1] against the workspace's labeled items. Items without
    text, and every item while nothing is labeled, count as wholly novel."""
    check_field(field)
    seen: list[set[int]] = [set() for _ in range(BANDS)]
    for keys, has_text in _band_batches(session, labeled_item_ids(session, workspace), field):
        for band in range(BANDS):
            seen[band].update(keys[has_text, band].tolist())
    out = np.ones(len(item_ids))
    if not any(seen):
        return out
    done = 0
    ids = [int(i) for i in item_ids]
    for keys, has_text in _band_batches(session, ids, field):
        shared = np.zeros(len(keys))
        for band in range(BANDS):
            shared += np.fromiter((k in seen[band] for k in keys[:, band].tolist()), bool, len(keys))
        out[done:done + len(keys)] = np.where(has_text, 1.0 - shared / BANDS, 1.0)
        done += len(keys)
        if progress is not None:
            progress("comparing with labeled items", done, len(ids))
    return out


def novelty_weights(scores: np.ndarray, floor: float) -> np.ndarray:
    """floor for an item like a labeled one, 1 for a wholly novel item: never 0."""
    return floor + (1.0 - floor) * scores
