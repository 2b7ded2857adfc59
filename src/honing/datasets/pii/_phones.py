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
PHONE_CANDIDATE = re.compile(r"(?<![\w+#/.:$€£@-])(?:\+|\(\+?)?\d[\d() \t.\-]{4,40}\d")
_PHONE_TOKEN = re.compile(r"[^ \t.\-]+")
_NANP_IN = re.compile(
    rf"(?<![\d(])(?:1{_SEP})?\(?[2-9]\d\d\)?{_SEP}?\d{{3}}{_SEP}\d{{4}}(?!\d)")
_TRUNK_IN = re.compile(
    rf"(?<![\d(])\(?0[1-9]\d{{0,4}}\)?(?:{_S}\d{{2,8}}|(?:{_S})?-(?:{_S})?\d{{2,8}}"
    rf"|\.\d{{2,8}}){{1,4}}(?!\d)")
# 0612345678: ten digits with a trunk 0 and no separators (FR, NL, AU mobile numbers).
_TRUNK_BARE = re.compile(r"(?<![\d(])0[1-9]\d{8}(?!\d)")
# Brazil: a two-digit area code, then NNNN-NNNN or 9NNNN-NNNN.
_BR_IN = re.compile(rf"(?<![\d(])\(?[1-9]\d\)?{_S}9?\d{{4}}-\d{{4}}(?!\d)")
_SHAPES = ((_NANP_IN, 0.85), (_TRUNK_IN, 0.8), (_TRUNK_BARE, 0.75), (_BR_IN, 0.8))
# The shapes by the first digit they allow (after an optional '('): a trunk 0, or 1-9.
_ZERO_SHAPES = tuple(s for s in _SHAPES if s[0] in (_TRUNK_IN, _TRUNK_BARE))
_OTHER_SHAPES = tuple(s for s in _SHAPES if s[0] in (_NANP_IN, _BR_IN))
_SSN_SHAPE = re.compile(rf"\d{{3}}(?:-|{_S})\d{{2}}(?:-|{_S})\d{{4}}")
_DATE_SHAPE = re.compile(r"\d{1,4}[ .\-/]\d{1,2}[ .\-/]\d{2,4}")
# Matched in the lower-cased text right after a number: "x12345", "ext. 204", "extension 12".
_EXTENSION = re.compile(r"(?:[ \t]{0,3},)?[ \t]{0,3}(?:x|ext\.?|extension)[ \t]{0,3}\d{1,6}(?!\d)")

# Phone words in en, de, nl, fr, es, it, pt and the Nordic languages, and their usual
# abbreviations ("Tel:", "M:", "alt no.", "cb" for call back), matched as words in the few
# characters before a number that has no national shape of its own.
_PHONE_CONTEXT = frozenset((
    "phone", "telephone", "tel", "cb", "mobile", "mob", "cell", "cellular", "landline", "line",
    "fax", "whatsapp", "signal", "sms", "text", "reach", "ring", "dial", "number", "handy",
    "rückruf", "mobil", "festnetz", "telefoon", "mobiel", "bel", "bellen", "tél",
    "téléphone", "portable", "fixe", "joindre", "numéro", "teléfono", "telefono", "móvil",
    "movil", "fijo", "número", "numero", "celular", "cellulare", "telefone", "contato", "tlf",
    "ring", "ringe", "nummer"))
# Stems of the verbs and compounds: "calling", "callback", "Telefonnummer", "appelez",
# "llámame", "chiamami", "ligue", "rufen", "erreichbar".
_PHONE_STEMS = ("call", "telefon", "appel", "llam", "llám", "chiam", "lig", "ruf", "anruf",
                "erreich", "handynummer", "mobilnummer")
# Labels that are phone words only as labels: "M: ...", "T. ...", "ph: ...".
_PHONE_LABELS = frozenset(("m", "t", "ph", "p"))
_WORDS_BETWEEN = 4  # "My mobile changed, it is now ..."
# A sign-off a few lines above a number alone on its line: the number is in a signature.
_SIGN_OFF = re.compile(
    r"regards|thanks|thank you|cheers|sincerely|best|grüße|gruß|groet|cordialement|salutations"
    r"|tot ziens|bien à vous|un abrazo|a presto|take care|saludos?|atentamente|saluti|cordiali|cumprimentos|abraço|hilsen|mvh|hälsningar|terveisin")
