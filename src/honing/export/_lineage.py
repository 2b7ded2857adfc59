"""Labels carried over to a derived dataset version through its lineage.

A team labels raw conversations and trains on redacted ones: `honing pii redact` makes a
version whose item at each position is the redaction of the parent's item at that
position (items without PII are the same item). Positions in immutable versions are
stored, so the pair (parent position p, child position p) is the record of which raw item
became which redacted item; walking the chain of such versions maps a label's item to its
counterpart, with nothing to store beside it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from honing import datasets
from honing._errors import InvalidInput
from honing.storage import DatasetVersion, Workspace

# Operations whose version is its single parent item for item, in the same order.
POSITIONAL_OPERATIONS = frozenset({"pii_redact"})


def _version(session: Session, workspace: Workspace, ref: str) -> tuple[str, DatasetVersion]:
    name, wanted = datasets.parse_ref(ref)
    version = datasets.resolve_version(session, datasets.get_dataset(session, workspace, name), wanted)
    return name, version


def derivation_path(session: Session, workspace: Workspace, labeled_ref: str, target_ref: str,
                    ) -> list[DatasetVersion]:
    """The versions from the labeled one down to `target_ref`, each derived from the one
    before it by a positional operation; an error when `target_ref` is not so derived."""
    _, labeled = _version(session, workspace, labeled_ref)
    name, current = _version(session, workspace, target_ref)
    path = [current]
    while current.id != labeled.id:
        info = datasets.version_info(session, datasets.get_dataset(session, workspace, name), current)
        if info.operation not in POSITIONAL_OPERATIONS or len(info.parents) != 1:
            raise InvalidInput(
                f"--as-version {target_ref}: {info.ref} is not derived from {labeled_ref} by redaction "
                f"(it was made by {info.operation!r} from {', '.join(info.parents) or 'nothing'})",
                hint=f"redact the labeled version first: honing pii redact {labeled_ref}")
        name, parent = _version(session, workspace, info.parents[0])
        if parent.item_count != current.item_count:
            raise InvalidInput(f"--as-version {target_ref}: {info.ref} holds {current.item_count} items "
                               f"and its parent {info.parents[0]} {parent.item_count}; they do not pair up")
        path.append(parent)
        current = parent
    return path[::-1]


def carried_items(session: Session, workspace: Workspace, labeled_ref: str, target_ref: str,
                  item_ids: set[int]) -> tuple[DatasetVersion, dict[int, int]]:
    """The target version, and for each of `item_ids` (items of the labeled version) its
    counterpart there. Ids are streamed pairwise, so memory holds only the asked ones."""
    path = derivation_path(session, workspace, labeled_ref, target_ref)
    # current id -> the asked ids that became it (identical raw items share one id)
    origins: dict[int, set[int]] = {i: {i} for i in item_ids}
    for parent, child in zip(path, path[1:], strict=False):
        moved: dict[int, set[int]] = {}
        for before, after in zip(datasets.version_item_ids(session, parent),
                                 datasets.version_item_ids(session, child), strict=True):
            if before in origins:
                moved.setdefault(after, set()).update(origins[before])
        origins = moved
    mapping = {raw: now for now, raws in origins.items() for raw in raws}
    return path[-1], mapping
