"""PII: detect personal data and secrets in text, redact it, scan and redact dataset versions.

Detection is regexes plus validation (checksums, ranges, context), deterministic and fast.
Person names and street addresses are found by rules in the default install: names from
their context (salutations, honorifics, introductions, signature blocks, a known given name
followed by a known surname), addresses by a postal grammar with city and postcode. An NER
model can add recall through a detector registered with `register_detector`."""

from honing.datasets.pii._detect import (
    ENTRY_POINT_GROUP,
    Detector,
    RegisteredDetector,
    detect,
    entity_types,
    register_detector,
    registered_detectors,
    unregister_detector,
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

__all__ = [
    "ENTRY_POINT_GROUP",
    "KEY_VARIABLE",
    "REDACTION_MODES",
    "Detector",
    "EntityReport",
    "PiiReport",
    "RedactionMode",
    "RedactionResult",
    "Redactor",
    "RegisteredDetector",
    "Span",
    "check_mode",
    "detect",
    "entity_types",
    "item_texts",
    "redact",
    "redact_item",
    "redact_texts",
    "redact_tool_calls",
    "redact_version",
    "register_detector",
    "registered_detectors",
    "resolve_overlaps",
    "scan_version",
    "unregister_detector",
]
