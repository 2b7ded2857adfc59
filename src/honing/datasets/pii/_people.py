"""PERSON from context and structure, in the default install: the name after a salutation,
an honorific or a self-introduction, the name line of a signature block, and a known given
name followed by a known surname in running text.

Everything is decided on the lower-cased text, from context words, lexicons and token
shapes, never from capital letters, so upper-cased or re-spaced text gives the same spans.
One split of the text into words (shared with the address detector) tells which trigger
words occur at all; patterns then run only at those positions."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from honing.datasets.pii._span import Span

_LEXICONS = Path(__file__).parent / "lexicons"

# A name token: letters with inner apostrophes and hyphens (o'brien, jean-luc, garcía-márquez).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Surname particles may sit inside a name (van der berg, de la cruz) but neither end it
# nor make one alone.
_PARTICLES = frozenset({
    "van", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos", "das",
    "von", "zu", "bin", "ibn", "al", "el", "ten", "ter", "st", "st.", "mac", "y"})
_HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "herr", "frau", "m",
    "mme", "mlle", "sr", "sra", "srta", "señor", "senor", "señora", "senora", "signor",
    "signora", "sig", "dott", "dhr", "mevr", "mevrouw", "meneer", "monsieur", "madame",
    "professor", "doctor", "doktor", "rev", "fr", "lady", "lord", "dame", "sig.ra", "sig.na",
    "gent.ma", "gent.mo", "dott.ssa"})
# Addressees that are not a person: a name run holding one of these, or stopped by one ("dear
# acme pay team"), is a group or a department ("sehr geehrte damen und herren").
_GENERIC = frozenset({
    "team", "teams", "support", "service", "services", "department", "desk", "staff", "crew",
    "folks", "everyone", "everybody", "all", "colleagues", "damen", "herren", "klantenservice",
    "kundenservice", "kundendienst", "assistenza", "clienti", "cliente", "clientes", "servizio",
    "servicio", "atención", "equipo", "équipe", "equipe", "helpdesk", "customer", "customers",
    "billing", "sales", "admin", "admins", "administrator", "operations", "office", "group",
    "squad", "people", "friends", "partners", "klant", "kunde", "kunden", "client", "clients",
    "helpline", "hotline", "centre", "center", "store", "shop"})
_TAIL = re.compile(r"[^\n,:;!?.]{0,30}")
# Street types: "queen street" or "oxford road" is a place, whatever the lexicons say.
_STREET_WORDS = frozenset({
    "street", "st", "road", "rd", "avenue", "ave", "lane", "drive", "way", "court", "place",
    "square", "park", "hill", "close", "crescent", "terrace", "boulevard", "row", "gardens",
    "parade", "approach", "walk", "green", "grove", "mews", "bridge", "station", "market"})
# Words that stop a name besides the stop word lexicon: address parts (a "dr" before "suite"
# is a drive, not a doctor) and tokens of redaction placeholders.
_NOT_NAME = frozenset({
    "suite", "ste", "apt", "apartment", "unit", "floor", "fl", "room", "building", "bldg",
    "street", "road", "avenue", "lane", "drive", "box", "po", "person", "name", "redacted",
    "teams", "office", "word", "excel", "outlook", "access", "windows", "edge", "sql",
    "deadline", "deadlines", "you", "your", "u"})

# Triggers: word -> kind. "strong": any non-stop word after it is a name; "weak": the first
# word must be a known given name, or the run must end at punctuation or the line's end.
_SALUTE_STRONG = ("dear", "geehrte", "geehrter", "cher", "chère", "chers", "estimado",
                  "estimada", "querido", "querida", "liebe", "lieber", "gentile", "caro",
                  "cara", "beste", "geachte")
_SALUTE_WEAK = ("hi", "hello", "hey", "hallo", "hola", "bonjour", "ciao", "salut", "morning",
                "afternoon", "evening", "greetings", "howdy", "moin", "servus", "buongiorno",
                "bonsoir", "días", "dias", "tardes", "grüezi", "hoi", "yo")
_SIGN_OFFS = ("thanks", "thank", "regards", "cheers", "sincerely", "best", "yours", "cordialement",
              "saludos", "saludo", "grüße", "grüßen", "gruß", "grüsse", "grüssen",
              "atentamente",
              "saluti", "groeten", "merci", "gracias", "danke", "grazie", "bedankt", "thx",
              "ty", "wishes", "salutations", "respectfully", "groet", "groetjes", "saludo",
              "—", "--", "–", "-")
_INTRO = ("name", "llamo", "m'appelle", "heiße", "heisse", "chiamo", "nombre", "holder",
          "cardholder", "karteninhaber", "titular", "signed", "behalf", "attn", "attention",
          "c/o", "ansprechpartner", "spoke", "speaking", "talked", "ask", "cc", "from",
          "contact", "agent", "nom", "vorname", "nachname", "customer", "caller", "add",
          "requester", "recipient", "empfänger", "destinataire", "destinatario", "naam", "nome",
          "called", "named")
_FIRST_WORD = re.compile(r"[ \t]*([^\W\d_]+(?:['’\-][^\W\d_]+)*)")
_PUNCT = (",", ":", "!", ".", ";", "?")
_PHRASE = (r"(?:[ \t]+(?:regards|wishes|you|so|much|again|a|lot|all|freundlichen|grüßen|"
           r"grüssen|saludos|salutations|saluti|cordiali|vriendelijke|groeten|d'avance)){0,4}[ \t]*")
_DASHES = frozenset({"—", "--", "–", "-"})
_SIGN_OFF_END = re.compile(_PHRASE + r"(?:(?P<line>[,!.]?[ \t]*(?:\r?\n|$))|(?P<comma>,))")
_SIGN_OFF_BARE = re.compile(
    _PHRASE + r"(?:(?P<line>[,!.]?[ \t]*(?:\r?\n|$))|(?P<comma>,)|(?=[^\W\d_]))")
_SIGN_OFF_INLINE = re.compile(
    r"(?:[ \t]+(?:regards|wishes|you|so|much|again|a|lot|all|d'avance|in|advance|beforehand)){0,4}"
    r"[ \t]*[,!.]?[ \t]*(?:[-–—][ \t]*)?(?=[^\W\d_])")
_SIGN_OFF_WORDS = frozenset({"d'avance", "regards", "wishes", "you", "so", "much", "again", "a", "lot",
                             "all", "freundlichen", "grüßen", "grüssen", "saludos",
                             "salutations", "saluti", "cordiali", "vriendelijke", "groeten"})
_BARE_SIGN_OFFS = frozenset({"thanks", "cheers", "thx", "danke", "merci", "gracias", "grazie",
                             "ty"})

# What must follow an intro word for it to introduce a name, matched at the word.
_INTRO_AFTER = {
    "name": re.compile(r"name(?:[ \t]*(?:[:=,]|-(?=[ \t]))|[ \t]+(?:is|was|ist|est|es|è)\b:?)"),
    "llamo": re.compile(r"llamo\b"), "m'appelle": re.compile(r"m'appelle\b"),
    "heiße": re.compile(r"heiße\b"), "heisse": re.compile(r"heisse\b"),
    "chiamo": re.compile(r"chiamo\b"), "nombre": re.compile(r"nombre(?:[ \t]+es\b|[ \t]*:)"),
    "holder": re.compile(r"holder(?:[ \t]*[:=]|[ \t]+(?:is|name:?)\b)?"),
    "cardholder": re.compile(r"cardholder(?:[ \t]*:|[ \t]+(?:is|name:?)\b)?"),
    "karteninhaber": re.compile(r"karteninhaber(?:in)?[ \t]*:?"),
    "titular": re.compile(r"titular[ \t]*:?"),
    "signed": re.compile(r"signed(?:[ \t]*,|[ \t]+by\b)"),
    "behalf": re.compile(r"behalf[ \t]+of\b"),
    "attn": re.compile(r"attn\.?[ \t]*:?"), "attention": re.compile(r"attention[ \t]*:"),
    "c/o": re.compile(r"c/o\b"), "ansprechpartner": re.compile(r"ansprechpartner(?:in)?[ \t]*:?"),
    "spoke": re.compile(r"spoke[ \t]+(?:with|to|w/)(?!\w)"),
    "speaking": re.compile(r"speaking[ \t]+(?:with|to)\b"),
    "talked": re.compile(r"talked[ \t]+(?:with|to)\b"),
    "ask": re.compile(r"ask[ \t]+for\b"), "cc": re.compile(r"cc\b[ \t]*:?"),
    "from": re.compile(r"from[ \t]*:"), "contact": re.compile(r"contact(?:[ \t]+person)?[ \t]*:"),
    "agent": re.compile(r"agent[ \t]*:"), "nom": re.compile(r"nom[ \t]*:"),
    "customer": re.compile(r"customer[ \t]*:"), "caller": re.compile(r"caller\b[ \t]*:?"),
    "add": re.compile(r"add\b"), "naam": re.compile(r"naam[ \t]*:"),
    "nome": re.compile(r"nome[ \t]*:"), "called": re.compile(r"called\b"),
    "named": re.compile(r"named\b"), "requester": re.compile(r"requester[ \t]*:"),
    "recipient": re.compile(r"recipient[ \t]*:"), "empfänger": re.compile(r"empfänger[ \t]*:"),
    "destinataire": re.compile(r"destinataire[ \t]*:"),
    "destinatario": re.compile(r"destinatario[ \t]*:"),
    "vorname": re.compile(r"vorname[ \t]*:"), "nachname": re.compile(r"nachname[ \t]*:"),
}
# Weak intros ("this is X", "i'm X") are only read before a known given name: "this is
# urgent" and "i'm frustrated" are not names, and the words are too common to visit.
_WEAK_INTRO_BEFORE = re.compile(
    r"(?:^|[^\w'])(?:this[ \t]+is|i'm|i[ \t]+am|it's|here[ \t]+is|je[ \t]+suis|ich[ \t]+bin|"
    r"soy|sono|c'est)[ \t]+$")


@cache
def lexicon(name: str) -> frozenset[str]:
    """A lexicon file from `lexicons/`: one lower-case entry a line, '#' lines are comments."""
    lines = (_LEXICONS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


# Loaded once at import: the detectors read them on every visit.
_STOPWORDS = lexicon("stopwords")
_GIVEN = lexicon("given_names")
_SURNAMES = lexicon("surnames")


def _variants(words: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    # Words as `str.split` returns them: with the punctuation that may stick to them.
    return frozenset(w + p for w in words for p in ("", *_PUNCT))


_TRIGGER_KIND: dict[str, str] = {}
for _word in _SALUTE_STRONG:
    _TRIGGER_KIND[_word] = "salute_strong"
for _word in _SALUTE_WEAK:
    _TRIGGER_KIND[_word] = "salute_weak"
for _word in _SIGN_OFFS:
    _TRIGGER_KIND[_word] = "sign_off"
for _word in _HONORIFICS:
    _TRIGGER_KIND.setdefault(_word, "honorific")
for _word in _INTRO:
    _TRIGGER_KIND.setdefault(_word, "intro")
# Words too common to look at everywhere count only with the colon of a form field.
_COLON_ONLY = ("from", "attention", "contact", "agent", "customer", "requester", "recipient",
               "empfänger", "destinataire", "destinatario")
# Fields whose value must fill the rest of the line: in a chat "agent: honestly the old ..."
# is a message, "customer: g. vasseur" a name.
_LINE_FIELDS = frozenset({*_COLON_ONLY, "caller"})
# A relative named in apposition: "on behalf of my father, anna kovacs." Only the word with
# its comma is a trigger.
_KIN = ("father", "mother", "husband", "wife", "son", "daughter", "partner", "brother",
        "sister", "colleague", "boss", "manager", "padre", "madre", "marido", "esposa", "esposo",
        "hijo", "hija", "vater", "mutter", "mann", "tochter", "sohn", "bruder", "schwester",
        "père", "mère", "mari", "femme", "fils", "fille", "frère", "soeur", "sœur", "marito",
        "moglie", "figlio", "figlia", "fratello", "sorella", "vader", "moeder", "vrouw", "zoon",
        "dochter")
for _word in _KIN:
    _TRIGGER_KIND.setdefault(_word, "apposition")
# Weak introductions ("this is", "it's", "i am"): read at the verb, a name only when the run
# is short, ends its sentence and holds a known given name or surname.
# ("i'm" and "i am" before a known given name are read from the name's side; before other
# words they are mostly "i'm not sure", "i am available".)
_WEAK_INTROS = ("this", "it's", "it’s", "soy", "sono", "c'est")
for _word in _WEAK_INTROS:
    _TRIGGER_KIND.setdefault(_word, "weak_intro")
_WEAK_INTRO_AT = re.compile(
    r"(?:this[ \t]+is|it['’]s|soy|sono|c'est)"
    r"[ \t]+")
_TRIGGERS = _variants(tuple(w for w in _TRIGGER_KIND if w not in _KIN)).difference(
    w + p for w in _COLON_ONLY for p in ("", *_PUNCT) if p != ":") | {w + "," for w in _KIN}
# "name" introduces a name after these words or at the start of a line ("Name: ...").
_NAME_OWNERS = frozenset({
    "my", "full", "first", "last", "given", "middle", "legal", "customer", "client", "account",
    "contact", "his", "her", "their", "your", "the", "our", "sur", "family", "patient",
    "employee", "holder", "holder's", "cardholder", "applicant", "mein", "mon", "mi", "il",
    "mio", "vor", "nach", "nom", "nombre", "nome"})

_last_hits: tuple[str, frozenset[str]] = ("", frozenset())


@cache
def _gate_words() -> frozenset[str]:
    # Imported here: the address detector imports this module for the shared helpers.
    from honing.datasets.pii._addresses import GATE_WORDS
    return _TRIGGERS | _given_variants() | GATE_WORDS


@cache
def _given_variants() -> frozenset[str]:
    # "i'm theodore," / "this is anna." : the name with the punctuation after it
    return frozenset(n + p for n in _GIVEN for p in ("", ",", ".", "!"))


def context_hits(low: str) -> frozenset[str]:
    """The words of `low` (as `str.split` cuts them) that either detector acts on: one split
    and one set intersection per text, shared by both detectors (the cache holds the last
    text only, compared by identity)."""
    global _last_hits
    last = _last_hits
    if last[0] is low:
        return last[1]
    found = _gate_words().intersection(low.split())
    _last_hits = (low, found)
    return found


@cache
def _short_clause_pattern(token: str) -> re.Pattern[str]:
    # the word, then at most six words before a clause or line ends (the pattern starts with
    # the word itself, so the regex engine scans for it as a literal)
    lead = r"[ \t]+is" if token == "this" else ""
    return re.compile(re.escape(token) + lead + r"(?![^\W_])[ \t]*(?:[^\s.,!;?<:]+[ \t]+){0,5}"
                      r"[^\s.,!;?<:]*[ \t]*(?:[\n\r.,!;?<:]|$)")


def _short_clause_after(low: str, token: str) -> list[int]:
    return [index for match in _short_clause_pattern(token).finditer(low)
            if (index := match.start()) == 0 or not low[index - 1].isalnum()]


def positions(low: str, token: str) -> list[int]:
    """Where `token` starts a word in `low` (not inside a longer word)."""
    found = []
    index = low.find(token)
    open_end = token[-1].isalnum()
    while index != -1:
        if (index == 0 or not low[index - 1].isalnum()) and not (
                open_end and low[index + len(token):index + len(token) + 1].isalnum()):
            found.append(index)  # "beste" is not read inside "bestelling"
        index = low.find(token, index + 1)
    return found


def detect_people(text: str, low: str) -> list[Span]:
    found = context_hits(low)
    if not found:
        return []
    kinds = _token_kinds()
    spans: dict[tuple[int, int], float] = {}
    given: list[str] = []
    # A word and its punctuated variants ("thanks", "thanks,") find the same positions: each
    # (position, word) is read once.
    visited: set[tuple[int, str]] = set()
    for token in found & _people_words():  # the words this detector acts on
        base, kind = kinds[token]
        if kind == "given":
            given.append(base)
            continue
        if token != base and kind in ("salute_weak", "salute_strong") and not (
                token[-1] == "," and base in _TIME_GREETINGS):
            continue  # "hola," / "good morning.": punctuation, not a name, follows
        if token[-1] in ".?;" and kind == "intro":
            continue
        if kind == "sign_off" and token[-1] != "," and base not in _BARE_SIGN_OFFS \
                and "\n" not in low:
            continue  # no line for a signature, no comma for "regards, anna"
        if kind == "weak_intro" or base in _LINE_FIELDS:
            # the common words among the triggers ("this", a speaker's "customer:" on every
            # chat line) are visited only where a short clause follows them, found by one
            # compiled pattern per word
            visits = _short_clause_after(low, token)
        elif base in _DASHES:
            # a dash signs off only at the start of a line, not in dates and phone numbers
            visits = [0] if low.startswith(token) else []
            index = low.find("\n" + token)
            while index != -1:
                visits.append(index + 1)
                index = low.find("\n" + token, index + 1)
        else:
            visits = positions(low, token)
        for position in visits:
            key = (position, base)
            if key in visited:
                continue
            visited.add(key)
            if kind == "weak_intro":
                if _WEAK_INTRO_AT.match(low, position) is None:
                    continue
            elif base in _TIME_GREETINGS:
                if not _preceded_by_greeting(low, position):
                    continue
            elif base == "-":
                # a dash that opens an item of a list
                line_end = low.find("\n", position)
                line_end = len(low) if line_end == -1 else line_end
                if base == "-" and line_end - position > 2 and line_end < len(low) and \
                        not low.startswith("\n\n", line_end):
                    continue
            for start, end, score in _at_trigger(low, position, base, kind):
                if spans.get((start, end), 0) < score:
                    spans[(start, end)] = score
    if " here" in low:
        _here(low, spans)
    if "<" in low and "@" in low:
        _display_names(low, spans)
    # in text order, so a name inside one found before it is skipped whatever the set's order
    for position, length in sorted((position, len(name)) for name in set(given)
                                   for position in positions(low, name)):
        name_span = _after_given_name(low, position, length)
        if name_span is not None and not any(s <= name_span[0] < e for s, e in spans):
            spans[name_span[:2]] = name_span[2]
    return [Span(start, end, "PERSON", score) for (start, end), score in spans.items()]


@cache
def _people_words() -> frozenset[str]:
    return frozenset(_token_kinds())


@cache
def _token_kinds() -> dict[str, tuple[str, str]]:
    """Each gate word this detector acts on -> (the word without punctuation, its kind)."""
    kinds = {name: (name.rstrip(",.!"), "given") for name in _given_variants()}
    for token in _TRIGGERS:
        base = token.rstrip(",:!.;?") or token
        kinds[token] = (base, _TRIGGER_KIND[base])
    return kinds


_TIME_GREETINGS = frozenset({"morning", "afternoon", "evening", "días", "dias", "tardes"})


def _after_given_name(low: str, position: int, length: int) -> tuple[int, int, float] | None:
    if _WEAK_INTRO_BEFORE.search(low, max(0, position - 40), position):
        run = _name_run(low, position, max_tokens=3)
        if run is not None and run[0] == position and run[3] not in _JOINED:
            return run[0], run[1], 0.75
    found = _given_and_surname(low, position, length)
    return (*found, 0.7) if found is not None else None


def _at_trigger(low: str, position: int, base: str, kind: str) -> list[tuple[int, int, float]]:
    after = position + len(base)
    if kind in ("salute_weak", "sign_off") and low[after:after + 1] in (" ", "\t"):
        # the usual case in prose: "hello team", "thanks for", "merci d'avance"
        following = _FIRST_WORD.match(low, after)
        word = following.group(1) if following is not None else ""
        if word in _STOPWORDS and word not in _HONORIFICS and \
                word not in _SIGN_OFF_WORDS and not _is_initial(low, following.end(1), word):
            return []
    if kind == "honorific":
        return _after_honorific(low, position, after, base)
    if kind == "salute_strong":
        run = _name_run(low, _skip_honorific(low, after, allow_comma=False))
        return [(run[0], run[1], 0.8)] if run and _plausible(run, strong=True) \
            and not _generic(run, low) else []
    if kind == "salute_weak":
        if base in _TIME_GREETINGS and not _preceded_by_greeting(low, position):
            return []
        if low[after:after + 1] == ",":
            # "buenos días, ana:" - after a comma only a run that ends its line or sentence
            run = _name_run(low, _skip_honorific(low, after + 1, allow_comma=False))
            if run is None or run[2] or run[3] not in ("", "\n", "\r", ",", ":", "!"):
                return []
            return [(run[0], run[1], 0.75)] if _plausible(run, strong=False) \
                and not _generic(run, low) else []
        run = _name_run(low, _skip_honorific(low, after, allow_comma=False))
        return [(run[0], run[1], 0.75)] if run and _plausible(run, strong=False) \
            and not _generic(run, low) else []
    if kind == "sign_off":
        return _after_sign_off(low, position, after, base)
    if kind == "weak_intro":
        match = _WEAK_INTRO_AT.match(low, position)
        if match is None:
            return []
        run = _name_run(low, match.end(), max_tokens=3)
        if run is None or run[2] or run[3] not in ("", "\n", "\r", ".", ",", "!", ";") \
                or not _plausible(run, strong=True):
            return []
        tokens = run[4]
        if tokens[0] in _GIVEN or (len(tokens) >= 2 and any(
                t in _GIVEN or t in _SURNAMES for t in tokens)):
            return [(run[0], run[1], 0.75)]
        return []
    if kind == "apposition":
        # "my father, anna kovacs." - the whole clause after the comma is the name
        run = _name_run(low, _skip_honorific(low, after + 1, allow_comma=False))
        if run is None or run[2] or run[3] not in ("", "\n", "\r", ".", ",", ";", ")", "!"):
            return []
        return [(run[0], run[1], 0.75)] if _plausible(run, strong=True) else []
    intro = _INTRO_AFTER.get(base)
    match = intro.match(low, position) if intro is not None else None
    if match is None or (base == "name" and not _owned_name(low, position)):
        return []
    run = _name_run(low, _skip_honorific(low, match.end(), allow_comma=False))
    if run is None or not _plausible(run, strong=True):
        return []
    if base in _LINE_FIELDS and (run[2] or run[3] not in ("", "\n", "\r", "<", *(
            (".", ";") if base == "caller" else ())) or (
            len(run[4]) == 1 and run[4][0] not in _GIVEN)):
        return []  # a chat message after a speaker label ("agreed"), not a name field
    if base in ("called", "named") and low[max(0, position - 12):position].split()[-1:] not in (
            ["someone"], ["somebody"], ["person"], ["man"], ["woman"], ["guy"], ["lady"]):
        return []  # "someone called anna kovacs", not "i called yesterday"
    if base == "add" and not low.startswith(" as ", run[1]):
        return []  # "add anna kovacs as an authorised user", not "add milk"
    if base == "name" and low[match.end() - 1] == "," and run[3] not in ("", "\n", "\r", "."):
        return []  # "in my husband's name, anna kovacs."
    return [(run[0], run[1], 0.8)]


# Where a clause starts, looking back from "here": punctuation, but not the period of an
# initial ("hi, s. hoekstra here").
_CLAUSE_CUT = re.compile(r"[!?:;,]|(?<![ \t,][^\W\d_])\.")


def _here(low: str, spans: dict[tuple[int, int], float]) -> None:
    """ "anna kovacs here, following up": a name that opens a line, clause or sentence and is
    followed by "here" and the end of the clause."""
    index = low.find(" here")
    while index != -1:
        after = low[index + 5:index + 6]
        if after in ("", ",", ".", "!", "\n", "\r", ":", ";") or low.startswith(" -", index + 5):
            line = low.rfind("\n", 0, index) + 1
            head = low[max(line, index - 60):index]
            cut = max(_CLAUSE_CUT.findall(head) and [m.start() for m in
                                                     _CLAUSE_CUT.finditer(head)] or [-1])
            start = max(line, index - 60) + cut + 1
            run = _name_run(low, start, max_tokens=3)
            if run is not None and run[1] == index and run[2] == "here" and \
                    (len(run[4]) >= 2 or run[4][0] in _GIVEN) and \
                    _plausible(run, strong=True):
                spans.setdefault((run[0], run[1]), 0.75)
        index = low.find(" here", index + 5)


_EMAIL_AFTER = re.compile(r"<([^<>\s@]+)@([^<>\s]+)>")
_ROLE_MAILBOXES = frozenset({"support", "noreply", "no-reply", "info", "billing", "sales", "help",
                             "contact", "hello", "team", "admin", "service", "orders", "mail",
                             "office", "news", "newsletter", "notifications", "accounts"})


def _display_names(low: str, spans: dict[tuple[int, int], float]) -> None:
    """The display name of an address ("anna kovacs <anna@example.org>"), unless the mailbox
    is a role or the name is the domain's company."""
    index = low.find("<")
    while index != -1:
        email = _EMAIL_AFTER.match(low, index)
        if email is not None and email.group(1).split("+")[0] not in _ROLE_MAILBOXES:
            line = low.rfind("\n", 0, index) + 1
            head = low[max(line, index - 60):index]
            cut = max(head.rfind(","), head.rfind(":"), head.rfind(">"), head.rfind("\""))
            run = _name_run(low, max(line, index - 60) + cut + 1)
            domain = email.group(2)
            if run is not None and run[3] == "<" and _plausible(run, strong=True) and not any(
                    len(t) > 3 and t in domain for t in run[4]):
                spans.setdefault((run[0], run[1]), 0.75)
        index = low.find("<", index + 1)


