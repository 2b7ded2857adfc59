"""The PII benchmark's corpus says the truth about itself, and the benchmark reports in shape.

The corpus generator is judged with checks of its own (checksums, the standard library's IP
parser, format rules), not with the detectors, so a detector bug cannot hide a corpus bug."""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import pii as bench  # noqa: E402
import pii_corpus as corpus  # noqa: E402

WORD = re.compile(r"[\w'’-]+\.?")
PARTICLES = {"van", "der", "den", "de", "la", "von", "dos", "da", "di"}


@pytest.fixture(scope="module")
def messages() -> dict[str, list[corpus.Message]]:
    return {d: list(corpus.generate(400, seed=11, density=d)) for d in corpus.DENSITIES}


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _valid(entity: str, value: str) -> bool:
    """An outside check that `value` is a well-formed instance of `entity`."""
    if entity == "EMAIL":
        return re.fullmatch(r"[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", value) is not None
    if entity == "PHONE":
        number = re.sub(r"\s*(x|ext\.?)\s*\d+$", "", value)
        return (re.fullmatch(r"[+(]?[\d().\- ]+", number) is not None
                and 8 <= len(_digits(number)) <= 13)
    if entity == "CREDIT_CARD":
        return (re.fullmatch(r"\d[\d -]+\d", value) is not None
                and 14 <= len(_digits(value)) <= 16 and corpus.luhn_ok(value))
    if entity == "SSN":
        match = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", value)
        return (match is not None and match.group(1) not in ("000", "666")
                and match.group(1) < "900" and match.group(2) != "00"
                and match.group(3) != "0000")
    if entity == "IBAN":
        return corpus.iban_ok(value)
    if entity == "IP_ADDRESS":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if entity == "URL_CREDENTIALS":
        return (re.fullmatch(r"[a-z+]+://\S+", value) is not None
                and re.search(r"://[^/\s]+:[^/\s]+@|[?&](access_token|code|magic_token|token|"
                              r"X-Amz-Signature|sig|key)=|/(magic-link|reset)/", value) is not None)
    if entity == "KEYS":
        return re.fullmatch(r"\S{12,}", value) is not None
    if entity == "DATE_OF_BIRTH":
        years = [int(y) for y in re.findall(r"\b(\d{4})\b", value)]
        return len(years) == 1 and 1938 <= years[0] <= 2006
    if entity == "PERSON":
        words = WORD.findall(value)
        return (not re.search(r"\d", value) and len(words) >= 1
                and all(w[0].isupper() or w in PARTICLES for w in words)
                and any(len(w) > 2 for w in words))
    if entity == "STREET_ADDRESS":
        return re.search(r"\d", value) is not None and len(value) >= 12
    raise AssertionError(entity)


def test_gold_spans_cover_exactly_a_valid_value(messages):
    for sample in (m for batch in messages.values() for m in batch):
        for start, end, entity in sample.spans:
            value = sample.text[start:end]
            assert value == value.strip() and value, (entity, value)
            assert _valid(entity, value), (entity, value, sample.text)


def test_spans_and_negatives_are_ordered_and_apart(messages):
    for sample in (m for batch in messages.values() for m in batch):
        marks = sorted(sample.spans + sample.negatives)
        for (_, end, _), (start, _, _) in zip(marks, marks[1:]):
            assert end <= start, sample.text
        assert all(0 <= s < e <= len(sample.text) for s, e, _ in marks)


def test_hard_negatives_fail_the_checks_a_real_value_passes(messages):
    seen = Counter()
    for sample in (m for batch in messages.values() for m in batch):
        for start, end, kind in sample.negatives:
            value = sample.text[start:end]
            seen[kind] += 1
            assert value == value.strip() and value, (kind, value)
            if kind == "bad_iban":
                assert not corpus.iban_ok(value), value
            elif kind == "non_luhn_number":
                assert not corpus.luhn_ok(value) and len(_digits(value)) == 16, value
            elif kind == "uuid":
                assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                    r"[0-9a-f]{12}", value), value
            elif kind == "other_date":
                assert re.search(r"\b202[345]\b", value), value
            elif kind == "version":
                assert re.fullmatch(r"v?\d+(\.\d+){2,3}", value), value
    assert seen["bad_iban"] and seen["non_luhn_number"] and seen["uuid"]


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = [(m.text, m.spans, m.negatives) for m in corpus.generate(50, seed=4)]
    again = [(m.text, m.spans, m.negatives) for m in corpus.generate(50, seed=4)]
    other = [(m.text, m.spans, m.negatives) for m in corpus.generate(50, seed=5)]
    assert first == again
    assert first != other


def test_every_type_kind_language_and_form_occurs(messages):
    standard = messages["standard"]
    assert set(corpus.ENTITY_TYPES) == {k for m in standard for *_, k in m.spans}
    assert set(corpus.NEGATIVE_KINDS) == {k for m in standard for *_, k in m.negatives}
    assert {m.language for m in standard} == {"en", "de", "fr", "es", "it", "nl"}
    assert {m.form for m in standard} == {"email", "forward", "chat", "note", "form"}
    spans = sum(len(m.spans) for m in standard)
    negatives = sum(len(m.negatives) for m in standard)
    assert 0.6 <= negatives / spans <= 1.5  # about as many hard negatives as entities


