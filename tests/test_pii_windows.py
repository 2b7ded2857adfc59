"""Detectors that try their patterns only where a match can start (around each '@', '://',
pair of nearby colons, SID word, or inside digit clusters) must find exactly what one pass
of the same pattern over the whole text finds. Each reference below is that plain pass; the
texts are random mixes of the characters and fragments the patterns care about."""

from __future__ import annotations

import random
import time

import pytest

from honing.datasets.pii import _numbers, _secrets
from honing.datasets.pii._checks import card_brand, luhn_valid
from honing.datasets.pii._dates import MARKERS, birth_windows
from honing.datasets.pii._numbers import (
    clusters,
    keyword_windows,
    lowered,
    numbers_in_clusters,
)
from honing.datasets.pii._span import Span

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)

    def pick(chars: str, low: int, high: int) -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(low, high)))

    def number() -> str:
        groups = [pick("0123456789", 1, 5) for _ in range(rng.randint(1, 6))]
        return rng.choice([" ", "-", ".", "", "  ", "\t", "("]).join(groups)

    def card(prefix: str, length: int) -> str:
        digits = prefix + pick("0123456789", length - len(prefix) - 1, length - len(prefix) - 1)
        check = next(d for d in "0123456789" if luhn_valid(digits + d))
        value = digits + check
        separator = rng.choice([" ", "-", "", "  "])
        return separator.join(value[i:i + 4] for i in range(0, len(value), 4))

    pieces = [
        lambda: pick("ab1Z.:/@-_%+? =&#x", 1, 40),
        lambda: pick("aA1:.", 3, 30),
        lambda: rng.choice(["http", "https", "mongodb+srv", "x", "a.b-c", "abcdefghijklmnopq"])
        + "://" + pick("ab1Z.:/@-_%+?=&#", 0, 40),
        lambda: "https://" + pick(ALNUM, 4, 9) + ".com/"
        + rng.choice(["?token=", "reset/", "?code=", "?state="]) + pick(ALNUM, 10, 30),
        lambda: pick(ALNUM + "._%+-", 1, 70) + "@" + pick(ALNUM + "-.", 1, 20) + "."
        + pick("abcdefghijklmnopqrstuvwxyz", 1, 4),
        lambda: rng.choice([":", "::"]).join(pick(HEX + "ABCDEF", 0, 4)
                                             for _ in range(rng.randint(2, 9)))
        + rng.choice(["", ":", "::", ".", ".5", ":x"]),
        lambda: rng.choice(["AC", "SK", "xAC", "-SK"]) + pick(HEX, 31, 33),
        lambda: rng.choice(["Twilio SID ", "account_sid=", "sid: ", "the sid is "])
        + rng.choice(["AC", "SK"]) + pick(HEX, 32, 32),
        lambda: rng.choice(["SSN ", "ssn: ", "social security number ", "my ss# is "])
        + rng.choice(["-", " ", ""]).join([pick("0123456789", 3, 3), pick("0123456789", 2, 2),
                                           pick("0123456789", 4, 4)]),
        lambda: card(rng.choice(["4", "51", "37", "6011", "3528"]), rng.choice([15, 16])),
        lambda: rng.choice(["twilio", "Twilio SID", "account_sid", "auth_token", " sid", "SSN",
                            "ssn", "social security", "Social", "ss#", "call me at", "order",
                            "version", "server", "card", "@", "::", ":", "\n", ". ", "-"]),
        number, number, number,
        lambda: ".".join(str(rng.randint(0, 300)) for _ in range(rng.randint(3, 5))),
        lambda: pick("abcdefghij klmnopqrstuvwxyz", 1, 40),
    ]
    texts = []
    for _ in range(count):
        text = "".join(rng.choice(pieces)() + rng.choice(["", " ", " ", "\n", ": ", "="])
                       for _ in range(rng.randint(1, 25)))
        texts.append(text.upper() if rng.random() < 0.2 else text)
    return texts


TEXTS = _texts(17, 2500)


