"""The built-in detectors run as one pass per text: the lower-cased text and the digit
clusters are computed once and shared, and markers ('@', '://', key prefixes, birth words)
decide which detectors run at all. On short texts the cost of calling ten detectors
separately is larger than the detection itself.

The same detectors exist compiled (`_core`, built from native/pii by native/build), and run
instead when they are built: they find exactly what the Python ones find (the tests compare
them on every kind of text the corpora make), several times faster. HONING_PII_CORE=python
runs the Python ones anyway."""

from __future__ import annotations

import os

from honing.datasets.pii._addresses import detect_addresses
from honing.datasets.pii._dates import birth_windows, dates_of_birth
from honing.datasets.pii._fields import detect_fields
from honing.datasets.pii._numbers import (
    clusters,
    detect_ibans,
    detect_ipv6,
    lowered,
    numbers_in_clusters,
)
from honing.datasets.pii._people import detect_people
from honing.datasets.pii._secrets import (
    detect_api_keys,
    detect_context_secrets,
    detect_credential_urls,
    detect_emails,
)
from honing.datasets.pii._span import Span

BUILTIN_ENTITIES = ("EMAIL", "PHONE", "CREDIT_CARD", "SSN", "IBAN", "IP_ADDRESS",
                    "URL_CREDENTIALS", "API_KEY", "SECRET", "DATE_OF_BIRTH", "PERSON",
                    "STREET_ADDRESS")


def python_detect_builtin(text: str) -> list[Span]:
    """The built-in detectors in Python: the reference the compiled ones are held to."""
    low = lowered(text)
    spans = numbers_in_clusters(text, low, clusters(text))
    if "@" in text:
        spans.extend(detect_emails(text))
    if "://" in text:
        spans.extend(detect_credential_urls(text))
    spans.extend(detect_api_keys(text, low))
    if "::" in text or text.count(":") >= 7:
        spans.extend(detect_ipv6(text))
    spans.extend(detect_ibans(text))
    spans.extend(detect_context_secrets(text, low))
    windows = birth_windows(low)
    if windows:
        spans.extend(dates_of_birth(low, windows))
    spans.extend(detect_people(text, low))
    spans.extend(detect_addresses(text, low))
    spans.extend(detect_fields(text, low))
    return spans


def _load_core():  # type: ignore[no-untyped-def]
    if os.environ.get("HONING_PII_CORE", "").lower() == "python":
        return None
    try:
        from honing.datasets.pii import _core  # type: ignore[attr-defined]
    except ImportError:  # not built (see native/build): the Python detectors run
        return None
    return _core


core = _load_core()


def core_name() -> str:
    """Which built-in detectors run: "compiled" or "python"."""
    return "compiled" if core is not None else "python"


def detect_builtin(text: str) -> list[Span]:
    if core is None:
        return python_detect_builtin(text)
    try:
        found = core.detect_builtin(text, lowered(text))
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form; Python reads it
        return python_detect_builtin(text)
    return [Span(*span) for span in found]