_SIGNATURE_LINES = 160  # characters above the number searched for a sign-off
# Local numbers without a trunk prefix, only ever a phone number after a phone word: 9 digits
# as 3-3-3, 2-3-2-2 or 3-2-2-2 (ES), 8 as 2-2-2-2 or 4-4 (DK, NO, SG, HK), and 8-12 bare
# digits, with one separator throughout.
_LOCAL = re.compile(
    r"\d{3}([ .\-])\d{3}\1\d{3}|\d{2}([ .\-])\d{3}\2\d{2}\2\d{2}|\d{3}([ .\-])\d{2}\3\d{2}\3\d{2}"
    r"|\d{2}([ .\-])\d{2}\4\d{2}\4\d{2}|\d{4}([ .\-])\d{4}|\d{8,12}")
_CONTEXT_BEFORE = 28
_CONTEXT_AFTER = 40
# Two letters and two digits, then groups of four: the start of an IBAN ("NL43 KNAB 0441
# 0876 70"), which the digits that follow continue.
IBAN_PREFIX = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \t]?[A-Z0-9]{4}){0,7}[ \t]?$")
# ###-#######-####### is the order-number format of large online shops, never a phone.
_ORDER_SHAPE = re.compile(r"\d{3}-\d{7}-\d{7}")
# ZIP+4 after a US state or territory code ("Worcester, MA 01626-5976").
_ZIP4 = re.compile(r"\d{5}-\d{4}")
_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split())
# Document words: a number one of these introduces is an identifier ("invoice 4155550132",
# "order no. 0612345678", "ref: 020 7946 0958"), in en, de, nl, fr, es, it and pt.
_DOCUMENT_WORDS = frozenset({
    "order", "ticket", "case", "invoice", "inv", "ref", "reference", "id", "build", "version",
    "serial", "tracking", "account", "acct", "sn", "kb", "inc", "po", "confirmation",
    "booking", "reservation", "transaction", "txn", "receipt", "policy", "claim", "contract",
    "sku", "item", "shipment", "parcel", "customer", "member", "membership", "quote",
    "commit", "sha", "hash", "changeset", "revision", "checksum", "run", "job", "pipeline",
    "bestellung", "rechnung", "auftrag", "lieferung", "sendung", "kunde", "vertrag",
    "bestelling", "factuur", "zending", "pakket", "klant",
    "commande", "facture", "colis", "dossier", "référence", "contrat",
    "pedido", "factura", "envío", "envio", "referencia", "expediente", "contrato",
    "ordine", "fattura", "spedizione", "riferimento", "pratica", "encomenda", "fatura"})
# Words that may stand between a document word and its number; "no." and "Nr." alone do not
# make a document number ("alt no. 0612345678" is a phone number).
_CONNECTORS = frozenset({"number", "num", "no", "nr", "nº", "n°", "id", "is", "was", "code", "#",
                         "numéro", "número", "numero", "nummer", "est", "es", "ist", "è", "de",
                         "du", "del", "della", "van"})
# Words whose abbreviation ends in a full stop that does not end the sentence: "order no. 12".
_ABBREVIATIONS = frozenset({"no", "nr", "num", "ref", "inv", "acct", "tel", "nº"})
# German and Dutch compounds: "Bestellnummer", "Kundennr", "ordernummer" are document words,
# "Telefonnummer" and "Handynummer" are not.
_COMPOUND_ENDS = ("nummer", "nr")
_PHONE_COMPOUNDS = ("telefon", "handy", "ruf", "mobil", "fax", "telefoon", "mobiel", "gsm")