def _owned_name(low: str, position: int) -> bool:
    line_start = low.rfind("\n", 0, position) + 1
    before = low[max(line_start, position - 24):position].split()
    return not before or before[-1] in _NAME_OWNERS or before[-1].endswith(("'s", "’s"))


def _preceded_by_greeting(low: str, position: int) -> bool:
    before = low[max(0, position - 24):position].split()
    return bool(before) and before[-1] in ("good", "guten", "buenos", "buenas", "goede")


def _after_honorific(low: str, position: int, after: int, base: str) -> list:
    if position > 0 and low[position - 1] in "0123456789":
        return []  # "200 ms"
    dotted = after < len(low) and low[after] == "."
    if base == "m" and (not dotted or _after_name_word(low, position)):
        return []  # "karen m. whitfield": an initial, not monsieur
    start = after + dotted
    if start >= len(low) or low[start] not in " \t":
        return []
    run = _name_run(low, start)
    if run is None:
        return []
    strong = dotted or base in ("mrs", "mr", "herr", "frau", "mme", "mlle", "monsieur",
                                "madame", "señor", "señora", "signora", "signor", "dott", "dott.ssa")
    if not strong:  # miss, ms, dr, sir without a period: a word first, a title only with evidence
        first = run[4][0]
        known = first in _GIVEN or first in _SURNAMES
        if not (known or (run[3] in _PUNCT and len(run[4]) <= 3)):
            return []
    return [(run[0], run[1], 0.8)] if _plausible(run, strong=True) else []


