"""The second PII evaluation corpus: its gold values sit where it claims, checked by rules that
owe nothing to the generator or the detectors (python-stdnum, ipaddress, uuid, urllib)."""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from stdnum import iban, luhn
from stdnum.us import ssn

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "pii_corpus_b.py"
_spec = importlib.util.spec_from_file_location("pii_corpus_b", _PATH)
corpus_b = sys.modules.setdefault("pii_corpus_b", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(corpus_b)

SEED = 11
N = 700


@pytest.fixture(scope="module")
def corpus():
    return list(corpus_b.generate(N, seed=SEED))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _fold(name: str) -> str:
    """Case-folded, with the Turkish dotless i matched to i (ALL-CAPS lines lose the dot)."""
    return name.replace("ı", "i").casefold()


def _name_words() -> set[str]:
    words = set()
    for firsts, lasts, _ in corpus_b.PEOPLE.values():
        for name in firsts + lasts:
            words.update(_fold(name).split())
    return words


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = [(m.text, m.spans, m.negatives) for m in corpus_b.generate(40, seed=5)]
    again = [(m.text, m.spans, m.negatives) for m in corpus_b.generate(40, seed=5)]
    other = [(m.text, m.spans, m.negatives) for m in corpus_b.generate(40, seed=6)]
    assert first == again
    assert first != other


def test_spans_lie_inside_the_text_and_never_overlap(corpus):
    for message in corpus:
        marks = sorted(message.spans + message.negatives)
        for start, end, _ in marks:
            assert 0 <= start < end <= len(message.text)
            assert message.text[start:end] == message.text[start:end].strip()
        for (_, end, a), (start, _, b) in zip(marks, marks[1:]):
            assert end <= start, (a, b, message.text)


def test_every_type_negative_kind_form_and_language_occurs(corpus):
    types = Counter(k for m in corpus for *_, k in m.spans)
    kinds = Counter(k for m in corpus for *_, k in m.negatives)
    assert set(types) == set(corpus_b.ENTITY_TYPES)
    assert set(kinds) == set(corpus_b.NEGATIVE_KINDS)
    assert {m.form for m in corpus} == set(corpus_b.FORMS)
    assert {m.language for m in corpus} == set(corpus_b.LANGUAGES)
    assert min(types.values()) >= 20 and min(kinds.values()) >= 3


def _gold(corpus, entity):
    values = [m.text[s:e] for m in corpus for s, e, k in m.spans if k == entity]
    assert values
    return values


def test_cards_pass_luhn_and_ssns_sit_in_issued_ranges(corpus):
    for value in _gold(corpus, "CREDIT_CARD"):
        assert len(_digits(value)) in (15, 16) and luhn.is_valid(_digits(value)), value
    for value in _gold(corpus, "SSN"):
        assert re.fullmatch(r"\d{3}([- ]?)\d{2}\1\d{4}", value) and ssn.is_valid(_digits(value))


def test_ibans_pass_mod_97_and_their_country_structure(corpus):
    for value in _gold(corpus, "IBAN"):
        assert iban.is_valid(value), value


def test_ip_addresses_are_public_addresses(corpus):
    for value in _gold(corpus, "IP_ADDRESS"):
        assert ipaddress.ip_address(value).is_global, value


def test_emails_phones_and_birth_dates_have_their_shapes(corpus):
    for value in _gold(corpus, "EMAIL"):
        assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}", value, re.I), value
    for value in _gold(corpus, "PHONE"):
        number = re.split(r"\s*(?:ext\.|x)\s*\d+$", value, flags=re.I)[0]
        assert 8 <= len(_digits(number)) <= 13, value
        assert re.fullmatch(r"[+\d(][\d ().\-]+\d", number), value
    for value in _gold(corpus, "DATE_OF_BIRTH"):
        years = [int(y) for y in re.findall(r"\d{4}", value)]
        assert len(years) == 1 and 1941 <= years[0] <= 2006, value


def test_credential_urls_carry_a_password_or_a_token(corpus):
    secret_params = {"code", "token", "api_key", "X-Amz-Signature"}
    for value in _gold(corpus, "URL_CREDENTIALS"):
        parts = urlsplit(value)
        assert parts.scheme and parts.hostname, value
        assert parts.password or secret_params & set(parse_qs(parts.query)), value
    for value in _gold(corpus, "KEYS"):
        assert len(value) >= 8 and not re.search(r"\s", value), value


def test_people_come_from_the_name_lists_and_addresses_hold_a_number(corpus):
    words = _name_words()
    for value in _gold(corpus, "PERSON"):
        assert all(word in words for word in _fold(value).split()), value
    for value in _gold(corpus, "STREET_ADDRESS"):
        assert re.search(r"\d", value), value


def test_hard_negatives_are_what_their_kind_says(corpus):
    checks = {
        "uuid": lambda v: uuid.UUID(v).version == 4,
        "hash": lambda v: re.fullmatch(r"(sha256:)?[0-9a-f]{7,64}", v),
        "version": lambda v: re.fullmatch(r"v?\d+(\.\d+){2,3}", v, re.I),
        "timestamp": lambda v: re.fullmatch(r"[\dTZ:\-]+", v),
        "non_birth_date": lambda v: 2019 <= int(re.findall(r"\d{4}", v)[0]) <= 2025,
        "percentage": lambda v: v.endswith("%"),
        "common_word": lambda v: v.lower() in {"will", "may", "rose", "mark", "bill", "grace",
                                               "june", "hope", "faith", "jack", "frank",
                                               "victoria"},
        "city_alone": lambda v: not re.search(r"\d", v),
        "street_no_number": lambda v: not re.search(r"\d", v),
    }
    seen = Counter()
    for message in corpus:
        for start, end, kind in message.negatives:
            value = message.text[start:end]
            if kind in checks:
                assert checks[kind](value), (kind, value)
                seen[kind] += 1
    assert set(seen) == set(checks)


def test_scoring_gives_a_perfect_detector_full_marks_and_an_empty_one_none(corpus):
    by_text = {m.text: m for m in corpus}
    perfect = corpus_b.score(corpus, lambda text: by_text[text].spans, {})
    empty = corpus_b.score(corpus, lambda text: [], {})
    for entity in corpus_b.ENTITY_TYPES:
        assert perfect["types"][entity]["precision"] == 1.0
        assert perfect["types"][entity]["recall"] == 1.0
        assert empty["types"][entity]["recall"] == 0.0
        assert empty["types"][entity]["precision"] is None
    assert all(row["flagged"] in (0.0, None) for row in perfect["negatives"].values())
    assert not perfect["misses"] and not perfect["false_flags"]


def test_scoring_maps_detector_names_and_counts_a_wrong_type_as_a_false_flag(corpus):
    message = next(m for m in corpus if any(k == "SSN" for *_, k in m.spans))
    start, end, _ = next(s for s in message.spans if s[2] == "SSN")
    aliased = corpus_b.score([message], lambda text: [(start, end, "US_SSN")], {"US_SSN": "SSN"})
    assert aliased["types"]["SSN"]["precision"] == 1.0
    wrong = corpus_b.score([message], lambda text: [(start, end, "PHONE")], {})
    assert wrong["types"]["PHONE"]["precision"] == 0.0
    assert wrong["types"]["SSN"]["recall"] == 0.0
