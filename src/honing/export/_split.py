"""Train/validation split by item, stratified on a metadata field, deterministic per seed.

The unit is the item, not the row: the pairs or rated responses of one conversation all
land on the same side, or the validation loss would be measured on prompts the model was
trained on. Within each stratum round(n * fraction) items go to validation, so every
stratum keeps its share (a stratum too small to give one item gives none).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from honing._errors import InvalidInput

NO_STRATUM = "(none)"


def stratum_of(metadata: dict[str, Any], field: str | None) -> str:
    if field is None:
        return NO_STRATUM
    value: Any = metadata
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return NO_STRATUM if value is None else str(value)


def validation_items(strata: Iterable[tuple[int, str]], fraction: float, seed: int) -> set[int]:
    """Item ids for validation, from (item id, stratum) pairs."""
    if not 0 <= fraction < 1:
        raise InvalidInput(f"validation fraction {fraction} is not in [0, 1)", hint="e.g. --validation 0.1")
    if fraction == 0:
        return set()
    groups: dict[str, set[int]] = defaultdict(set)
    for item_id, stratum in strata:
        groups[stratum].add(item_id)
    chosen: set[int] = set()
    for stratum in sorted(groups):
        ids = sorted(groups[stratum])
        # Seeded per stratum, so adding a stratum does not reshuffle the others.
        random.Random(f"{seed}:{stratum}").shuffle(ids)
        chosen.update(ids[:round(len(ids) * fraction)])
    return chosen
