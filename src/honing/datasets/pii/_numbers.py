"""Detectors for numeric identifiers: payment cards, US SSNs, IBANs and IP addresses, and
the digit clusters that phone numbers are found in (see `_phones`). Each runs one compiled
regex to find candidates cheaply and then validates only the candidates (checksums, ranges,
shapes, context)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

from honing.datasets.pii._checks import (
    IBAN_LENGTHS,
    card_brand,
    iban_valid,
    luhn_valid,
    ssn_valid,
)
from honing.datasets.pii._phones import (
    IBAN_PREFIX,
    PHONE_CANDIDATE,
    best_phone,
    document_number,
)
from honing.datasets.pii._span import Span

# One cheap pass finds runs of digits and separators ("clusters"); the phone, card, SSN and
# IPv4 patterns then run only inside clusters long enough to hold one. Starting with a
# character class lets the regex engine skip ordinary prose without trying a match.
# ASCII digits only: a class of ten code points is scanned faster than the Unicode category,
# and the checksums below are defined over ASCII digits anyway.
_CLUSTER = re.compile(r"[+(0-9][0-9() \t.\-]{5,}[0-9]")
_CARD_CANDIDATE = re.compile(r"(?<![\w.+-])\d(?:(?:[ \t]{1,3}|-)?\d){12,22}(?![\w])")
_CARD_GROUP = re.compile(r"\d+")
_SSN = re.compile(r"(?<![\w.+/-])(\d{3})-(\d{2})-(\d{4})(?![\w]|-\d)")
# Nine digits, bare or spaced 3-2-4, are an SSN only after an SSN word ("SSN? The full one
# is 123456789"): alone they are as likely an order or account number.
_SSN_LOOSE = re.compile(
    r"(?<![\w.+/#-])(\d{3})(?:[ \t]{1,3})?(\d{2})(?:[ \t]{1,3})?(\d{4})(?![\w]|[-.]\d)")
_SSN_WORDS = re.compile(r"\bssn\b|\bss#|social[ \t]{1,3}security|\bsocial\b|\bsozialvers")
_SSN_CONTEXT = 80  # characters before the number: the sentence before counts too
_SSN_AFTER = 50  # characters after the number, within its sentence
# What may stand between an SSN word and its number: "Social Security no. 123 45 6789".
_SSN_CONNECTORS = frozenset({"no", "nr", "number", "num", "#", "is", "was", "of", "on", "file",
                             "card", "(ssn)", "ssn", "-", "="})
# Starts with a character class, not \b, so the engine can skip to capital letters.
_IBAN_CANDIDATE = re.compile(
    r"[A-Z][A-Z](?<!\w[A-Z][A-Z])\d\d(?:[ \t]{0,3}[A-Z0-9]{4}){2,7}(?:[ \t]{0,3}[A-Z0-9]{1,3})?\b")
_IPV4_CANDIDATE = re.compile(r"(?<![\w.:-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_CANDIDATE = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{3,39}(?![\w]|\.\d)")
# A dotted number after a version word is a version, unless an address word is near too
# ("upgraded the server at 10.2.0.1" is an address; "upgraded to 10.2.0.1" is not).
# Version words in en, de, nl, fr, es, it, pt ("versie", "versión", "Aktualisierung"), and
# the names of what carries a version ("app", "client").
_VERSION_WORDS = re.compile(
    r"\bv\b|\bvers(?:ion|ie|ión|ione|ão)|\bver\b|\bbuild|\brelease|\bfirmware|\bfw\b|\brev\b"
    r"|\bsdk\b|\bupdat|\bupgrad|\bpatch|\binstall|\bdowngrad|\bchangelog|\bapps?\b"
    r"|\baplicaci[oó]n\b|\bapplicazione\b|\baplicativo|\bclient\b|\baktualisier|\bmise à jour"
    r"|\bactualiza|\baggiorna|\batualiza|\bbijgewerkt")
_IP_WORDS = re.compile(
    r"\bip\b|\bipv4\b|address|adresse|direcci|\baddr\b|\bhost|\bserver|\bgateway|\bdns\b|\bproxy|\bsubnet"
    r"|\bping|\bssh\b|\bconnect|\brouter|\bfirewall|login[ \t]{1,3}from|\bnslookup|\bvpn\b"
    r"|allowlist|whitelist|blocklist|blacklist|\bblock|\bbanned")
_CONTEXT = 40


Cluster = tuple[int, int, int, str]  # start, end, digit count, the run itself

# Every word _SSN_WORDS can match contains one of these, so a text without any of them
# cannot hold a loose SSN and its clusters skip that pattern (keep the two in step).
_SSN_MARKERS = ("ssn", "ss#", "social", "sozialvers")
# All four in one pattern: they share the first letter, so the engine skips ahead to each 's'
# as fast as one substring search, where four searches crossed the text four times.
_SSN_MARKER = re.compile("|".join(map(re.escape, _SSN_MARKERS)))


def clusters(text: str) -> list[Cluster]:
    # ASCII digits only in a cluster: deleting them (in C) counts them
    return [(match.start(), match.end(), len(run) - len(run.translate(_NOT_DIGITS)), run)
            for match in _CLUSTER.finditer(text) for run in (match.group(),)]


_NOT_DIGITS = str.maketrans("", "", "0123456789")


def numbers_in_clusters(text: str, low: str, found: list[Cluster]) -> list[Span]:
    """Phone numbers, cards, SSNs and IPv4 addresses inside the clusters of `text`; `low` is
    the lower-cased text, for context words."""
    spans: list[Span] = []
    append = spans.append
    ssn_marker = _SSN_MARKER.search
    ssn_words = ssn_marker(low) is not None
    size = len(text)
    phone_candidates = PHONE_CANDIDATE.finditer
    # On dense text a cluster costs a few microseconds, and a generator per pattern was a
    # third of that: every pass appends to one list instead, and the phone pass is inlined.
    for start, end, digits, run in found:
        if digits >= 7:
            # the window starts 2 before the cluster ("(+44 ..." clusters from the '+') and
            # ends 1 after it, so look-arounds see the neighbours
            window_start = start - 2 if start > 1 else 0
            window_end = end + 1 if end < size else size
            for match in phone_candidates(text, window_start, window_end):
                span = best_phone(text, low, match.start(), match.group())
                if span is not None:
                    append(span)
            if digits >= 9:
                if digits >= 13:
                    _cards_in(text, window_start, window_end, append)
                if "-" in run:
                    _ssns_in(text, window_start, window_end, append)
                if ssn_words:
                    # the SSN word must stand in the 80 characters before the number or
                    # in the 50 after it (see _ssn_context)
                    if ssn_marker(low, max(0, start - _SSN_CONTEXT - 2),
                                  end + _SSN_AFTER + 1) is not None:
                        _loose_ssns_in(text, low, window_start, window_end, append)
        if run.count(".") >= 3:
            _ipv4_in(text, low, start - 2 if start > 1 else 0, end + 1 if end < size else size,
                     append)
    return spans


def _cards_in(text: str, window_start: int, window_end: int,
              append: Callable[[Span], None]) -> None:
    for match in _CARD_CANDIDATE.finditer(text, window_start, window_end):
        value = match.group()
        groups = _CARD_GROUP.findall(value)
        # Separators must be consistent and group sizes card-like (4-4-4-4, 4-6-5, ...). A
        # separator is either '-' or blanks, so mixing shows as both kinds in the value.
        if len(groups) > 1 and (
                ("-" in value and (" " in value or "\t" in value))
                or not 3 <= min(map(len, groups[:-1])) <= max(map(len, groups[:-1])) <= 6):
            continue
        at = match.start()
        # An IBAN's start ends in a capital or a digit and a blank right before the number
        # (or before a line break: '$' matches there too); the regex runs only then.
        before = text[at - 1] if at else ""
        if ((before == "\n" or (before in (" ", "\t") and at >= 2
                                 and (text[at - 2].isupper() or text[at - 2].isdigit())))
                and IBAN_PREFIX.search(text, max(0, at - 40), at)):
            continue  # the digits of an IBAN after its country and check digits ("ES68 3979 ...")
        # Longest whole-group prefix that is a valid card ("4111 1111 1111 1111 2024").
        digits = "".join(groups)
        for size in range(len(groups), 0, -1):
            if len(digits) < 13:
                break
            if len(digits) <= 19 and luhn_valid(digits) and card_brand(digits):
                # the span ends where the size-th group ends in the value
                cut = 0
                for group in groups[:size]:
                    cut = value.index(group, cut) + len(group)
                append(Span(at, at + cut, "CREDIT_CARD", 0.95))
                break
            digits = digits[:-len(groups[size - 1])]


def _ssns_in(text: str, window_start: int, window_end: int,
             append: Callable[[Span], None]) -> None:
    for match in _SSN.finditer(text, window_start, window_end):
        if ssn_valid(*match.groups()):
            append(Span(match.start(), match.end(), "SSN", 0.9))


def _loose_ssns_in(text: str, low: str, window_start: int, window_end: int,
                   append: Callable[[Span], None]) -> None:
    for match in _SSN_LOOSE.finditer(text, window_start, window_end):
        if ssn_valid(*match.groups()) and _ssn_context(low, match.start(), match.end()):
            append(Span(match.start(), match.end(), "SSN", 0.9))


def _ssn_context(low: str, start: int, end: int) -> bool:
    """An SSN word before the number (this sentence or the one before) with no document word
    nearer to it ("Social Security no. 123 45 6789", not "SSN on file; order no. 123456789"),
    or one after it in the same sentence ("lists 123 45 6789 as the social security number")."""
    before = low[max(0, start - _SSN_CONTEXT):start]
    words = list(_SSN_WORDS.finditer(before))
    if words:
        between = before[words[-1].end():].replace(":", " ").replace(".", " ").split()
        if all(w in _SSN_CONNECTORS for w in between) or not document_number(before[-40:]):
            return True
    after = low[end:end + _SSN_AFTER]
    cut = min((i for i in (after.find(". "), after.find("\n"), after.find("? ")) if i != -1),
              default=len(after))
    return (_SSN_WORDS.search(after, 0, cut) is not None
            and not document_number(before[-40:]))


def _ipv4_in(text: str, low: str, window_start: int, window_end: int,
             append: Callable[[Span], None]) -> None:
    for match in _IPV4_CANDIDATE.finditer(text, window_start, window_end):
        if _ipv4_valid(match.group()) and not _is_version(low, match.start()):
            append(Span(match.start(), match.end(), "IP_ADDRESS", 0.85))


def _ipv4_valid(value: str) -> bool:
    """What `ipaddress.IPv4Address` accepts of a dotted quad of 1-3 digit groups: ASCII
    digits, each group at most 255 and without a leading zero."""
    if not value.isascii():
        return False
    for octet in value.split("."):
        if (octet[0] == "0" and octet != "0") or int(octet) > 255:
            return False
    return True


def _is_version(low: str, position: int) -> bool:
    # Only the current clause counts: a version named two sentences back says nothing.
    before = low[max(0, position - _CONTEXT):position]
    cut = max(before.rfind(". "), before.rfind("? "), before.rfind("! "), before.rfind("\n"),
              before.rfind("; "))
    before = before[cut + 1:]
    return _VERSION_WORDS.search(before) is not None and _IP_WORDS.search(before) is None


_NOT_BLANK = re.compile(r"[^ \t]+")


def detect_ibans(text: str) -> Iterator[Span]:
    for match in _IBAN_CANDIDATE.finditer(text):
        value = match.group()
        expected = IBAN_LENGTHS.get(value[:2])
        if expected is None:
            continue
        # Cut at the country's length: a following capitalised word may have been swallowed.
        if " " not in value and "\t" not in value:
            end = min(expected, len(value))
        else:
            # just after the expected-th character that is not a blank, group by group
            count, end = 0, len(value)
            for group in _NOT_BLANK.finditer(value):
                size = group.end() - group.start()
                if count + size >= expected:
                    end = group.start() + expected - count
                    break
                count += size
        compact = value[:end].replace(" ", "").replace("\t", "")
        if len(compact) == expected and iban_valid(compact):
            yield Span(match.start(), match.start() + end, "IBAN", 0.95)


# Every IPv6 candidate has two colons at most four hex digits apart within its first few
# characters. This pattern starts with a literal, so the engine jumps between colons; the
# candidate pattern, which starts with assertions, then runs only in windows around them.
_TWO_COLONS = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6_BEFORE, _IPV6_AFTER = 5, 45  # a candidate starts <= 4 before its first colon, is <= 39


def detect_ipv6(text: str) -> Iterator[Span]:
    windows: list[list[int]] = []
    for colons in _TWO_COLONS.finditer(text):
        position = colons.start()
        if windows and position - _IPV6_BEFORE <= windows[-1][1]:
            windows[-1][1] = position + _IPV6_AFTER
        else:
            windows.append([max(0, position - _IPV6_BEFORE), position + _IPV6_AFTER])
    for start, end in windows:
        for match in _IPV6_CANDIDATE.finditer(text, start, end):
            found = ipv6_span(match)
            if found is not None:
                yield found


def ipv6_span(match: re.Match[str]) -> Span | None:
    """The IPv6 address an `_IPV6_CANDIDATE` match holds, if it is one."""
    value = match.group()
    # "from 2001:db8::1: connection refused": the colon ends a clause, not the address.
    if value.endswith(":") and not value.endswith("::"):
        value = value[:-1]
    elif value.endswith(":::"):
        value = value[:-1]
    if value == "::" or not any(c.isdigit() for c in value):
        return None
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return None
    return Span(match.start(), match.start() + len(value), "IP_ADDRESS", 0.85)


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
