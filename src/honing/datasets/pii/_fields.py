"""Personal data in labelled fields: JSON pasted into a ticket, key=value log lines, form
dumps and CSV exports, where the field's name says what its value is.

`{"customer_name": "Chloé Tremblay", "date_of_birth": "1967-02-09"}`,
`event=profile_update name="Chloé Tremblay" dob=1967-02-09` and a CSV row under a header
`name,address,dob` carry no sentence around the value for the context rules to read, but
their keys are as good a context as "my name is". A field counts when its key, normalised
(lower case, '_' for spaces, dashes and dots), is a known name, birth-date or address key,
and its value has the shape of one: letters for a name, a date for a birth date, a number
and letters for an address. A bare `name` key is ambiguous (a job, a plan or a file has a
name too), so its value needs a word the given-name or surname lexicon knows.

Everything is decided on the lower-cased text, so case does not change what is found."""

from __future__ import annotations

import csv
import re

from honing.datasets.pii._dates import _DATE
from honing.datasets.pii._model_names import NAME_PARTICLES
from honing.datasets.pii._people import lexicon
from honing.datasets.pii._span import Span

_PERSON_KEYS = frozenset({
    "full_name", "fullname", "customer_name", "customername", "cust_name", "client_name",
    "contact_name", "contact", "first_name", "firstname", "last_name", "lastname",
    "given_name", "family_name", "surname", "display_name", "account_holder",
    "account_holder_name", "holder_name", "cardholder", "cardholder_name", "card_holder",
    "recipient", "recipient_name", "sender_name", "user_name_full", "legal_name",
    "billing_name", "shipping_name", "patient_name", "employee_name", "applicant_name",
    "nombre", "nombre_completo", "nom", "nom_complet", "prenom", "prénom", "vorname",
    "nachname", "naam", "volledige_naam", "nome", "cognome", "nome_completo", "imie",
    "imię", "nazwisko", "namn", "fornavn", "efternavn", "etternavn"})
# "Customer:" and "Agent:" are a transcript's speaker labels, not fields.
_AMBIGUOUS_NAME_KEYS = frozenset({"name", "cust", "holder"})
_BIRTH_KEYS = frozenset({
    "dob", "date_of_birth", "dateofbirth", "birthdate", "birth_date", "birthday", "born",
    "geburtsdatum", "geboortedatum", "date_de_naissance", "date_naissance",
    "fecha_de_nacimiento", "fecha_nacimiento", "data_di_nascita", "data_de_nascimento",
    "data_urodzenia", "fodelsedatum", "födelsedatum", "fodselsdato", "fødselsdato"})
_ADDRESS_KEYS = frozenset({
    "address", "addr", "street", "street_address", "streetaddress", "address1",
    "address_1", "address_line1", "address_line_1", "addressline1", "home_address",
    "billing_address", "shipping_address", "mailing_address", "postal_address",
    "delivery_address", "residential_address", "adresse", "anschrift", "adres",
    "direccion", "dirección", "indirizzo", "endereco", "endereço", "adress"})
_KINDS = {**dict.fromkeys(_PERSON_KEYS, "PERSON"), **dict.fromkeys(_BIRTH_KEYS, "DATE_OF_BIRTH"),
          **dict.fromkeys(_ADDRESS_KEYS, "STREET_ADDRESS"),
          **dict.fromkeys(_AMBIGUOUS_NAME_KEYS, "NAME?")}
# Header cells a CSV export names personal data with, found with str.find; a line holding
# one is tried as a header.
_HEADER_STEMS = ("name", "nom", "naam", "dob", "birth", "addr", "adres", "adress", "direcc",
                 "indiriz", "geburt", "geboorte", "nacim", "nasc")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.éèäöüøåñçęóąśłżźć")
_BEFORE_KEY = frozenset(" \t\n\r,{;|&([\"'")
# After the separator: the value, quoted or bare. A bare value runs to a delimiter or to
# where the next `key=` starts ("name=ana lima dob=…").
_VALUE = re.compile(
    r"""[ \t]{0,3}(?:"(?P<dq>[^"\n]{1,200})"|'(?P<sq>[^'\n]{1,200})'"""
    r"""|(?P<bare>[^\s"',;|&}{\]=](?:(?![ \t]+[^\W\d][\w.\-]{0,30}[ \t]{0,3}=)[^"\n,;|&}{\]=])"""
    r"""{0,200}))""")
_NOT_A_VALUE = frozenset({"null", "none", "n/a", "na", "unknown", "true", "false", "-", "redacted",
                          "undefined", "nil", "tbd", "anonymous"})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?")


def detect_fields(text: str, low: str) -> list[Span]:
    """Values of labelled fields in `low` (`text` lower-cased, same offsets)."""
    spans: list[Span] = []
    # Fields are found from their separators: there are far fewer '=' and ':' in a text
    # than places a key could start.
    for separator in ("=", ":"):
        position = low.find(separator)
        while position != -1:
            found = _field_before(low, position)
            if found is not None:
                spans.append(found)
            position = low.find(separator, position + 1)
    if "\n" in low and ("," in low or "\t" in low or ";" in low):
        header_lines = set()
        for stem in _HEADER_STEMS:
            position = low.find(stem)
            while position != -1:
                header_lines.add(low.rfind("\n", 0, position) + 1)
                position = low.find(stem, position + 1)
        if header_lines:
            spans.extend(_csv_fields(low, header_lines))
    return spans


