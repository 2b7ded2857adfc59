"""Dates of birth: a full date introduced by a birth keyword ("DOB:", "born on", "geboren
am", ...), either right after it or in the next sentence ("Could you confirm the date of
birth on the account? We have 1987-03-14."). A date is never a birth date on its own: the
same shape is an order date, an appointment or an expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator

from honing.datasets.pii._span import Span

# Month names and their usual abbreviations in the languages support text is written in
# (en, de, nl, fr, es, it, pt, the Nordic languages), lower-cased, with the three-letter
# truncations systems print ("aoû", "jui" for juin and juillet); longest first so that an
# alternation prefers "marzo" over "mar".
_MONTH_NAMES = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember mär okt dez "
    "januari februari maart mei augustus mrt "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "janv févr fév avr juil aoû déc jui "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre ene abr ago dic "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre gen mag giu "
    "lug set ott "
    "janeiro fevereiro março maio junho julho setembro outubro novembro dezembro fev "
    "marts maj desember"
).split()
_MONTHS = "|".join(sorted(set(_MONTH_NAMES), key=lambda m: (-len(m), m)))
_W = r"[ \t]{1,3}"
# Matched in lower-cased text: upper-case month names are found too. A written month may
# stand between spaces ("9 oktober 1962", "14th of March 1987") or dashes, slashes and dots
# ("07-Apr-1968", "05/ott/1938").
_DAY = r"\d{1,2}(?:\.|er|st|nd|rd|th|º)?"
_DATE = re.compile(
    rf"(?<![\w.\-/])(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}(?![\d\-])"
    rf"|\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})(?![\d]|[./-]\d)"
    rf"|{_DAY}{_W}(?:(?:de|of){_W})?(?:{_MONTHS})\.?,?{_W}(?:de{_W})?\d{{4}}"
    rf"|\d{{1,2}}([-/.])(?:{_MONTHS})\.?\1\d{{4}}"
    rf"|(?:{_MONTHS})\.?{_W}\d{{1,2}}(?:st|nd|rd|th)?,?{_W}\d{{4}})(?!\d)")
# Birth keywords in en, de, nl, fr, es, it, pt, the Nordic languages, pl and fi.
_KEYWORD = re.compile(
    rf"\bd\.?o\.?b\b\.?|\bdate{_W}of{_W}birth|\bbirth{_W}?date|\bbirthday|\bborn(?:{_W}on)?\b"
    rf"|\bgeboren(?:{_W}(?:am|op))?\b|\bgeburtsdatum|\bgeburtstag|\bgeboortedatum"
    rf"|\bnée?{_W}le\b|\bdate{_W}de{_W}naissance|\bfecha{_W}de{_W}nacimiento|\bnacid[oa]{_W}el\b"
    rf"|\bdata{_W}di{_W}nascita|\bnat[oa]{_W}il\b|\bdata{_W}de{_W}nascimento|\bnascid[oa]{_W}em\b"
    rf"|\bfødselsdato|\bfødt\b|\bfödelsedatum|\bfödd\b|\bdata{_W}urodzenia|\bsyntymäaika")
# Found in the lower-cased text with str.find (C speed) before any regex runs.
# Stems shared by several keywords ("naci" for nacido and nacimiento, "nasc" for nascita,
# nascimento and nascido), so that each text is searched a few times only.
MARKERS = ("dob", "d.o.b", "birth", "born", "geboren", "geburt", "geboorte", "né", "naissance",
           "naci", "nasc", "nato", "nata", "fød", "föd", "urodz", "syntym")


_CLOSE = 24  # a date at most this far after the keyword belongs to it
_FAR = 120  # ... and up to this far when only prose stands between (the next sentence)
# Between a keyword and a date further away: a different event's words make it that
# event's date ("date of birth is wrong, the order placed on 2024-01-02").
_OTHER_EVENT = re.compile(
    r"order|placed|ship|deliver|invoice|paid|payment|purchas|ticket|opened|created|joined|"
    r"sign(?:ed)?[ \t]?up|regist|expir|valid|renew|since|until|login|logged|appointment|"
    r"meeting|schedul|booked|today|yesterday|changed|updated|issued|started|last"
    # ... and the same events in de, nl, fr, es, it, pt
    r"|bestell|rechnung|lieferung|geliefert|termin|factu|commande|livr|rendez|pedido|envi[oa]"
    r"|entreg|cita\b|ordine|spedi|consegn|appuntamento|encomenda|afspraak|geplaatst|verzonden")


def dates_of_birth(low: str, windows: list[tuple[int, int]]) -> Iterator[Span]:
    """Birth dates near keywords; `windows` are spans of the lower-cased text `low` that
    hold a birth keyword (see `keyword_windows` and `birth_windows`)."""
    for start, end in windows:
        for keyword in _KEYWORD.finditer(low, start, end):
            after = keyword.end()
            date = _DATE.search(low, after, min(len(low), after + _FAR))
            if date is None:
                continue
            between = low[after:date.start()]
            if (not any(map(str.isdigit, between)) and _sentence_breaks(between) <= 1
                    and _OTHER_EVENT.search(between) is None):
                score = 0.9 if date.start() - after <= _CLOSE else 0.85
                yield Span(date.start(), date.end(), "DATE_OF_BIRTH", score)


_BEFORE, _AFTER = 24, 40  # the window around each marker that `dates_of_birth` searches


def birth_windows(low: str) -> list[tuple[int, int]]:
    """`keyword_windows(low, MARKERS, before=24, after=40)`, with fewer passes over the whole
    text: the ASCII markers that share a first letter are found by one regex each (a literal
    first letter lets the regex engine skip ahead as fast as a substring search), and the
    non-ASCII ones only in text that has such letters. Every text is searched for these,
    and most hold none."""
    hits: list[int] = []
    for family in _FAMILIES:
        hits.extend(match.start() for match in family.finditer(low))
    if not low.isascii():
        find = low.find
        for word in _NON_ASCII:
            position = find(word)
            while position != -1:
                hits.append(position)
                position = find(word, position + 1)
    if not hits:
        return []
    size = len(low)
    windows: list[tuple[int, int]] = []
    for position in sorted(hits):
        start, end = max(0, position - _BEFORE), min(size, position + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


_NON_ASCII = tuple(m for m in MARKERS if not m.isascii())
# One pattern per first letter ("d(?:ob|\.o\.b)", "n(?:aci|asc|...)"). A match never holds
# the start of another marker of its family, so matching without overlaps finds every
# occurrence that a search per marker finds (tests/test_pii_windows.py compares the two).
_FAMILIES = tuple(
    re.compile(re.escape(first) + "(?:" + "|".join(
        re.escape(m[1:]) for m in sorted(
            (m for m in MARKERS if m.isascii() and m[0] == first), key=lambda m: (-len(m), m)))
        + ")")
    for first in sorted({m[0] for m in MARKERS if m.isascii()}))


def _sentence_breaks(value: str) -> int:
    return value.count(". ") + value.count("? ") + value.count("! ") + value.count("\n")