def _after_name_word(low: str, position: int) -> bool:
    before = low[max(0, position - 30):position].split()
    return bool(before) and before[-1].isalpha() and before[-1] not in _STOPWORDS \
        and before[-1] not in _TRIGGER_KIND


def _skip_honorific(low: str, start: int, *, allow_comma: bool) -> int:
    """Past spaces and one honorific ("dear mrs. x")."""
    index = _skip_spaces(low, start)
    match = _HONORIFIC_WORD.match(low, index)
    if match is not None and match.group() in _HONORIFICS:
        end = match.end() + (low[match.end():match.end() + 1] == ".")
        if end < len(low) and low[end] in " \t":
            return end
    return index


_HONORIFIC_WORD = re.compile(r"(?:sig\.r?a|sig\.na|gent\.m[ao]|dott\.ssa|[^\W\d_]+)")


def _skip_spaces(low: str, index: int) -> int:
    while index < len(low) and low[index] in " \t":
        index += 1
    return index


def _is_initial(low: str, end: int, word: str) -> bool:
    return len(word) == 1 and low[end:end + 1] == "." and low[end + 1:end + 2] in (" ", "\t")


NameRun = tuple[int, int, str, str, list[str]]  # start, end, stop word, stop char, tokens


def _name_run(low: str, index: int, max_tokens: int = 4) -> NameRun | None:
    """1-4 name tokens from `index` (after spaces) on one line, ending at punctuation, a stop
    word or the line's end. None when no token qualifies."""
    stops = _STOPWORDS
    first = _FIRST_WORD.match(low, index)
    if first is None or (first.group(1) in stops and first.group(1) not in _PARTICLES
                         and not _is_initial(low, first.end(1), first.group(1))):
        return None  # the common case after "hello", "thanks": "team", "for", "la"
    found: list[tuple[str, int, int]] = []  # word, start, end
    index = _skip_spaces(low, index)
    stop_word, stop_char = "", ""
    while len(found) < max_tokens + 3:
        match = _WORD.match(low, index)
        if match is None:
            stop_char = low[index] if index < len(low) else ""
            break
        word, word_end = match.group(), match.end()
        initial = _is_initial(low, word_end, word)
        if not (word in _PARTICLES and found) and (
                (word in stops and not initial) or word in _NOT_NAME
                or (word in _HONORIFICS and not (initial and found))
                or (len(word) == 1 and not initial) or word_end - index > 30):
            stop_word = word
            break
        word_end += initial
        found.append((word, match.start(), word_end))
        index = _skip_spaces(low, word_end)
        if index == word_end and not initial:
            stop_char = low[index] if index < len(low) else ""
            if stop_char == "." and low[index + 1:index + 2].isalnum():
                stop_char = "_"  # "anna.smith@...": part of an address or a handle
            break
    while found and found[-1][0] in _PARTICLES:
        found.pop()
    tokens = [word for word, _, _ in found]
    if not found or sum(t not in _PARTICLES for t in tokens) > max_tokens \
            or all(len(t) == 1 for t in tokens):
        return None
    return found[0][1], found[-1][2], stop_word, stop_char, tokens