def best_phone(text: str, low: str, base: int, candidate: str) -> Span | None:
    # The candidate may run into a following number ("415-555-0132 2 times"), so shapes are
    # matched at its start, not against all of it. Matching inside it would turn the tail of
    # a 16-digit reference ("4432 0873 6449 7543") into a phone number.
    before = low[base - 40 if base > 40 else 0:base]
    # _not_a_phone's two commonest cases first, inline: most candidates are neither
    if ((len(candidate) >= 19 and candidate[3] == "-") or len(candidate) == 10
            or candidate.startswith("00") or (base >= 2 and text[base - 1] in " \t")):
        if _not_a_phone(text, base, candidate, before):
            return None
    first = candidate[0]
    if first == "+" or candidate.startswith(("(+", "00")):
        found = _international(base, candidate)
        return None if found is None else _with_extension(low, found)
    # Only the shapes that can start with the candidate's first digit are tried (a trunk 0,
    # or 1-9 for North American and Brazilian numbers), in the order of `_SHAPES`.
    if first == "(":
        first = candidate[1:2]
    for shape, score in (_ZERO_SHAPES if first == "0" else _OTHER_SHAPES):
        match = shape.match(candidate)
        if match is None:
            continue
        value = match.group()
        if shape is _TRUNK_IN:
            digits = _digit_count(value)
            if (not 9 <= digits <= 12 or _SSN_SHAPE.fullmatch(value)
                    or _DATE_SHAPE.fullmatch(value)):
                continue  # AAA-GG-SSSS is an SSN's shape, valid or not, never a phone number
        if document_number(before + low[base:base + match.start()]):
            return None
        return _with_extension(low, Span(base + match.start(), base + match.end(), "PHONE", score))
    digits = _digit_count(candidate)
    # The same conditions as ever, cheapest first: a date shape is at most 12 characters
    # long, an SSN shape 11 to 17.
    size = len(candidate)
    if (8 <= digits <= 15
            and (size > 12 or not _DATE_SHAPE.fullmatch(candidate))
            and (not 11 <= size <= 17 or not _SSN_SHAPE.fullmatch(candidate))
            and (digits >= 9 or _LOCAL.fullmatch(candidate))
            and _phone_context(low, base, base + len(candidate))
            and not document_number(before)):
        return _with_extension(low, Span(base, base + len(candidate), "PHONE", 0.7))
    return None


def _not_a_phone(text: str, base: int, candidate: str, before: str) -> bool:
    """Digit runs whose shape and neighbours make them something else: the digits of an IBAN
    after its country and check digits, a ZIP+4 code after a state, an online shop's order
    number, or any number after a document word (also for 00-prefixed runs)."""
    size = len(candidate)
    # the order shape is 19 characters with a dash at 3, ZIP+4 is 10 with a dash at 5
    if size >= 19 and candidate[3] == "-" and _ORDER_SHAPE.match(candidate):
        return True
    # An IBAN's groups end in a capital or a digit right before the space: checked first,
    # so that numbers in prose skip the regex.
    if (base >= 2 and text[base - 1] in " \t" and (text[base - 2].isupper() or text[base - 2].isdigit())
            and IBAN_PREFIX.search(text, max(0, base - 40), base)):
        return True
    if (size == 10 and candidate[5] == "-" and _ZIP4.fullmatch(candidate)
            and text[max(0, base - 3):base - 1] in _STATES):
        return True
    return candidate.startswith("00") and document_number(before)


def _phone_context(low: str, start: int, end: int) -> bool:
    """A phone word right before the number, with nothing but punctuation and a few words
    between ("Tel: ...", "alt no. ...", "Best number to call is ..."), or after it in the same
    clause ("Is ... still the right number?")."""
    before = low[max(0, start - _CONTEXT_BEFORE):start]
    # a full stop may end an abbreviation ("alt no. ..."), so only lines and clauses count
    cut = max(before.rfind("\n"), before.rfind("; "), before.rfind("? "), before.rfind("! "))
    before = before[cut + 1:]
    if _phone_word_before(before):
        return True
    # alone on a line under a sign-off, in a phone number's grouping (not 4-4-4 of a reference)
    if (_alone_in_signature(low, start, end)
            and (_LOCAL.fullmatch(low, start, end) or _digit_count(low[start:end]) <= 11)):
        return True
    after = low[end:end + _CONTEXT_AFTER]
    for stop in ("\n", ". ", "; ", "? "):
        after = after.split(stop, 1)[0]
    return _DIGIT.search(after) is None and not _AFTER_WORDS.isdisjoint(_WORD.findall(after))


def _phone_word_before(before: str) -> bool:
    """A phone word among the last few words, with no digit after it: "Tel: ", "alt no. ",
    "You can call me on ", "Meine neue Handynummer lautet "."""
    words = _WORD.findall(before)[-(_WORDS_BETWEEN + 1):]
    for back in range(len(words) - 1, -1, -1):
        word = words[back]
        if not word.isalpha():
            return False  # a number stands between
        if (word in _PHONE_CONTEXT or word.startswith(_PHONE_STEMS)
                or (word in ("no", "nr") and back and words[back - 1] in ("alt", "alternative"))):
            return True
        if word in _PHONE_LABELS and back == len(words) - 1 and before.rstrip()[-1:] in ":.":
            return True
    return False


