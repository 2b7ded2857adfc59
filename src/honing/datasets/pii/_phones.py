"""Phone numbers inside a digit cluster: international (+CC, 00CC), North American (with or
without the leading 1), national formats with a trunk 0 (UK, DE, FR, NL, AU, ...) and
Brazilian ones, each with an extension when one follows. A number right after a document
word ("invoice", "order no.") is an identifier, not a phone number."""

from __future__ import annotations

import re

from honing.datasets.pii._span import Span

# Whitespace inside a number is a run of one to three spaces or a tab, so re-spaced or
# re-tabbed text finds the same numbers.
_S = r"[ \t]{1,3}"
_SEP = rf"(?:{_S}|[.\-])"
# Candidate runs are bounded in length so that a hostile megabyte of digits costs linear time.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+#/.:$€£@-])(?:\+|\(\+?)?\d[\d() \t.\-]{4,40}\d")
_PHONE_TOKEN = re.compile(r"[^ \t.\-]+")
_NANP_IN = re.compile(
    rf"(?<![\d(])(?:1{_SEP})?\(?[2-9]\d\d\)?{_SEP}?\d{{3}}{_SEP}\d{{4}}(?!\d)")
_TRUNK_IN = re.compile(
    rf"(?<![\d(])\(?0[1-9]\d{{0,3}}\)?(?:{_S}\d{{2,8}}|(?:{_S})?-(?:{_S})?\d{{2,8}}"
    rf"|\.\d{{2,8}}){{1,4}}(?!\d)")
# 0612345678: ten digits with a trunk 0 and no separators (FR, NL, AU mobile numbers).
_TRUNK_BARE = re.compile(r"(?<![\d(])0[1-9]\d{8}(?!\d)")
# Brazil: a two-digit area code, then NNNN-NNNN or 9NNNN-NNNN.
_BR_IN = re.compile(rf"(?<![\d(])\(?[1-9]\d\)?{_S}9?\d{{4}}-\d{{4}}(?!\d)")
_SHAPES = ((_NANP_IN, 0.85), (_TRUNK_IN, 0.8), (_TRUNK_BARE, 0.75), (_BR_IN, 0.8))
_SSN_SHAPE = re.compile(rf"\d{{3}}(?:-|{_S})\d{{2}}(?:-|{_S})\d{{4}}")
_DATE_SHAPE = re.compile(r"\d{1,4}[ .\-/]\d{1,2}[ .\-/]\d{2,4}")
# Matched in the lower-cased text right after a number: "x12345", "ext. 204", "extension 12".
_EXTENSION = re.compile(r"(?:[ \t]{0,3},)?[ \t]{0,3}(?:x|ext\.?|extension)[ \t]{0,3}\d{1,6}(?!\d)")

PHONE_WORDS = ("phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "sms", "handy",
               "tél", "portable", "móvil", "cellulare", "numéro", "número", "rufnummer",
               "number", "llám", "appel", "rückruf", "ring", "text me", "reach me")
# Document words: a number one of these introduces is an identifier ("invoice 4155550132",
# "order no. 0612345678", "ref: 020 7946 0958").
_DOCUMENT_WORDS = frozenset({
    "order", "ticket", "case", "invoice", "inv", "ref", "reference", "id", "build", "version",
    "serial", "tracking", "account", "acct", "sn", "kb", "inc", "po", "confirmation",
    "booking", "reservation", "transaction", "txn", "receipt", "policy", "claim", "contract",
    "sku", "item", "shipment", "parcel", "customer", "member", "membership", "quote",
    "bestellung", "rechnung", "commande", "facture", "pedido", "factura", "nr", "no"})
# Words that may stand between a document word and its number.
_CONNECTORS = frozenset({"number", "num", "no", "nr", "nº", "id", "is", "was", "code", "#",
                         "numéro", "número", "nummer"})


def phones_in(text: str, low: str, start: int, end: int,
              found: list[Span] | None = None) -> list[Span]:
    """Phone numbers in the cluster text[start:end]; `low` is the lower-cased text. They are
    appended to `found` when given (one list for all clusters of a text)."""
    if found is None:
        found = []
    for match in _PHONE_CANDIDATE.finditer(text, start - 2 if start > 1 else 0,
                                           min(len(text), end + 1)):
        span = _best_phone(text, low, match.start(), match.group())
        if span is not None:
            found.append(span)
    return found


def _best_phone(text: str, low: str, base: int, candidate: str) -> Span | None:
    # The candidate may run into a following number ("415-555-0132 2 times"), so shapes are
    # matched at its start, not against all of it. Matching inside it would turn the tail of
    # a 16-digit reference ("4432 0873 6449 7543") into a phone number.
    if candidate.startswith(("+", "(+", "00")):
        found = _international(base, candidate)
        return None if found is None else _with_extension(low, found)
    before = low[max(0, base - 40):base]
    for shape, score in _SHAPES:
        match = shape.match(candidate)
        if match is None:
            continue
        value = match.group()
        digits = _digit_count(value)
        if shape is _TRUNK_IN and (not 9 <= digits <= 12 or _SSN_SHAPE.fullmatch(value)
                                   or _DATE_SHAPE.fullmatch(value)):
            continue  # AAA-GG-SSSS is an SSN's shape, valid or not, never a phone number
        if document_number(before + low[base:base + match.start()]):
            return None
        return _with_extension(low, Span(base + match.start(), base + match.end(), "PHONE", score))
    digits = _digit_count(candidate)
    if (9 <= digits <= 15 and not _DATE_SHAPE.fullmatch(candidate)
            and not _SSN_SHAPE.fullmatch(candidate) and not document_number(before)):
        tail = before[-24:]
        if any(word in tail for word in PHONE_WORDS) and not any(c.isdigit() for c in tail):
            return _with_extension(low, Span(base, base + len(candidate), "PHONE", 0.7))
    return None


def _with_extension(low: str, span: Span) -> Span:
    match = _EXTENSION.match(low, span.end)
    return span if match is None else Span(span.start, match.end(), span.entity, span.score)


def document_number(before: str) -> bool:
    """Whether the lower-cased text right before a number makes it a document number:
    '#', a letter prefix with a dash ("INV-"), or a document word up to two connectors back."""
    stripped = before.rstrip(" \t")
    if stripped.endswith("#") or (before.endswith("-") and before[-2:-1].isalpha()):
        return True
    words = before[-40:].replace(":", " ").replace(".", " ").replace("#", " # ").split()
    for word in reversed(words[-4:]):
        word = word.strip("(),;")
        if word in _DOCUMENT_WORDS:
            return True
        if word not in _CONNECTORS:
            return False
    return False


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
    if not tokens or digits < 8:
        return None
    end = tokens[-1][1]
    if candidate.count("(", 0, end) != candidate.count(")", 0, end):
        return None
    return Span(base, base + end, "PHONE", 0.9)


def _digit_count(value: str) -> int:
    return len(value) - len(value.translate(_NOT_DIGITS)) if value else 0


_NOT_DIGITS = str.maketrans("", "", "0123456789")