# A name does not continue into an e-mail address, a handle or a path ("cc anna.smith@...").
_JOINED = ("@", "_", "/", "\\", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def _plausible(run: NameRun, strong: bool) -> bool:
    tokens = run[4]
    if (tokens[0] in _PARTICLES and len(tokens) == 1) or run[3] in _JOINED or _generic(run):
        return False
    ends_cleanly = run[3] in ("", "\n", "\r", *_PUNCT, "<", "(", ")", "|", "-", "—", "'", '"')
    if strong:
        return ends_cleanly or bool(run[2]) or len(tokens) <= 3
    if tokens[0] in _GIVEN:
        return True
    return ends_cleanly and not run[2] and sum(t not in _PARTICLES for t in tokens) <= 3


def _generic(run: NameRun, low: str = "") -> bool:
    """A group, not a person: "support-team", "damen und herren", "acme pay team", and with
    the text, "blue heron cloud team" (a generic word later on the same line, before a
    comma)."""
    if run[2] in _GENERIC or any(part in _GENERIC for token in run[4] for part in token.split("-")):
        return True
    if not low:
        return False
    tail = _TAIL.match(low, run[1])
    return tail is not None and any(word in _GENERIC for word in tail.group().split())


def _after_sign_off(low: str, position: int, after: int, base: str) -> list:
    if base in ("—", "--", "–", "-"):
        # "— Anna" or "--\nAnna" only at the start of a line
        if position > 0 and low[position - 1] not in "\n":
            return []
        found = _name_line(low, after, signature=True)
        previous = low[low.rfind("\n", 0, max(0, position - 1)) + 1:position].lstrip(" \t>")
        if base == "-" and found and (previous.startswith("-") or (
                low[found[0][1]:].strip(" \t\r\n") and
                not low.startswith(("\n\n", "\r\n\r\n"), found[0][1]))):
            return []  # "- plan renewed": an item of a list
        return found
    # One match says whether a line break or a comma follows the sign-off phrase ("best
    # regards,\n", "thank you so much!\n", "cheers, "); most sign-offs in prose fail here.
    match = (_SIGN_OFF_BARE if base in _BARE_SIGN_OFFS else _SIGN_OFF_END).match(low, after)
    if match is None:
        return _inline_sign_off(low, after)
    if match.group("line"):
        return _name_line(low, match.end(), signature=True)
    # "Cheers, Anna" / "Thanks Anna!" on one line: a known name or the end of the line
    comma = bool(match.group("comma"))
    run = _name_run(low, match.end(), max_tokens=3)
    if run and run[4][0] in _GIVEN and run[3] in ("", "\n", "\r", "!", "."):
        return [(run[0], run[1], 0.75)]
    if run and comma and run[3] in ("", "\n", "\r") and not run[2]:
        return [(run[0], run[1], 0.7)]
    return _inline_sign_off(low, after)


def _inline_sign_off(low: str, after: int) -> list:
    """ "kind regards anna kovacs" / "thanks - anna" as the message's last line."""
    inline = _SIGN_OFF_INLINE.match(low, after)
    if inline is not None:
        run = _name_run(low, inline.end(), max_tokens=4)
        if run and not run[2] and run[3] in ("", "\n", "\r") and _plausible(run, strong=True) \
                and not low[run[1]:].strip(" \t\r\n"):
            return [(run[0], run[1], 0.7)]
    return []


def _name_line(low: str, index: int, *, signature: bool) -> list:
    """The first non-empty line from `index` when the whole line is a name (1-4 tokens)."""
    while index < len(low) and low[index] in " \t\r\n>":
        index += 1  # ">" quotes a reply's lines
    run = _name_run(low, _skip_honorific(low, index, allow_comma=False))
    if run is None or run[2] or run[3] not in ("", "\n", "\r", ",", "|"):
        return []
    if len(run[4]) == 1 and run[4][0] not in _GIVEN \
            and run[4][0] not in _SURNAMES and not signature:
        return []
    return [(run[0], run[1], 0.75)]


def _given_and_surname(low: str, position: int, length: int) -> tuple[int, int] | None:
    """A known given name followed by a known surname (or an initial and then one)."""
    end = position + length
    if end < len(low) and (low[end].isalnum() or low[end] in "'’-"):
        return None
    index = _skip_spaces(low, end)
    if index == end:
        return None
    match = _WORD.match(low, index)
    if match is None:
        return None
    word = match.group()
    if len(word) == 1 and low[match.end():match.end() + 1] == ".":
        after = _skip_spaces(low, match.end() + 1)
        match = _WORD.match(low, after)
        if match is None or after == match.end() or match.group() in _STOPWORDS:
            return None
        return position, match.end()
    surnames = _SURNAMES
    if word not in surnames or word in _STREET_WORDS:
        return None
    last = match.end()
    after = _WORD.match(low, _skip_spaces(low, last))
    if after is not None and after.group() in _STREET_WORDS:
        return None  # "queen anne road"
    # a second surname ("garcía márquez") joins when it is known too
    following = _WORD.match(low, _skip_spaces(low, last))
    if following is not None and following.group() in surnames and following.start() > last:
        last = following.end()
    return position, last
