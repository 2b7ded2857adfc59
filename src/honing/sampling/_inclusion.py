"""What weighted estimates read: each item's stratum and first-order inclusion probability
in a sampled version's draw."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing.storage import DatasetVersion, SampleInclusion


def inclusion_probabilities(session: Session, version: DatasetVersion | int) -> dict[int, tuple[str | None, float]]:
    """item id -> (stratum or None, inclusion probability) for every item the version's
    draw took; empty for a version that was not sampled."""
    version_id = version if isinstance(version, int) else version.id
    rows = session.execute(select(SampleInclusion.item_id, SampleInclusion.stratum,
                                  SampleInclusion.probability)
                           .where(SampleInclusion.version_id == version_id))
    return {item_id: (stratum, probability) for item_id, stratum, probability in rows}
