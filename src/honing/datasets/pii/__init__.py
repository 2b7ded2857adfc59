"""PII: detect personal data and secrets in text, redact it, scan and redact dataset versions.

Detection is regexes plus validation (checksums, ranges, context), deterministic and fast.
Person names and street addresses are found by rules in the default install: names from
their context (salutations, honorifics, introductions, signature blocks, a known given name
followed by a known surname), addresses by a postal grammar with city and postcode. An NER
model can add recall through a detector registered with `register_detector`."""

from honing.datasets.pii._detect import (
    ENTITY_ALIASES,
    ENTRY_POINT_GROUP,
    Detector,
    RegisteredDetector,
    active_backends,
    canonical_entity,
    check_entities,
    detect,
    detector_names,
    entity_types,
    register_detector,
    registered_detectors,
    unregister_detector,
)
from honing.datasets.pii._ner import (
    MODEL_ENTITIES,
    NER_SCORE,
    NerBackend,
    gliner_backend,
    load_backend,
    normalise_spec,
    spacy_backend,
)
from honing.datasets.pii._redact import (
    KEY_VARIABLE,
    REDACTION_MODES,
    RedactionMode,
    Redactor,
    check_mode,
    redact,
    redact_item,
    redact_texts,
    redact_tool_calls,
)
from honing.datasets.pii._scan import (
    EntityReport,
    PiiReport,
    RedactionResult,
    item_texts,
    redact_version,
    scan_version,
)
from honing.datasets.pii._span import Span, resolve_overlaps
from honing.datasets.pii._workspace import (
    add_workspace_backend,
    remove_workspace_backend,
    set_workspace_backends,
    workspace_backends,
)

__all__ = [
    "ENTITY_ALIASES",
    "ENTRY_POINT_GROUP",
    "KEY_VARIABLE",
    "MODEL_ENTITIES",
    "NER_SCORE",
    "REDACTION_MODES",
    "Detector",
    "EntityReport",
    "NerBackend",
    "PiiReport",
    "RedactionMode",
    "RedactionResult",
    "Redactor",
    "RegisteredDetector",
    "active_backends",
    "Span",
    "add_workspace_backend",
    "canonical_entity",
    "check_entities",
    "check_mode",
    "detect",
    "detector_names",
    "entity_types",
    "gliner_backend",
    "item_texts",
    "load_backend",
    "normalise_spec",
    "redact",
    "redact_item",
    "redact_texts",
    "redact_tool_calls",
    "redact_version",
    "register_detector",
    "registered_detectors",
    "remove_workspace_backend",
    "resolve_overlaps",
    "scan_version",
    "set_workspace_backends",
    "spacy_backend",
    "unregister_detector",
    "workspace_backends",
]