def test_density_sets_bytes_per_span(messages):
    def bytes_per_span(batch):
        return sum(len(m.text.encode()) for m in batch) / sum(len(m.spans) for m in batch)

    assert 60 <= bytes_per_span(messages["dense"]) <= 95
    assert 120 <= bytes_per_span(messages["standard"]) <= 320
    assert 800 <= bytes_per_span(messages["sparse"]) <= 1300
    with pytest.raises(ValueError):
        next(corpus.generate(1, seed=0, density="medium"))


def test_structured_formats_vary_like_real_text(messages):
    values: dict[str, list[str]] = {}
    contexts: list[str] = []
    for sample in (m for batch in messages.values() for m in batch):
        for start, end, entity in sample.spans:
            values.setdefault(entity, []).append(sample.text[start:end])
            contexts.append(sample.text[max(0, start - 60):end + 2])
    ssn, phone = values["SSN"], values["PHONE"]
    assert any("-" in v for v in ssn) and any(" " in v for v in ssn)
    assert any(v.isdigit() for v in ssn)
    assert any(re.search(r"(x|ext\.?)\s?\d+$", v) for v in phone)
    assert any(re.fullmatch(r"1-\d{3}-\d{3}-\d{4}", v) for v in phone)
    assert any(v.startswith("+") for v in phone) and any(v.startswith("0") for v in phone)
    cards = values["CREDIT_CARD"]
    assert any(" " in v for v in cards) and any("-" in v for v in cards)
    assert any(v.isdigit() for v in cards)
    assert any(" " in v for v in values["IBAN"]) and any(" " not in v for v in values["IBAN"])
    assert any(":" in v for v in values["IP_ADDRESS"]) and any("." in v for v in values["IP_ADDRESS"])
    assert any(f"[{v}]:443" in c for v in values["IP_ADDRESS"] for c in contexts if v in c)
    keys = values["KEYS"]
    for prefix in ("sk_test_", "sk_live_", "sk-proj-", "ghp_", "xoxb-", "AKIA", "AIza", "hf_",
                   "glpat-", "eyJ"):
        assert any(v.startswith(prefix) for v in keys), prefix
    urls = values["URL_CREDENTIALS"]
    assert any("/oauth/callback?code=" in v and "&state=" in v for v in urls)
    assert any("magic" in v for v in urls) and any("@" in v for v in urls)
    assert any("?" in c and "We have" in c for c in contexts)  # a birth date after the question
    assert any("\n" in v for v in values["STREET_ADDRESS"])
    assert any("\n" not in v for v in values["STREET_ADDRESS"])
    assert any("Box" in v or "Postfach" in v for v in values["STREET_ADDRESS"])


def test_scoring_counts_overlaps_by_type():
    sample = corpus.Message("call Ann Lee on 555 0100 now", [(5, 12, "PERSON"),
                                                            (16, 24, "PHONE")],
                            [(25, 28, "product_or_company")], "note", "en")
    perfect = bench.quality([sample], lambda text: [(5, 12, "PERSON"), (16, 24, "PHONE")])
    assert perfect["types"]["PERSON"] == {"n": 1, "predicted": 1, "precision": 1.0,
                                          "recall": 1.0, "exact": 1.0}
    assert perfect["negatives"]["flagged"] == 0.0
    wrong = bench.quality([sample], lambda text: [(16, 20, "SSN"), (0, 28, "SECRET")])
    assert wrong["types"]["PHONE"]["recall"] == 0.0
    assert wrong["types"]["SSN"]["precision"] == 0.0
    assert wrong["types"]["KEYS"] == {"n": 0, "predicted": 1, "precision": 0.0,
                                      "recall": None, "exact": None}
    assert wrong["negatives"]["by_kind"]["product_or_company"] == {"n": 1, "flagged": 1.0}


def test_benchmark_reports_every_section(capsys):
    code = bench.main(["--messages", "200", "--speed-mb", "0.02", "--repeats", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (1 if report["missed"] else 0)
    assert set(report["corpora"]) == {"standard", "sparse", "dense"}
    assert report["corpora"]["standard"]["messages"] == 200
    for name in ("honing", "naive"):
        result = report["quality"][name]
        assert set(result["types"]) == set(corpus.ENTITY_TYPES)
        for row in result["types"].values():
            assert row["n"] > 0
            assert row["recall"] is not None and 0 <= row["recall"] <= 1
            assert row["precision"] is None or 0 <= row["precision"] <= 1
        assert 0 <= result["negatives"]["flagged"] <= 1
        assert set(result["negatives"]["by_kind"]) <= set(corpus.NEGATIVE_KINDS)
    for density in ("sparse", "dense"):
        for name in ("honing", "naive"):
            speed = report["throughput"][density][name]
            assert speed["cpu_mb_s"] > 0 and speed["wall_mb_s"] > 0
    assert all(isinstance(line, str) for line in report["missed"])
