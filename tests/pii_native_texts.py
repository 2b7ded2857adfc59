"""Texts on which the compiled PII detectors (`honing.datasets.pii._core`) are compared with
the Python ones, and the comparison. The Python detectors are the reference: a compiled
detector must report the same spans, offsets, types and scores on every text.

The texts come from three generators written apart from the detectors (the benchmark's
corpora A and B, and the detectors' own corpus) in every density, and from variants of them
that move offsets and case: upper-cased, blanks doubled, CRLF line ends, and non-ASCII text
in front (so code-point and byte offsets differ)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import pii_corpus  # noqa: E402
import pii_corpus_b  # noqa: E402

from honing.datasets.pii import _corpus  # noqa: E402
from honing.datasets.pii._numbers import lowered  # noqa: E402

# Enough to meet every kind of text each generator makes; NATIVE_TEXTS=N raises it.
_EACH = int(os.environ.get("NATIVE_TEXTS", "400"))


@cache
def base_texts() -> tuple[str, ...]:
    texts: list[str] = []
    for density in ("standard", "sparse", "dense"):
        texts += [m.text for m in pii_corpus.generate(_EACH, seed=11, density=density)]
    texts += [m.text for m in pii_corpus_b.generate(_EACH, seed=12)]
    texts += [t.text for t in _corpus.generate(_EACH, seed=13)]
    return tuple(texts)


def variants(text: str) -> list[str]:
    return [text, text.upper(), text.replace(" ", "  "), text.replace("\n", "\r\n"),
            "Grüße aus Köln — Ἀθῆναι, İstanbul: " + text, text.lower()]


@cache
def texts() -> tuple[str, ...]:
    """Every base text and, for every fourth one, its variants."""
    out: list[str] = []
    for index, text in enumerate(base_texts()):
        out += variants(text) if index % 4 == 0 else [text]
    return tuple(out)


Spans = list[tuple[int, int, str, float]]


def as_tuples(spans: Iterable) -> Spans:
    """Python Span objects or the compiled detectors' tuples, sorted, scores to 1e-9."""
    rows = []
    for span in spans:
        if isinstance(span, tuple):
            start, end, entity, score = span
        else:
            start, end, entity, score = span.start, span.end, span.entity, span.score
        rows.append((start, end, entity, round(score, 9)))
    return sorted(rows)


def assert_same(python: Callable[[str, str], Iterable], native: Callable[[str, str], Iterable],
                corpus: Iterable[str] | None = None) -> int:
    """Compare python(text, low) with native(text, low) on every text; the first difference
    fails with the text's neighbourhood of the first differing span. Returns how many spans
    were compared."""
    compared = 0
    for text in corpus if corpus is not None else texts():
        low = lowered(text)
        want, got = as_tuples(python(text, low)), as_tuples(native(text, low))
        if want != got:
            missing = [s for s in want if s not in got]
            extra = [s for s in got if s not in want]
            first = (missing or extra)[0]
            context = text[max(0, first[0] - 60):first[1] + 60]
            raise AssertionError(
                f"compiled and Python detectors differ on a text of {len(text)} characters:\n"
                f"  only Python: {missing[:5]}\n  only compiled: {extra[:5]}\n"
                f"  around the first: {context!r}")
        compared += len(want)
    return compared


def compiled():  # type: ignore[no-untyped-def]
    """The compiled detectors (`_core`). Not built: an error in CI, a skip elsewhere."""
    import pytest

    try:
        from honing.datasets.pii import _core
    except ImportError:
        if os.environ.get("CI"):
            raise RuntimeError("the compiled PII detectors are not built: scripts/test runs "
                               "native/build") from None
        pytest.skip("the compiled PII detectors are not built (bash native/build)",
                    allow_module_level=True)
    return _core