def _alone_in_signature(low: str, start: int, end: int) -> bool:
    """The number is alone on its line (a label such as "M:" aside, see `_phone_context`)
    and a sign-off stands a few lines above it."""
    # Walked outwards from the number: almost always a word stands right next to it, and a
    # search for the line's start would otherwise cross the whole text when it has no lines.
    line_start = start
    while line_start and low[line_start - 1] in " \t>":
        line_start -= 1
    if line_start and low[line_start - 1] != "\n":
        return False
    size = len(low)
    line_end = end
    while line_end < size and low[line_end] != "\n":
        if not low[line_end].isspace():
            return False
        line_end += 1
    above = low[max(0, line_start - _SIGNATURE_LINES):line_start]
    sign_offs = list(_SIGN_OFF.finditer(above))
    return bool(sign_offs) and above.count("\n", sign_offs[-1].end()) <= 5


_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# Words that name a phone number after it: "... still the right number for you?"
_AFTER_WORDS = frozenset({"phone", "mobile", "cell", "landline", "whatsapp", "number",
                          "numéro", "número", "numero", "nummer", "telefon", "telefoon",
                          "teléfono", "telefono", "móvil", "portable", "telefone", "celular"})


def _with_extension(low: str, span: Span) -> Span:
    match = _EXTENSION.match(low, span.end)
    return span if match is None else Span(span.start, match.end(), span.entity, span.score)


def document_number(before: str) -> bool:
    """Whether the lower-cased text right before a number makes it a document number:
    '#', a letter prefix with a dash ("INV-"), or a document word up to two connectors back."""
    stripped = before.rstrip(" \t")
    if stripped.endswith("#") or (before.endswith("-") and before[-2:-1].isalpha()):
        return True
    # Only the current line and clause: "Hello valued member,\n\nIs 0049 40 380020 ..." is not
    # a member number.
    before = before[-40:]
    before = before[max(before.rfind("\n"), before.rfind(", "), before.rfind(";")) + 1:]
    stop = before.rfind(". ")
    if stop != -1:
        last = before[:stop].rsplit(None, 1)
        if not last or last[-1] not in _ABBREVIATIONS:
            # a sentence ended: "... to the previous ticket. Is 1 (803) 469-2060 still ..."
            before = before[stop + 1:]
    words = before.replace(":", " ").replace(".", " ").replace("#", " # ").split()
    for word in reversed(words[-4:]):
        word = word.strip("(),;")
        if word in _DOCUMENT_WORDS:
            return True
        if word in _CONNECTORS:
            continue
        if word[1:2] == "'":
            return word[2:] in _DOCUMENT_WORDS  # "l'ordine", "d'ordre"
        return (word.endswith(_COMPOUND_ENDS) and len(word) > 6
                and not word.startswith(_PHONE_COMPOUNDS))
    return False


def _international(base: int, candidate: str) -> Span | None:
    """+CC or 00CC numbers: at most 15 digits (E.164), so trailing groups past that belong
    to something else."""
    prefix = 2 if candidate.startswith("00") else 0
    if prefix:
        first = _PHONE_TOKEN.match(candidate)
        if first is not None and first.end() > 5:
            return None  # 00 + a country code of 1-3 digits, then a separator
    digits = _digit_count(candidate) - prefix
    if digits <= 15:
        # no group to drop: the number runs to the candidate's end (which is a digit)
        end = len(candidate)
    else:
        tokens = [(m.end(), _digit_count(m.group())) for m in _PHONE_TOKEN.finditer(candidate)]
        while tokens and digits > 15:
            digits -= tokens.pop()[1]
        if not tokens:
            return None
        end = tokens[-1][0]
    if digits < 8 or candidate.count("(", 0, end) != candidate.count(")", 0, end):
        return None
    return Span(base, base + end, "PHONE", 0.9)


def _digit_count(value: str) -> int:
    return len(value) - len(value.translate(_NOT_DIGITS)) if value else 0


_NOT_DIGITS = str.maketrans("", "", "0123456789")