def _marker_windows(text: str, marker: str, before: int, after: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    position = text.find(marker)
    while position != -1:
        start, end = max(0, position - before), min(len(text), position + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
        position = text.find(marker, position + 1)
    return windows


def reference_emails(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL", 0.95)
            for start, end in _marker_windows(text, "@", 64, 256)
            for m in _secrets._EMAIL.finditer(text, start, end)]


def reference_urls(text: str) -> list[Span]:
    found = []
    for start, end in _marker_windows(text, "://", 20, 4096):
        for match in _secrets._URL.finditer(text, start, end):
            url = match.group().rstrip(".,;:!?)]}'\"")
            if _secrets._carries_credentials(url):
                found.append(Span(match.start(), match.start() + len(url), "URL_CREDENTIALS",
                                  0.97))
    return found


def reference_ipv6(text: str) -> list[Span]:
    # one pass of the candidate pattern over the whole text, the same check on each match
    found = (_numbers.ipv6_span(m) for m in _numbers._IPV6_CANDIDATE.finditer(text))
    return [span for span in found if span is not None]


def reference_twilio(text: str) -> list[Span]:
    low = text.lower()
    if not ("twilio" in low or " sid" in low):
        return []
    return [Span(m.start(), m.end(), "API_KEY", 0.9) for m in _secrets._TWILIO.finditer(text)
            if any(w in low[max(0, m.start() - 60):m.start()] for w in _secrets._TWILIO_WORDS)]


def reference_cards(text: str) -> list[Span]:
    found = []
    for start, end, _, _ in clusters(text):
        for match in _numbers._CARD_CANDIDATE.finditer(text, max(0, start - 2),
                                                        min(len(text), end + 1)):
            value = match.group()
            groups = list(_numbers._CARD_GROUP.finditer(value))
            if len(groups) > 1 and (
                    len({"-" if "-" in value[a.end():b.start()] else " "
                         for a, b in zip(groups, groups[1:])}) > 1
                    or not all(3 <= len(g.group()) <= 6 for g in groups[:-1])):
                continue
            for size in range(len(groups), 0, -1):
                digits = "".join(g.group() for g in groups[:size])
                if len(digits) < 13:
                    break
                if len(digits) <= 19 and luhn_valid(digits) and card_brand(digits):
                    found.append(Span(match.start(), match.start() + groups[size - 1].end(),
                                      "CREDIT_CARD", 0.95))
                    break
    return found


def reference_ssns(text: str) -> list[Span]:
    # dashed SSNs in every long enough cluster with a dash, loose ones in every cluster
    low = lowered(text)
    found = []
    for start, end, digits, run in clusters(text):
        if digits >= 9:
            window = max(0, start - 2), min(len(text), end + 1)
            if "-" in run:
                _numbers._ssns_in(text, *window, found.append)
            _numbers._loose_ssns_in(text, low, *window, found.append)
    return found


def _of(spans: list[Span], entity: str, score: float | None = None) -> list[Span]:
    return sorted(s for s in spans if s.entity == entity and (score is None or s.score == score))


@pytest.mark.parametrize("text", TEXTS[:3] + ["a@b.com@c.org", "x" * 70 + "@example.com",
                                              "mailto:a..b@x.io, c@d.e.fr", "@" * 50])
def test_emails_examples(text):
    assert list(_secrets.detect_emails(text)) == reference_emails(text)


def test_windowed_detectors_find_what_one_pass_finds():
    checked = {"email": 0, "url": 0, "ipv6": 0, "twilio": 0, "card": 0, "ssn": 0}
    for text in TEXTS:
        emails = list(_secrets.detect_emails(text))
        assert emails == reference_emails(text), text
        urls = list(_secrets.detect_credential_urls(text))
        assert urls == reference_urls(text), text
        ipv6 = list(_numbers.detect_ipv6(text))
        assert ipv6 == reference_ipv6(text), text
        twilio = _of(list(_secrets.detect_api_keys(text, lowered(text))), "API_KEY", 0.9)
        assert twilio == sorted(reference_twilio(text)), text
        numbers = numbers_in_clusters(text, lowered(text), clusters(text))
        assert _of(numbers, "CREDIT_CARD") == sorted(reference_cards(text)), text
        assert _of(numbers, "SSN") == sorted(reference_ssns(text)), text
        for name, found in (("email", emails), ("url", urls), ("twilio", twilio),
                            ("card", _of(numbers, "CREDIT_CARD")), ("ssn", _of(numbers, "SSN")),
                            ("ipv6", ipv6)):
            checked[name] += bool(found)
    # the random texts must exercise every detector, or the comparison proves little
    assert all(count >= 20 for count in checked.values()), checked


def test_hostile_marker_runs_stay_linear():
    for text in ("@" * 300_000, "a@" * 150_000, "://" * 100_000, "a://" * 80_000,
                 ":" * 300_000, "AC sid " * 50_000):
        start = time.process_time()
        list(_secrets.detect_emails(text))
        list(_secrets.detect_credential_urls(text))
        list(_numbers.detect_ipv6(text))
        list(_secrets.detect_api_keys(text, text.lower()))
        assert time.process_time() - start < 10, text[:10]


def test_every_ssn_word_holds_a_marker_the_cluster_gate_looks_for():
    # numbers_in_clusters looks for loose SSNs only near these substrings; a word added to
    # the SSN words without one would never be looked for
    alternatives = _numbers._SSN_WORDS.pattern.split("|")
    assert len(alternatives) >= 4
    for alternative in alternatives:
        assert any(marker in alternative for marker in _numbers._SSN_MARKERS), alternative
    assert "(?:AC|SK)" in _secrets._TWILIO.pattern  # the gate on 'AC' or 'SK' before SIDs


def test_birth_windows_are_the_windows_around_every_birth_marker():
    # birth_windows finds the markers with one pattern per first letter; texts made of
    # markers run together ("doborn", "nanato", "d.o.dob") and random letters around them
    # must give the windows that a search for each marker gives
    rng = random.Random(17)
    markers = list(MARKERS) + ["d.o.", "na", "ge", "bi", "bor", "syn", "Né", "FØD"]
    fillers = ["", " ", "x", "d", "n", "b", "g", "a", ". ", "\n", "é", "é born "]
    checked = 0
    for _ in range(3000):
        text = "".join(rng.choice(markers) + rng.choice(fillers)
                       for _ in range(rng.randint(1, 12)))
        text = text.upper() if rng.random() < 0.2 else text
        low = lowered(text)
        expected = keyword_windows(text, MARKERS, before=24, after=40, low=low)
        assert birth_windows(low) == expected, text
        checked += bool(expected)
    assert checked > 2000


def test_the_key_marker_gate_is_true_wherever_a_key_pattern_matches():
    # detect_api_keys runs the key pattern only when has_key_marker finds a prefix, so the
    # gate must hold wherever the pattern matches: texts built from the prefixes, near misses
    # and runs of key characters, long enough for every alternative
    rng = random.Random(29)
    # written out here, not taken from KEY_MARKERS, so that a prefix missing there shows
    fragments = [
        "sk-", "sk-proj-", "sk-ant-api03-", "sk_live_", "sk_test_", "pk_live_", "rk_test_",
        "AKIA", "ASIA", "AIza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxb-",
        "xoxp-", "xapp-", "whsec_", "SG.", "hf_", "glpat-", "npm_", "shpat_", "shpss_", "eyJ",
        "eyJhbGciOiJIUzI1NiJ9.", "sk", "k_live_", "sk_prod_", "gh", "ghx_", "xoxz-", "xapp",
        "SG", "AKI", "shpxx_", "github_pat", "glpat", "-", "_", "."]
    alphabets = [ALNUM, ALNUM + "_-", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", HEX]
    matched = 0
    for _ in range(4000):
        text = "".join(rng.choice(fragments) + "".join(
            rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
            for alphabet in [rng.choice(alphabets)] for _ in range(rng.randint(1, 4)))
        if _secrets._KEY.search(text) is not None:
            matched += 1
            assert _secrets.has_key_marker(text), text
    assert matched > 1000
