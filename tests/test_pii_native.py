"""The compiled PII detectors (`_core`, native/pii) as `detect` uses them: built in CI, the
same spans as the Python detectors after overlaps are resolved, with and without an entity
filter, and the same overlap rule. Each group of detectors is compared on its own in
tests/test_pii_native_<group>.py."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from honing.datasets.pii import _builtin, detect
from honing.datasets.pii._builtin import python_detect_builtin
from honing.datasets.pii._numbers import lowered
from honing.datasets.pii._span import Span, resolve_overlaps
from pii_native_texts import as_tuples, assert_same, texts


@pytest.fixture(scope="module")
def core():
    if _builtin.core is None:
        if os.environ.get("CI"):
            pytest.fail("the compiled PII detectors are not built: scripts/test runs native/build")
        pytest.skip("the compiled PII detectors are not built (bash native/build)")
    return _builtin.core


def test_the_compiled_detectors_run_by_default(core) -> None:
    assert _builtin.core_name() == "compiled"
    spans = detect("Call Dana Whitfield on +44 20 7946 0958 or dana@example.org")
    assert {s.entity for s in spans} >= {"PHONE", "EMAIL"}
    assert all(isinstance(s, Span) for s in spans)


def test_detect_finds_what_the_python_detectors_find(core) -> None:
    compared = assert_same(lambda text, low: resolve_overlaps(python_detect_builtin(text)),
                           lambda text, low: core.detect(text, low, None))
    assert compared > 10_000


def test_an_entity_filter_applies_before_overlaps_are_resolved(core) -> None:
    wanted = ["PERSON", "PHONE", "SSN"]
    compared = assert_same(
        lambda text, low: resolve_overlaps([s for s in python_detect_builtin(text)
                                            if s.entity in wanted]),
        lambda text, low: core.detect(text, low, wanted), texts()[::3])
    assert compared > 1_000


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12),
                           st.sampled_from(["EMAIL", "PERSON", "PHONE", "URL_CREDENTIALS"]),
                           st.sampled_from([0.5, 0.7, 0.85, 0.9, 0.95, 1.0])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(spans)
def test_overlaps_are_resolved_by_the_same_rule(core, drawn) -> None:
    candidates = [Span(start, start + length, entity, score)
                  for start, length, entity, score in drawn]
    want = as_tuples(resolve_overlaps(candidates))
    got = as_tuples(core.resolve_overlaps([(s.start, s.end, s.entity, s.score)
                                           for s in candidates]))
    assert got == want


def test_the_unicode_tables_are_this_pythons() -> None:
    """The compiled detectors read Python's str predicates from generated tables; they must
    be this interpreter's (regenerate: .venv/bin/python native/pii/pyunicode.py)."""
    generator = Path(__file__).resolve().parent.parent / "native" / "pii" / "pyunicode.py"
    spec = importlib.util.spec_from_file_location("pyunicode", generator)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The first line names the Python version; the tables are what must agree.
    assert module.render().split("\n", 1)[1] == module.TARGET.read_text().split("\n", 1)[1]


def test_honing_pii_core_python_runs_the_python_detectors() -> None:
    code = ("from honing.datasets.pii import _builtin; print(_builtin.core_name())")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "HONING_PII_CORE": "python"}, check=True)
    assert run.stdout.strip() == "python"


def test_a_text_with_a_lone_surrogate_is_read_by_the_python_detectors(core) -> None:
    text = "SSN 123-45-6789 \ud800 call +1 415 555 0134"
    assert as_tuples(detect(text)) == as_tuples(resolve_overlaps(python_detect_builtin(text)))
    assert {s.entity for s in detect(text)} >= {"SSN", "PHONE"}


# Pieces that trigger every detector, joined with arbitrary text between them, so the
# compiled detectors meet odd neighbours, odd Unicode and odd offsets.
PIECES = ["Dear Mr. O'Neil,", "Best regards,\n", "My name is Ana María López.", " 221b Baker Street",
          ", London NW1 6XE", "calle Mayor 5, 3º b", "PO Box 123", "ssn 123-45-6789",
          "123 45 6789", "+44 20 7946 0958", "(0)30 1234-5678 x12", "4111 1111 1111 1111",
          "DE89 3704 0044 0532 0130 00", "10.0.0.1", "fe80::1:2", "v1.2.3.4", "a@b.co",
          "https://u:p@h.io/x?code=abc123&state=xyz", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
          "eyJhbGciOiJIUzI1NiJ9.e30.x", "password: hunter2!Xy", "dob 1984-02-29",
          "born on 3 March 1961", "name=\"Jo Bo\"", "first,last,email\nAna,Ruiz,a@r.es",
          "İstanbul", "ß", "ǅ", "\u0301", "²", "½", "\x1c", "\u2028", "\r\n", "\t", "〒100-0001"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=14))
def test_any_text_gives_the_same_spans_and_never_fails(core, parts) -> None:
    text = "".join(parts)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return  # read by the Python detectors (test above)
    want = as_tuples(resolve_overlaps(python_detect_builtin(text)))
    assert as_tuples(core.detect(text, lowered(text), None)) == want