def _field_before(low: str, separator: int) -> Span | None:
    """The field whose separator is at low[separator], when its key names personal data."""
    end = separator
    if end == 0 or low[end - 1].isdigit() or low.startswith("//", separator + 1):
        return None  # a time ("12:30"), a URL's scheme, or nothing before it
    while end > 0 and separator - end < 3 and low[end - 1] in " \t":
        end -= 1
    if end > 0 and low[end - 1] in "\"'":
        end -= 1
    start = end
    while start > 0 and low[start - 1] in _KEY_CHARS and end - start <= 32:
        start -= 1
    if start == end:
        return None
    kind = None
    # "full name:", "account holder:": up to two words before may belong to the key, and
    # the longest key that names personal data wins ("account holder", not "holder")
    for words in (2, 1, 0):
        begin = start
        for _ in range(words):
            if begin < 2 or low[begin - 1] != " " or low[begin - 2] not in _KEY_CHARS:
                begin = -1
                break
            begin -= 1
            while begin > 0 and low[begin - 1] in _KEY_CHARS:
                begin -= 1
        if begin < 0:
            continue
        opener = begin - 1 if begin > 0 and low[begin - 1] in "\"'" else begin
        if opener > 0 and low[opener - 1] not in _BEFORE_KEY:
            continue
        kind = _KINDS.get(_normal_key(low[begin:end]))
        if kind is not None:
            break
    if kind is None:
        return None
    value = _VALUE.match(low, separator + 1)
    if value is None:
        return None
    group = "dq" if value.group("dq") is not None else "sq" if value.group("sq") is not None \
        else "bare"
    first, last = value.span(group)
    if kind == "STREET_ADDRESS" and group == "bare":
        last = _line_end(low, first)  # "Address: 12 Rua Augusta, 1100-048 Lisboa"
    first, last = _trim(low, first, last)
    return _value_span(low, first, last, kind) if first < last else None


def _normal_key(key: str) -> str:
    return key.strip().replace(" ", "_").replace("-", "_").replace(".", "_").strip("_")


_NEXT_KEY = re.compile(r"[ \t]+[^\W\d][\w.\-]{0,30}[ \t]{0,3}=|[;|&]")


def _line_end(low: str, start: int) -> int:
    end = low.find("\n", start)
    end = len(low) if end == -1 else end
    following = _NEXT_KEY.search(low, start, end)
    return end if following is None else following.start()


def _trim(low: str, start: int, end: int) -> tuple[int, int]:
    # (a bare value already ends where the next `key=` starts: "name=ana lima dob=...")
    while end > start and low[end - 1] in " \t.)":
        end -= 1
    while start < end and low[start] in " \t(":
        start += 1
    return start, end


def _value_span(low: str, start: int, end: int, kind: str) -> Span | None:
    value = low[start:end]
    if value in _NOT_A_VALUE or value.startswith(("<", "[")):
        return None  # empty markers and redaction placeholders
    if kind == "DATE_OF_BIRTH":
        date = _DATE.match(value)
        if date is None:
            return None
        return Span(start + date.start(), start + date.end(), kind, 0.9)
    if kind == "STREET_ADDRESS":
        has_digit = any(c.isdigit() for c in value)
        letters = sum(c.isalpha() for c in value)
        if not has_digit or letters < 4 or "@" in value or "://" in value:
            return None
        return Span(start, end, kind, 0.85)
    words = _NAME_WORD.findall(value)
    if not 1 <= len(words) <= 5 or sum(map(len, words)) < len(value.replace(" ", "")) - 1:
        return None  # digits, symbols, identifiers: not a name
    lowered_words = [w.rstrip(".") for w in words]
    stops = lexicon("stopwords")
    if any(w in stops and w not in NAME_PARTICLES for w in lowered_words):
        return None  # "the name: field was empty" is a sentence, not a name
    if kind == "NAME?":
        # a bare `name` names jobs, plans and files too: it takes a known given name first
        given = lexicon("given_names")
        if len(words) < 2 or (lowered_words[0] not in given
                              and not (len(lowered_words[0]) == 1 and lowered_words[1] in given)):
            return None
    return Span(start, end, "PERSON", 0.8)


def _csv_fields(low: str, header_lines: set[int]) -> list[Span]:
    """Values under a CSV header that names a field. A header is a line of two or more
    comma-, semicolon- or tab-separated cells, one of which is a key this module knows
    (`header_lines`: the starts of the lines where a key's stem was seen); the rows under it
    are the following lines with as many cells."""
    spans: list[Span] = []
    for line_start in sorted(header_lines):
        line_end = low.find("\n", line_start)
        if line_end == -1:
            continue  # a header with no rows under it
        header, delimiter = _header(low[line_start:line_end])
        if header is None:
            continue
        row_start = line_end + 1
        while row_start < len(low):
            row_end = low.find("\n", row_start)
            row_end = len(low) if row_end == -1 else row_end
            cells = _cells(low[row_start:row_end], delimiter)
            if len(cells) != len(header):
                break
            for kind, (start, end) in zip(header, cells, strict=True):
                if kind is not None and start < end:
                    found = _value_span(low, row_start + start, row_start + end, kind)
                    if found is not None:
                        spans.append(found)
            row_start = row_end + 1
    return spans


def _header(line: str) -> tuple[list[str | None] | None, str]:
    for delimiter in (",", ";", "\t"):
        if delimiter in line:
            names = [_KINDS.get(_normal_key(line[s:e].strip("\"' ")))
                     for s, e in _cells(line, delimiter)]
            if len(names) >= 2 and any(names):
                return names, delimiter
    return None, ","


def _cells(line: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's value in `line`, quotes excluded."""
    cells: list[tuple[int, int]] = []
    try:
        values = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return cells
    position = 0
    for value in values:
        at = line.find(value, position) if value else position
        if at == -1:
            return []
        cells.append((at, at + len(value)))
        position = at + len(value)
        next_delimiter = line.find(delimiter, position)
        position = next_delimiter + 1 if next_delimiter != -1 else len(line)
    return cells
