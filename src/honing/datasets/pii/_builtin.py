"""The built-in detectors run as one pass per text: the lower-cased text and the digit
clusters are computed once and shared, and markers ('@', '://', key prefixes, birth words)
decide which detectors run at all. On short texts the cost of calling ten detectors
separately is larger than the detection itself."""

from __future__ import annotations

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


def detect_builtin(text: str) -> list[Span]:
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
