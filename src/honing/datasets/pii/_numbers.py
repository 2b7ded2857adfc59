"""Detectors for numeric identifiers: phone numbers, payment cards, US SSNs, IBANs, IP
addresses and dates of birth. Each runs one compiled regex to find candidates cheaply and
then validates only the candidates (checksums, ranges, shapes, context)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from honing.datasets.pii._checks import (
    IBAN_LENGTHS,
    card_brand,
    iban_valid,
    luhn_valid,
    ssn_valid,
)
from honing.datasets.pii._span import Span

# One cheap pass finds runs of digits and separators ("clusters"); the phone, card, SSN and
# IPv4 patterns then run only inside clusters long enough to hold one. Starting with a
# character class lets the regex engine skip ordinary prose without trying a match.
_CLUSTER = re.compile(r"[+(\d][\d() .\-]{5,}\d")
# Candidate runs are bounded in length so that a hostile megabyte of digits costs linear time.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+#/.:$€£@-])(?:\+|\(\+?)?\d[\d() .\-]{4,24}\d")
_PHONE_TOKEN = re.compile(r"[^ .\-]+")
_NANP_IN = re.compile(r"(?<![\d(])\(?[2-9]\d\d\)?[ .\-]?\d{3}[ .\-]\d{4}(?![\d])")
_TRUNK_IN = re.compile(r"(?<![\d(])\(?0[1-9]\d{0,3}\)?(?: \d{2,8}| ?-\d{2,8}){1,4}(?![\d])")
_PHONE_WORDS = ("phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "sms", "handy",
                "tél", "portable", "móvil", "cellulare", "numéro", "número", "rufnummer",
                "number", "llám", "appel", "rückruf")
# Words right before a number that make it an identifier, not a phone number.
_NOT_PHONE_WORDS = frozenset({
    "order", "ticket", "case", "invoice", "ref", "reference", "id", "nr", "no", "build",
    "version", "serial", "tracking", "account", "sn", "kb", "inc"})

_CARD_CANDIDATE = re.compile(r"(?<![\w.+-])\d(?:[ \-]?\d){12,22}(?![\w])")
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
_SSN = re.compile(r"(?<![\w.+/-])(\d{3})-(\d{2})-(\d{4})(?![\w]|-\d)")
# Starts with a character class, not \b, so the engine can skip to capital letters.
_IBAN_CANDIDATE = re.compile(
    r"[A-Z][A-Z](?<!\w[A-Z][A-Z])\d\d(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_IPV4_CANDIDATE = re.compile(r"(?<![\w.:-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_CANDIDATE = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{3,39}(?![\w:]|\.\d)")
_VERSION_CONTEXT = re.compile(r"(?i)\b(?:v|version|ver\.?|build|release|firmware|fw|rev\.?)\s*$")

_MONTHS = (
    r"jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|février|m(?:ar(?:ch|s)?|ärz)|apr(?:il)?|avril|"
    r"ma[yi]|jun[ei]?|juin|jul[iy]?|juillet|aug(?:ust)?|août|sep(?:t(?:ember|embre)?)?|"
    r"o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|d[eé][cz](?:ember|embre)?|enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre")
_DATE = (
    rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})(?!\d)|"
    rf"\d{{1,2}}(?:\.|er)?\s(?:de\s)?(?:{_MONTHS})\.?\s(?:de\s)?\d{{4}}|"
    rf"(?:{_MONTHS})\.?\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}")
_DOB = re.compile(
    r"(?i)(?:\bd\.?o\.?b\b\.?|date of birth|birth ?date|\bborn(?: on)?|geboren(?: am)?|"
    r"geburtsdatum|\bnée? le|date de naissance|fecha de nacimiento|nacid[oa] el|"
    r"data di nascita|\bnat[oa] il)[\s:,\-]{0,4}(?:(?:is|was|am|le|el|il|on)\s)?"
    rf"(?P<date>{_DATE})")
_DOB_WORDS = ("dob", "d.o.b", "birth", "born", "geboren", "né", "naissance", "naci",
              "nascita", "nato il", "nata il")


Cluster = tuple[int, int, int, str]  # start, end, digit count, the run itself


def clusters(text: str) -> list[Cluster]:
    found = []
    for match in _CLUSTER.finditer(text):
        run = match.group()
        digits = len(run) - run.count(" ") - run.count("-") - run.count(".") \
            - run.count("(") - run.count(")") - run.count("+")
        found.append((match.start(), match.end(), digits, run))
    return found


def numbers_in_clusters(text: str, found: list[Cluster]) -> list[Span]:
    """Phone numbers, cards, SSNs and IPv4 addresses inside the clusters of `text`."""
    spans: list[Span] = []
    for start, end, digits, run in found:
        if digits >= 7:
            spans.extend(_phones_in(text, start, end))
            if digits >= 13:
                spans.extend(_cards_in(text, start, end))
            if digits >= 9 and "-" in run:
                spans.extend(_ssns_in(text, start, end))
        if run.count(".") >= 3:
            spans.extend(_ipv4_in(text, start, end))
    return spans


def _inside(pattern: re.Pattern[str], text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    # end + 1 so the pattern's look-ahead still sees the character after the cluster
    return pattern.finditer(text, max(0, start - 2), min(len(text), end + 1))


def _phones_in(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _inside(_PHONE_CANDIDATE, text, start, end):
        found = _best_phone(text, match.start(), match.group())
        if found is not None:
            yield found


def _best_phone(text: str, base: int, candidate: str) -> Span | None:
    # The candidate may run into a following number ("415-555-0132 2 times"), so national
    # shapes are matched at its start, not against all of it. Matching inside it would turn
    # the tail of a 16-digit reference ("4432 0873 6449 7543") into a phone number.
    if candidate.startswith(("+", "(+", "00")):
        return _international(base, candidate)
    before = text[max(0, base - 32):base]
    for shape, score in ((_NANP_IN, 0.85), (_TRUNK_IN, 0.8)):
        match = shape.match(candidate)
        if match is None:
            continue
        digits = _digit_count(match.group())
        if score == 0.8 and (not 9 <= digits <= 12 or _SSN_SHAPE.fullmatch(match.group())):
            continue  # AAA-GG-SSSS is an SSN's shape, valid or not, never a phone number
        if _identifier_before(before + candidate[:match.start()]):
            return None
        return Span(base + match.start(), base + match.end(), "PHONE", score)
    digits = _digit_count(candidate)
    if 9 <= digits <= 15 and not _looks_like_date(candidate) and not _identifier_before(before):
        tail = before[-24:].lower()
        if any(word in tail for word in _PHONE_WORDS) and not any(c.isdigit() for c in tail):
            return Span(base, base + len(candidate), "PHONE", 0.7)
    return None


def _identifier_before(before: str) -> bool:
    if before.rstrip(" ").endswith("#"):
        return True
    words = before[-16:].lower().rstrip(" :#.-\t(").split()
    return bool(words) and words[-1].lstrip("(") in _NOT_PHONE_WORDS


def _international(base: int, candidate: str) -> Span | None:
    """+CC or 00CC numbers: at most 15 digits (E.164), so trailing groups past that belong
    to something else."""
    tokens = [(m.start(), m.end(), _digit_count(m.group()))
              for m in _PHONE_TOKEN.finditer(candidate)]
    prefix = 2 if candidate.startswith("00") else 0
    if prefix and tokens[0][1] > 5:  # 00 + a country code of 1-3 digits, then a separator
        return None
    digits = sum(t[2] for t in tokens) - prefix
    while tokens and digits > 15:
        digits -= tokens.pop()[2]
    if not tokens or digits < 8 or candidate.count("(") != candidate.count(")"):
        return None
    return Span(base, base + tokens[-1][1], "PHONE", 0.9)


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _looks_like_date(value: str) -> bool:
    parts = re.split(r"[ .\-]", value)
    return len(parts) == 3 and any(len(p) == 4 and p[:2] in ("19", "20") for p in parts)


def _cards_in(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _inside(_CARD_CANDIDATE, text, start, end):
        value = match.group()
        groups = re.split(r"[ \-]", value)
        # Separators must be consistent and group sizes card-like (4-4-4-4, 4-6-5, ...).
        if len(groups) > 1 and (len(set(re.findall(r"[ \-]", value))) > 1
                                or not all(3 <= len(g) <= 6 for g in groups[:-1])):
            continue
        # Longest whole-group prefix that is a valid card ("4111 1111 1111 1111 2024").
        for size in range(len(groups), 0, -1):
            digits = "".join(groups[:size])
            if len(digits) < 13:
                break
            if len(digits) <= 19 and luhn_valid(digits) and card_brand(digits):
                end = match.start() + len(" ".join(groups[:size]))
                yield Span(match.start(), end, "CREDIT_CARD", 0.95)
                break


def _ssns_in(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _inside(_SSN, text, start, end):
        if ssn_valid(*match.groups()):
            yield Span(match.start(), match.end(), "SSN", 0.9)


def _ipv4_in(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _inside(_IPV4_CANDIDATE, text, start, end):
        if _VERSION_CONTEXT.search(text[max(0, match.start() - 12):match.start()]):
            continue
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue
        yield Span(match.start(), match.end(), "IP_ADDRESS", 0.85)


def detect_ibans(text: str) -> Iterator[Span]:
    for match in _IBAN_CANDIDATE.finditer(text):
        value = match.group()
        expected = IBAN_LENGTHS.get(value[:2])
        if expected is None:
            continue
        # Cut at the country's length: a following capitalised word may have been swallowed.
        count, end = 0, 0
        for end, char in enumerate(value, start=1):  # noqa: B007 (end is used after the loop)
            if char != " ":
                count += 1
                if count == expected:
                    break
        compact = value[:end].replace(" ", "")
        if len(compact) == expected and iban_valid(compact):
            yield Span(match.start(), match.start() + end, "IBAN", 0.95)


def detect_ipv6(text: str) -> Iterator[Span]:
    for match in _IPV6_CANDIDATE.finditer(text):
        value = match.group()
        if value == "::" or not any(c.isdigit() for c in value):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        yield Span(match.start(), match.end(), "IP_ADDRESS", 0.85)


def detect_dates_of_birth(text: str, low: str | None = None) -> Iterator[Span]:
    for start, end in keyword_windows(text, _DOB_WORDS, before=20, after=60, low=low):
        for match in _DOB.finditer(text, start, end):
            yield Span(match.start("date"), match.end("date"), "DATE_OF_BIRTH", 0.9)


def lowered(text: str) -> str:
    """text.lower() with the same length, so offsets found in it are offsets in `text` (a
    few characters, such as 'İ', grow when lower-cased and are left as they are)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def keyword_windows(text: str, words: tuple[str, ...], *, before: int, after: int,
                    low: str | None = None) -> list[tuple[int, int]]:
    """Merged (start, end) windows around each case-insensitive occurrence of `words`, so a
    contextual pattern runs over a few dozen characters instead of the whole text. Finding a
    word is a substring search in C, far cheaper than a case-insensitive regex pass."""
    low = lowered(text) if low is None else low
    hits = []
    for word in words:
        position = low.find(word)
        while position != -1:
            hits.append(position)
            position = low.find(word, position + 1)
    windows: list[tuple[int, int]] = []
    for position in sorted(hits):
        start, end = max(0, position - before), min(len(text), position + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows
