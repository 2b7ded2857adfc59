"""The detector registry and `detect`, which runs the registered detectors over a text.

Detectors are small callables registered by name, so an optional package can add entity
types this module does not ship: it calls `register_detector` on import, or names a
function in the `honing.pii_detectors` entry-point group that does so. NER models join per
call through `backends` (see `_ner`), since which model to trust is a workspace's choice,
not the process's."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points

from honing._errors import InvalidInput
from honing._names import is_name
from honing.datasets.pii import _builtin
from honing.datasets.pii._builtin import BUILTIN_ENTITIES, detect_builtin
from honing.datasets.pii._model_names import plausible_person
from honing.datasets.pii._ner import INSTALL_HINT, MODEL_ENTITIES, NerBackend, load_backends
from honing.datasets.pii._numbers import lowered
from honing.datasets.pii._span import Span, resolve_overlaps

Detector = Callable[[str], Iterable[Span]]
ENTRY_POINT_GROUP = "honing.pii_detectors"
# Common names for the entity types (Presidio's where it has one), so a filter written for
# another tool works here.
ENTITY_ALIASES = {
    "US_SSN": "SSN", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD_NUMBER": "CREDIT_CARD", "IBAN_CODE": "IBAN", "IP": "IP_ADDRESS",
    "DOB": "DATE_OF_BIRTH", "URL_TOKEN": "URL_CREDENTIALS", "NAME": "PERSON", "PER": "PERSON",
    "ADDRESS": "STREET_ADDRESS", "LOC": "LOCATION", "GPE": "LOCATION", "ORG": "ORGANIZATION",
}


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


def entity_types(backends: Sequence[str | NerBackend] = ()) -> list[str]:
    """Every entity type some registered detector, or one of `backends`, can report."""
    kinds = {kind for d in registered_detectors() for kind in d.entities}
    kinds.update(kind for backend in active_backends(backends) for kind in backend.entities)
    return sorted(kinds)


def canonical_entity(name: str) -> str:
    """The entity type a name or common alias stands for, case-insensitively: "us_ssn" is
    SSN, "EMAIL_ADDRESS" is EMAIL (Presidio's names are accepted where they exist)."""
    key = "_".join(str(name).strip().upper().replace("-", " ").split())
    return ENTITY_ALIASES.get(key, key)


def active_backends(backends: Sequence[str | NerBackend]) -> list[NerBackend]:
    """Loaded backends for specs (loaded once per process) or already-built backends."""
    if not backends:
        return []
    specs = [b for b in backends if isinstance(b, str)]
    loaded = {b.spec: b for b in load_backends(specs)} if specs else {}
    built = [b for b in backends if not isinstance(b, str)]
    return list(loaded.values()) + [b for b in built if b.spec not in loaded]


def detector_names(backends: Sequence[str | NerBackend] = ()) -> list[str]:
    """What runs, as a scan reports it: "rules" (the registered detectors), then each NER
    backend with its version, e.g. "spacy:en_core_web_sm (3.8.0)"."""
    return ["rules", *(backend.description for backend in active_backends(backends))]


def detect(text: str, *, entities: Iterable[str] | None = None,
           backends: Sequence[str | NerBackend] = ()) -> list[Span]:
    """PII spans in `text`, in order, never overlapping. `entities` limits the types (aliases
    such as US_SSN are accepted). `backends` adds NER models (`spacy:NAME_OR_PATH`,
    `gliner:PATH`) whose spans compete with the rule detectors' by score."""
    if not isinstance(text, str):
        raise InvalidInput(f"detect() needs text, got {type(text).__name__}")
    models = active_backends(backends)
    wanted = check_entities(entities, models)
    if not text:
        return []
    if not _plugins_loaded:
        _load_plugins()
    core = _builtin.core
    if core is not None and not models and _builtin_alone():
        # One call: the compiled detectors find, filter and resolve overlaps in one pass.
        # (A lone surrogate has no UTF-8 form; the Python detectors read such a text.)
        try:
            return [Span(*found) for found in core.detect(
                text, lowered(text), sorted(wanted) if wanted is not None else None)]
        except UnicodeEncodeError:
            pass
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
    if models:
        guesses: list[Span] = []
        for model in models:
            if wanted is not None and wanted.isdisjoint(model.entities):
                continue
            found = model.find(text)
            if any(span.end > len(text) for span in found):
                raise InvalidInput(f"PII backend {model.spec!r} reported a span past the end of "
                                   "the text")
            guesses.extend(found if wanted is None else (s for s in found if s.entity in wanted))
        # A model's PERSON guess is checked once the rule spans are cut out of it (see
        # _model_names): "Robert Brown robert@example.com" is judged as "Robert Brown".
        # Honing's own placeholders ("<STREET_ADDRESS_1>", "[PERSON]") are cut out of the
        # guesses too: a model reads them as the thing they replace, and a redacted version
        # would then count them as PII again.
        blockers = spans + placeholders(text)
        spans.extend(g for g in outside_of(text, guesses, blockers)
                     if g.entity != "PERSON" or plausible_person(text, g.start, g.end))
    return resolve_overlaps(spans)


def _builtin_alone() -> bool:
    """True when the built-in detectors are the only ones registered, as shipped."""
    return len(_REGISTRY) == 1 and next(iter(_REGISTRY.values())).detector is detect_builtin


_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*(?:_\d+|:[0-9a-f]{8})>|\[[A-Z][A-Z_]*\]")


def placeholders(text: str) -> list[Span]:
    """The redaction placeholders in `text` (see `Redactor`), as spans that no model guess
    may cover."""
    if "<" not in text and "[" not in text:
        return []
    return [Span(m.start(), m.end(), "PLACEHOLDER", 1.0) for m in _PLACEHOLDER.finditer(text)]


_EDGE = " \t\r\n,;:.()[]<>{}\"'|/-"


def outside_of(text: str, guesses: list[Span], rules: list[Span]) -> list[Span]:
    """The model's spans less what stronger rule spans cover. A model often runs a name into
    the e-mail beside it ("Robert Brown robert@example.com" as one PERSON); whole-span
    overlap rules would then keep the e-mail and drop the name, leaving it in clear."""
    if not rules:
        return guesses
    blockers = sorted((r.start, r.end, r.score) for r in rules)
    starts = [b[0] for b in blockers]
    widest = max(b[1] - b[0] for b in blockers)
    out: list[Span] = []
    for guess in guesses:
        pieces, position = [], guess.start
        # Blockers starting before guess.start - widest cannot reach into the guess.
        for start, end, score in blockers[bisect_left(starts, guess.start - widest):]:
            if start >= guess.end:
                break
            if end <= position or score <= guess.score:
                continue
            pieces.append((position, start))
            position = max(position, end)
        if position == guess.start:
            out.append(guess)
            continue
        pieces.append((position, guess.end))
        for start, end in pieces:
            while start < end and text[start] in _EDGE:
                start += 1
            while end > start and text[end - 1] in _EDGE:
                end -= 1
            if any(c.isalnum() for c in text[start:end]):
                out.append(Span(start, end, guess.entity, guess.score))
    return out


def check_entities(entities: Iterable[str] | None,
                   backends: Sequence[str | NerBackend] = ()) -> frozenset[str] | None:
    """The entity types asked for, as canonical names, or None for all. An unknown name is
    refused; a type that only a model provides, asked for with no backend that provides it,
    is refused with how to add one."""
    if entities is None:
        return None
    if isinstance(entities, str):
        entities = [entities]
    asked = {canonical_entity(e): str(e).strip() for e in entities}
    wanted = frozenset(asked)
    known = set(entity_types(backends))
    unknown = wanted - known

    def named(kinds: Iterable[str]) -> str:  # as the user wrote them, e.g. "NAME (PERSON)"
        return ", ".join(k if asked[k].upper() == k else f"{asked[k]} ({k})" for k in sorted(kinds))

    needs_model = unknown & set(MODEL_ENTITIES)
    if needs_model:
        raise InvalidInput(
            f"{named(needs_model)} {'comes' if len(needs_model) == 1 else 'come'} from an NER "
            "backend, and none that provides it is active",
            hint=INSTALL_HINT)
    if unknown:
        raise InvalidInput(f"unknown PII entity type(s): {named(unknown)}",
                           hint="known types: " + ", ".join(sorted(known))
                                + "; aliases such as US_SSN or EMAIL_ADDRESS are accepted")
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
