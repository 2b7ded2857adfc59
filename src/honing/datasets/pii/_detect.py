"""The detector registry and `detect`, which runs the registered detectors over a text.

Detectors are small callables registered by name, so an optional package can add entity
types this module does not ship (person names and street addresses need an NER model): it
calls `register_detector` on import, or names a function in the `honing.pii_detectors`
entry-point group that does so."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

from honing._errors import InvalidInput
from honing._names import is_name
from honing.datasets.pii._builtin import BUILTIN_ENTITIES, detect_builtin
from honing.datasets.pii._span import Span, resolve_overlaps

Detector = Callable[[str], Iterable[Span]]
ENTRY_POINT_GROUP = "honing.pii_detectors"


@dataclass(frozen=True)
class RegisteredDetector:
    name: str
    entities: tuple[str, ...]
    detector: Detector


_REGISTRY: dict[str, RegisteredDetector] = {}
_plugins_loaded = False


def register_detector(name: str, detector: Detector, *, entities: Iterable[str],
                      replace: bool = False) -> None:
    """Add a detector producing `entities` (upper-case names such as "PERSON"). It must be
    deterministic and return spans within the text; overlaps with other detectors are
    resolved by `detect`."""
    kinds = tuple(entities)
    if not is_name(name):
        raise InvalidInput(f"PII detector name {name!r} is not valid",
                           hint="use lower-case letters, digits, '-' and '_'")
    if not kinds or not all(k.isupper() and k.replace("_", "").isalpha() for k in kinds):
        raise InvalidInput(f"PII detector {name!r} needs entity names such as PERSON or ADDRESS")
    if name in _REGISTRY and not replace:
        raise InvalidInput(f"a PII detector named {name!r} is already registered",
                           hint="pass replace=True to swap it")
    _REGISTRY[name] = RegisteredDetector(name, kinds, detector)


def unregister_detector(name: str) -> None:
    if _REGISTRY.pop(name, None) is None:
        raise InvalidInput(f"no PII detector named {name!r} is registered")


def registered_detectors() -> list[RegisteredDetector]:
    _load_plugins()
    return list(_REGISTRY.values())


def entity_types() -> list[str]:
    """Every entity type some registered detector can report."""
    return sorted({kind for d in registered_detectors() for kind in d.entities})


def detect(text: str, *, entities: Iterable[str] | None = None) -> list[Span]:
    """PII spans in `text`, in order, never overlapping. `entities` limits the types."""
    if not isinstance(text, str):
        raise InvalidInput(f"detect() needs text, got {type(text).__name__}")
    if not text:
        return []
    wanted = _check_entities(entities)
    if not _plugins_loaded:
        _load_plugins()
    spans: list[Span] = []
    for registered in _REGISTRY.values():
        if wanted is not None and wanted.isdisjoint(registered.entities):
            continue
        found = registered.detector(text)
        if registered.detector is not detect_builtin:
            found = list(found)
            if any(span.end > len(text) for span in found):
                raise InvalidInput(f"PII detector {registered.name!r} reported a span past the "
                                   "end of the text")
        spans.extend(found if wanted is None else (s for s in found if s.entity in wanted))
    return resolve_overlaps(spans)


def _check_entities(entities: Iterable[str] | None) -> frozenset[str] | None:
    if entities is None:
        return None
    wanted = frozenset(entities)
    unknown = wanted - set(entity_types())
    if unknown:
        raise InvalidInput(f"unknown PII entity type(s): {', '.join(sorted(unknown))}",
                           hint="known types: " + ", ".join(entity_types()))
    return wanted


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()()


# Replaceable as a whole (register_detector("builtin", ..., replace=True)); extra entity
# types come from further detectors.
register_detector("builtin", detect_builtin, entities=BUILTIN_ENTITIES)
