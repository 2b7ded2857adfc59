"""STREET_ADDRESS by a small postal grammar: a street line (house number, street name,
street type, unit) and what follows it on the same line or the next ones (city, state or
region, postal code, country), in the shapes of the US, Canada, the UK, Australia, Germany,
Austria, Switzerland, France, Spain, Italy and the Netherlands, and post office boxes.

The span covers the street line through the postal code, so a redaction leaves no city or
postcode behind. Like the name detector it reads the lower-cased text only, and runs its
patterns only around street-type words found in the text's word set."""

from __future__ import annotations

import re

from honing.datasets.pii._people import context_hits, lexicon, positions
from honing.datasets.pii._span import Span, resolve_overlaps

_STOPWORDS = lexicon("stopwords")

_G = r"[ \t]+"
_W = r"[^\W\d_][^\W\d_'’.\-]*(?:['’\-][^\W\d_]+)*\.?"  # a word (st., o'connell, saint-denis)
# 12, 12a, 221b, 12-14, 135/b, 83-2
_NUM = r"\d\d{0,4}[a-z]?(?:[ \t]*[-/][ \t]*\d{1,5}[a-z]?|/[a-z](?![\w])|-bis)?"
# A house number starts with a digit that follows no word, decimal point or currency sign;
# the digit comes first so the regex engine can skip to digits.
_NUM_START = r"\d(?<![\w.,/:+#$€£\-]\d)"

# Street types after the street name (English-speaking countries). Types that are also
# ordinary words ("3 hard drive failures") need a city/postcode after them or an address
# word before them.
_CLEAR_TYPES = ("street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd",
                "lane", "ln", "terrace", "terr", "parkway", "pkwy", "highway", "hwy",
                "crescent", "cres", "expressway", "expy", "freeway", "fwy", "turnpike", "tpke",
                "alley", "aly", "straße", "strasse", "str", "straat", "parade", "approach",
                "esplanade", "promenade", "broadway")
_VAGUE_TYPES = ("drive", "dr", "court", "ct", "place", "pl", "way", "square", "sq", "circle",
                "cir", "close", "row", "walk", "trail", "trl", "grove", "gardens", "gdns",
                "mews", "hill", "park", "green", "view", "point", "pike", "plaza", "loop",
                "run", "ridge", "wharf", "quay", "hollow", "heights", "crossing", "xing",
                "weg", "platz", "plein", "laan", "gracht", "kade", "singel", "dijk", "allee",
                "gasse", "ring", "damm", "ufer")
# Street types before the name (French, Spanish, Italian, Portuguese).
_PREFIX_TYPES = ("rue", "avenue", "av", "avda", "avenida", "boulevard", "bd", "bvd", "allée",
                 "allee", "impasse", "chemin", "quai", "place", "cours", "route", "calle", "c/",
                 "plaza", "paseo", "pº", "carrer", "camino", "ronda", "travesía", "via", "viale",
                 "piazza", "piazzale", "corso", "largo", "vicolo", "rua", "praça", "travessa")
_COMPOUND_SUFFIXES = ("straße", "strasse", "str.", "straat", "weg", "platz", "plein", "laan",
                      "gracht", "kade", "singel", "dijk", "allee", "gasse", "damm", "ufer", "steig",
                      "pfad", "markt", "vej", "vejen", "gade", "gaden", "boulevarden", "allé",
                      "plads", "torv", "stræde", "-ring", "-allee", "-platz")
_BOX_WORDS = ("box", "postfach", "apartado", "postbus", "postale", "bp")

_TYPES = "|".join(sorted({*_CLEAR_TYPES, *_VAGUE_TYPES}, key=len, reverse=True))
_PREFIXES = "|".join(re.escape(t) for t in sorted(_PREFIX_TYPES, key=len, reverse=True))
_DIRECTION = (r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west|northeast|northwest|southeast|"
              r"southwest)\.?")
_PARTICLE = r"(?:de|del|de la|des|du|d'|l'|la|le|los|las|di|della|dei|degli|delle|da|do|dos|das)"
_UNIT = (r"(?:(?:,?[ \t]*|[ \t]*\n[ \t]*)(?:suite|ste\.?|apt\.?|appt\.?|apto\.?|apartment|unit|"
         r"floor|fl\.?|room|rm\.?|bldg\.?|building|dept\.?|sala|casa|bloco|piso|etage|#)"
         r"[ \t]*#?[a-z]?\d{1,5}[a-z]?(?![\w])"
         # floors and doors: "3. th.", "2. tv." (danish), "3º b", "1º 2ª", "4º dcha.", "bajo"
         r"|,[ \t]*(?:\d{1,2}\.[ \t]*(?:th|tv|mf)\.?|st\.(?:[ \t]*(?:th|tv)\.?)?"
         r"|\d{1,2}[º°ª](?:[ \t]*(?:\d[ª°º]|[a-z]{1,4}\.?)(?![\w]))?|bajo|entlo\.?)"
         r"|,?[ \t]*bloco[ \t]+[a-z](?:,[ \t]*apto\.?[ \t]*\d{1,5})?)(?![\w])")

# number first, type last: "221b baker street", "1600 pennsylvania avenue nw"
_NUMBER_FIRST = re.compile(
    rf"(?P<num>{_NUM_START}{_NUM[2:]})(?:{_G}(?:bis|ter))?,?{_G}"
    rf"(?:{_DIRECTION}{_G})?(?P<name>(?:(?:{_W}|\d{{1,3}}(?:st|nd|rd|th)){_G}){{1,4}}?)"
    rf"(?P<type>{_TYPES})\.?(?![\w])(?![ \t]+(?:{_TYPES})\.?(?![\w]))"
    rf"(?:{_G}{_DIRECTION}(?![\w]))?")
# number, then a prefix type and the name: "12 rue de la paix", "3 avenida de mayo"
_NUMBER_THEN_PREFIX = re.compile(
    rf"(?P<num>{_NUM_START}{_NUM[2:]})(?:{_G}(?:bis|ter))?,?{_G}(?P<type>{_PREFIXES})\.?"
    rf"(?P<name>(?:{_G}(?:{_PARTICLE}{_G})?{_W}){{1,4}})")
# prefix type, name, number: "calle mayor 5", "c/ alcalá 20, 3º b", "via roma 10"
_PREFIX_THEN_NUMBER = re.compile(
    rf"(?<![\w])(?P<type>{_PREFIXES})\.?[ \t]*(?P<name>(?:(?:{_PARTICLE}{_G})?{_W},?{_G}){{1,4}}?)"
    rf"(?:n[º°o]\.?[ \t]*)?(?P<num>{_NUM})(?![\w.,]\d)(?!\w)"
    r"(?:,?[ \t]*\d{1,2}[º°ª](?:[ \t]*[a-z](?![\w]))?)?")
# compound or separate type, then number: "hauptstraße 12", "berliner straße 5a",
# "keizersgracht 123", "musterweg 5a"
_NAME_THEN_NUMBER = re.compile(
    rf"(?<![\w])(?P<name>(?:{_W}{_G}){{0,2}}?[^\W\d_]*"
    rf"(?P<type>{'|'.join(re.escape(s) for s in _COMPOUND_SUFFIXES)}))[ \t]*(?P<num>{_NUM})"
    r"(?![\w.,]\d)(?!\w)")
_BOX = re.compile(
    r"(?<![\w])(?:p\.?[ \t]*o\.?[ \t]*box|post[ \t]+office[ \t]+box|postfach|apartado"
    r"(?:[ \t]+de[ \t]+correos)?|postbus|b\.?p\.?|boîte[ \t]+postale|casella[ \t]+postale)"
    r"[ \t]*#?[ \t]*\d{1,6}(?:[ \t]+\d{2,4}){0,2}(?![\w])")

# What may follow a street line: a unit, then up to three parts separated by a comma, a
# line break or spaces, each a city with a state and ZIP, a postcode with a city, a UK
# postcode, or a country.
_SEP = r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)"
_CITY = rf"{_W}(?:{_G}{_W}){{0,2}}"
_US_STATES = ("al|ak|az|ar|ca|co|ct|de|dc|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|"
              "mt|ne|nv|nh|nj|nm|ny|nc|nd|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy|pr")
_PARTS = [
    re.compile(rf"{_SEP}{_CITY},?{_G}(?:{_US_STATES})\.?{_G}\d{{5}}(?:-\d{{4}})?(?![\w])"),
    re.compile(rf"{_SEP}{_CITY},?{_G}(?:ab|bc|mb|nb|nl|ns|nt|nu|on|pe|qc|sk|yt)\.?{_G}"
               r"[a-z]\d[a-z][ \t]*\d[a-z]\d(?![\w])"),
    re.compile(rf"{_SEP}{_CITY},?{_G}(?:nsw|vic|qld|wa|sa|tas|act|nt){_G}\d{{4}}(?![\w])"),
    re.compile(rf"{_SEP}(?:{_CITY}(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|{_G}))?"
               r"[a-z]{1,2}\d[a-z\d]?[ \t]+\d[a-z]{2}(?![\w])"),
    re.compile(rf"{_SEP}(?:[a-z]{{1,2}}-)?\d{{4,5}}(?:[ \t]*[a-z]{{2}}(?![\w]))?{_G}"
               rf"(?P<city>{_CITY})"),
    re.compile(r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*)(?:usa|u\.s\.a\.?|united states|uk|"
               r"united kingdom|england|scotland|wales|ireland|germany|deutschland|france|spain|"
               r"españa|italy|italia|netherlands|the netherlands|nederland|canada|australia|"
               r"austria|österreich|switzerland|schweiz|suisse|belgium|belgique)(?![\w])"),
]
_UNIT_RE = re.compile(_UNIT)
_ADDRESS_WORDS = ("address", "adress", "live at", "lives at", "living at", "located at",
                  "ship to", "shipping", "deliver", "mail to", "send to", "sent to",
                  "anschrift", "adresse", "dirección", "direccion", "domicilio", "indirizzo",
                  "adres", "wohne", "office at", "visit us", "moved to", "residing")


def _variants(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w + p for w in words for p in ("", ".", ",", ".,", ";", ":"))


_SUFFIX_WORDS = _variants((*_CLEAR_TYPES, *_VAGUE_TYPES))
_PREFIX_WORDS = _variants(_PREFIX_TYPES)
_BOX_GATE = _variants(_BOX_WORDS)
_TRIGGERS = _SUFFIX_WORDS | _PREFIX_WORDS | _BOX_GATE
_VAGUE = frozenset({*_VAGUE_TYPES, "via", "corso", "largo", "place", "route", "cours",
                    "ronda", "camino", "plaza"})
# House numbers as `str.split` returns them ("12", "5a", "123,"): a compound street name
# ("hauptstraße", "keizersgracht") is the word before one of them.
_HOUSE_NUMBERS = frozenset(f"{n}{letter}{comma}" for n in range(1, 1000)
                           for letter in ("", "a", "b", "c", "-bis", *(f"-{d}" for d in range(1, 10)))
                           for comma in ("", ","))
# Labels that introduce an address in whatever shape: "billing address:", "ship to",
# "mijn nieuwe adres is", "anschrift lautet".
_LABEL_WORDS = _variants(("address", "adres", "adresse", "anschrift", "indirizzo", "dirección",
                          "direccion", "endereço", "afleveradres", "lieferadresse", "ship",
                          "deliver", "moved", "relocated", "send", "mail"))
GATE_WORDS = _TRIGGERS | _HOUSE_NUMBERS | _LABEL_WORDS | {"flat", "plot", "room", "số", "p.m.b.",
                                                          "phường", "quận"}


def detect_addresses(text: str, low: str) -> list[Span]:
    found = context_hits(low)
    if not found:
        return []
    # (shape, window start, window end): each shape runs only where its street type is
    # a set: "street" and "street," find the same positions, so the same windows (keyed by
    # the pattern's id: hashing a compiled pattern hashes its whole program)
    jobs: dict[tuple[int, int, int], re.Pattern[str]] = {}
    numbers = []
    labelled: list[Span] = []
    read: set[int] = set()  # label and block positions already read
    lines = "\n" in low
    last = low[-12:].rstrip(" \t.!")
    for token in found & GATE_WORDS:  # the words this detector acts on, in one C-level step
        if token in _HOUSE_NUMBERS:
            # a bare number ends a compound street's line ("musterweg 5\n", "... 12" at the
            # end); inside prose it is a count or part of a phone number
            if lines or not token.isdigit() or last.endswith(token):
                numbers.append(token)
            continue
        if token in _LABEL_WORDS:
            for position in positions(low, token):
                if position in read:
                    continue
                read.add(position)
                label = _LABEL.match(low, position)
                if label is not None and not low[max(0, position - 10):position].rstrip(
                        " \t-").endswith(_OTHER_ADDRESSES):
                    block = _labelled_block(low, label.end())
                    if block is not None:
                        labelled.append(block)
        if token in _BLOCK_STARTS:
            for position in positions(low, token):
                if -1 - position in read:
                    continue
                read.add(-1 - position)
                block = _block_from_start(low, position, token)
                if block is not None:
                    labelled.append(block)
        if token not in _TRIGGERS:
            continue
        for position in positions(low, token):
            end = position + len(token)
            if token in _SUFFIX_WORDS:
                jobs[id(_NUMBER_FIRST), max(0, position - 90), end + 12] = _NUMBER_FIRST
            if token in _PREFIX_WORDS:
                jobs[id(_NUMBER_THEN_PREFIX), max(0, position - 14), end + 80] = _NUMBER_THEN_PREFIX
                jobs[id(_PREFIX_THEN_NUMBER), position, end + 80] = _PREFIX_THEN_NUMBER
            if token in _BOX_GATE:
                jobs[id(_BOX), max(0, position - 14), end + 30] = _BOX
    after_blank: set[int] = set()
    blanks = (" ", "\t") if "\t" in low else (" ",)
    for number in numbers:
        # only a number after a space or tab, found as " 12" / "\t12" rather than as "12"
        # inside every longer number of the text
        open_end = number[-1].isalnum()
        for blank in blanks:
            index = low.find(blank + number)
            while index != -1:
                end = index + 1 + len(number)
                if not (open_end and low[end:end + 1].isalnum()):
                    after_blank.add(index + 1)
                index = low.find(blank + number, index + 1)
    for position in after_blank:
        word_end = position - 1
        while word_end > 0 and low[word_end - 1] in " \t":
            word_end -= 1
        if not (low[word_end - 1:word_end].isalpha() or low[word_end - 1:word_end] == "."):
            continue  # a street name, not a digit or a bracket, comes before the number
        before = low[max(0, position - 40):position].rstrip(" \t")
        if before.endswith(_COMPOUND_SUFFIXES):
            line = low.rfind("\n", 0, position) + 1
            jobs[id(_NAME_THEN_NUMBER), max(line, position - 80), position + 12] = _NAME_THEN_NUMBER
        elif _OPENER_BEFORE.search(before):
            line = low.rfind("\n", 0, position) + 1
            jobs[id(_OPENER_THEN_NUMBER), max(line, position - 40), position + 12] = _OPENER_THEN_NUMBER
    if "-ku" in low or "〒" in low:
        labelled.extend(_japanese(low))
    spans: list[Span] = labelled
    # overlapping windows find the same match again: each (shape, groups) is read once
    matched: set[tuple[int, tuple[tuple[int, int], ...]]] = set()
    for (_, start, end), shape in jobs.items():
        for match in shape.finditer(low, start, min(end, len(low))):
            key = (id(shape), match.regs)
            if key in matched:
                continue
            matched.add(key)
            address = _address(low, match)
            if address is not None:
                spans.append(address)
    # windows overlap, so one address may be read twice, or in part from a neighbour's window
    return resolve_overlaps(list(set(spans)))


# German street names that open with a preposition and have no street type ("unter den
# eichen 12", "am mühlbach 7"): a street only with a postcode and city after it.
_OPENERS = r"(?:am|an[ \t]+der|auf[ \t]+de[mr]|im|in[ \t]+der|unter[ \t]+den|zum|zur|hinter[ \t]+der)"
_OPENER_BEFORE = re.compile(rf"(?<![\w]){_OPENERS}[ \t]+{_W}(?:[ \t]+{_W})?$")
_OPENER_THEN_NUMBER = re.compile(
    rf"(?<![\w])(?P<name>{_OPENERS}[ \t]+{_W}(?:[ \t]+{_W})?)[ \t]+(?P<num>{_NUM})(?![\w.,]\d)(?!\w)")


def _address(low: str, match: re.Match[str]) -> Span | None:
    groups = match.groupdict()
    start, name = match.start(), groups.get("name")
    kind = (groups.get("type") or "").rstrip(".")
    if match.re is _OPENER_THEN_NUMBER:
        end = _tail(low, match.end())
        return Span(start, end, "STREET_ADDRESS", 0.86) if end > match.end() else None
    if match.re is _NAME_THEN_NUMBER:
        start = _street_start(low, match)
        if start is None:
            return None
        if low[match.start("type") - 1:match.start("type")].isalpha():
            kind = "compound"  # "musterweg": a street whatever follows
    elif name is not None and match.re is not _PREFIX_THEN_NUMBER:
        # after a number, a street name is a few words, not a sentence ("3 of the road")
        stops = _STOPWORDS
        if any(t in stops and t not in _PARTICLE_WORDS for t in name.split()):
            return None
    end = match.end()
    unit = _UNIT_RE.match(low, end)
    if unit is not None:
        end = unit.end()
    tail_end = _tail(low, end)
    if tail_end == end and kind in _VAGUE and not _address_context(low, start):
        return None
    return Span(start, tail_end, "STREET_ADDRESS", 0.86 if tail_end > end else 0.8)


# German and Dutch street names may start with a preposition ("am kirchberg weg 3").
_STREET_OPENERS = frozenset({"am", "im", "zum", "zur", "auf", "an", "in", "op", "aan", "alte",
                             "alter", "neue", "neuer", "große", "kleine", "obere", "untere"})


def _street_start(low: str, match: re.Match[str]) -> int | None:
    """Where a name-then-number street begins: the compound word itself ("lindenstraße"),
    or up to two words before a separate type ("berliner straße", "am kirchberg weg"), not
    the sentence before it ("my address is ...")."""
    type_start = match.start("type")
    word_start = type_start
    while word_start > 0 and (low[word_start - 1].isalpha() or (
            low[word_start - 1] == "-" and low[word_start - 2:word_start - 1].isalpha())):
        word_start -= 1  # "friedrich-ebert-allee": the whole hyphenated compound
    if word_start < type_start:
        return word_start
    tokens = list(re.finditer(r"\S+", low[match.start():type_start]))
    stops = _STOPWORDS
    start = type_start
    for token in reversed(tokens[-2:]):
        word = token.group()
        if word in stops and word not in _STREET_OPENERS:
            break
        start = match.start() + token.start()
        if word in _STREET_OPENERS:
            break
    return start if start < type_start or tokens else None


_PARTICLE_WORDS = frozenset({"de", "del", "la", "des", "du", "d'", "l'", "le", "los", "las",
                             "di", "della", "dei", "degli", "delle", "da", "do", "dos", "das",
                             "van", "der", "den", "am", "an", "im", "zum", "zur", "of", "the",
                             "y", "st", "st."})


# The parts as one alternation, tried in their order by one match instead of six.
_ANY_PART = re.compile("|".join(f"(?:{part.pattern})" for part in _PARTS))
_AFTER_CITY_PART = _PARTS[[i for i, part in enumerate(_PARTS) if "city" in part.groupindex][0] + 1:]


def _tail(low: str, end: int) -> int:
    for _ in range(3):
        match = _ANY_PART.match(low, end)
        if match is None:
            return end
        city = match.group("city")
        if city is None:
            end = match.end()
            continue
        kept = _city_words(city, _STOPWORDS)
        if kept:
            end = match.start("city") + len(kept)
            continue
        # a postcode before a word that is no city: the parts after that one may still fit
        for part in _AFTER_CITY_PART:
            match = part.match(low, end)
            if match is not None:
                end = match.end()
                break
        else:
            return end
    return end


_CITY_JOINERS = frozenset({"am", "an", "der", "de", "la", "del", "sur", "upon", "on", "im",
                           "in", "di", "les", "en"})
_CITY_OPENERS = frozenset({"san", "santa", "santo", "são", "new", "den", "los", "las", "la",
                           "le", "bad", "st", "st.", "saint", "sainte", "sankt", "el", "port",
                           "fort", "mount", "east", "west", "north", "south", "great", "little"})


def _city_words(city: str, stops: frozenset[str]) -> str:
    """The city after a postcode: one word, more only when joined ("frankfurt am main",
    "castellón de la plana") or opened ("san sebastián", "bad homburg"), so the sentence
    after it stays out ("8010 graz senden" -> "graz")."""
    tokens = re.split(r"([ \t]+)", city)
    words = tokens[::2]
    if not words or words[0].rstrip(".") in stops and words[0] not in _CITY_OPENERS:
        return ""
    keep = 1
    while keep < len(words) and (words[keep - 1] in _CITY_OPENERS or words[keep] in
                                 _CITY_JOINERS or words[keep - 1] in _CITY_JOINERS):
        keep += 1
    while keep > 1 and words[keep - 1] in _CITY_JOINERS:
        keep -= 1
    return "".join(tokens[:2 * keep - 1]).rstrip(" \t.")


_LABEL = re.compile(
    r"(?:(?:address|adres|adresse|anschrift|indirizzo|direcci[óo]n|endereço|afleveradres|"
    r"lieferadresse)(?:[ \t]+(?:de|di|of|van)[ \t]+[^\W\d_]+)?"
    r"(?:[ \t]*[:,]|[ \t]+(?:is|est|es|è|ist|lautet|now)\b[ \t]*:?)"
    r"|(?:ship|deliver|moved|relocated|send|mail)(?:[ \t]+it)?[ \t]+to\b[ \t]*:?)[ \t]*")
# Words that say the label is about something else: "e-mail address:", "ip address is".
_OTHER_ADDRESSES = ("mail", "ip", "mac", "web", "wallet", "server", "contract", "return")
_FIELD_LINE = re.compile(r"[^\W\d_][\w \t]{0,24}:")
_SENTENCE_END = re.compile(r"[.;!?](?=[ \t]|$)")
_BLOCK_WORD = re.compile(r"[^\W\d_]+")
_BLOCK_NUMBER = re.compile(r"(?<![\w.])\d{1,6}(?:[-/]\d{1,6})*[a-z]?(?![\w.]\d)")


def _labelled_block(low: str, start: int) -> Span | None:
    """The address after a label: the rest of the clause, or up to four lines before a blank
    line, while no line holds a word of prose (a stop word other than a street's particle).
    It must hold a house number or postcode and two words, and no e-mail, URL or version."""
    index = start
    if low.startswith("\n", index):
        index += 1
    while low.startswith((" ", "\t", ">"), index):
        index += 1
    stops = _STOPWORDS
    end = index
    for _ in range(4):
        line_end = low.find("\n", end)
        line_end = len(low) if line_end == -1 else line_end
        line = low[end:line_end]
        if end > index and _FIELD_LINE.match(line):
            break  # the next field of a form ("created: ...")
        cut = len(line)
        for word in _BLOCK_WORD.finditer(line):
            token = word.group()
            if token in stops and token not in _PARTICLE_WORDS and token not in _STREET_OPENERS:
                cut = word.start()
                break
        sentence = _SENTENCE_END.search(line, 0, cut)
        while sentence is not None and len(line[:sentence.start()].rsplit(" ", 1)[-1]) <= 4:
            # "tp. ", "3. th.", "p.m.b. ": abbreviations, not the end of the clause
            sentence = _SENTENCE_END.search(line, sentence.end(), cut)
        if sentence is not None:
            cut = sentence.start()
        part = line[:cut].rstrip(" \t,;:-.")
        if not part:
            break
        end += len(part)
        if cut < len(line) or line_end >= len(low):
            break  # the clause ended inside the line
        following = line_end + 1
        while low.startswith((">", " ", "\t"), following):
            following += 1  # a quoted reply's next line
        if low.startswith(("\n", "\r"), following) or following >= len(low):
            break  # a blank line ends the block
        end = following
    text = low[index:end]
    if "@" in text or "://" in text or not _BLOCK_NUMBER.search(text) or \
            len(_BLOCK_WORD.findall(text)) < 2 or re.search(r"\d\.\d", text):
        return None
    return Span(index, end, "STREET_ADDRESS", 0.8)


# Words that open an address line whatever the country's order: "flat 12, ...", "plot 7 ...",
# "room 3, ...", "số 5 ...", "p.m.b. 1234"; and the ward and district of a Vietnamese address,
# whose street line is the line or clause before.
_BLOCK_STARTS = frozenset({"flat", "plot", "room", "số", "p.m.b.", "phường", "quận"})
_UNIT_START = re.compile(r"(?:flat|plot|room|số|p\.m\.b\.)[ \t]*\d{1,6}[a-z]?(?![\w])")
_STREET_BEFORE_WARD = re.compile(r"(?:số[ \t]*)?\d{1,5}[a-z]?(?:/\d{1,4})?[ \t]+[^\d,\n]{2,40}"
                                 r"(?:,[ \t]*|[ \t]*\n[ \t>]*)$")
_POSTCODE_LIKE = re.compile(r"(?<![\w.])\d{3,6}(?:-\d{3,4})?(?![\w.])")


def _block_from_start(low: str, position: int, token: str) -> Span | None:
    if token in ("phường", "quận"):
        head = low[max(0, position - 60):position]
        street = _STREET_BEFORE_WARD.search(head)
        if street is None:
            return None
        return _labelled_block(low, max(0, position - 60) + street.start())
    if _UNIT_START.match(low, position) is None:
        return None
    block = _labelled_block(low, position)
    # a unit or plot number alone is not an address: a postcode, a second line or a comma
    # with more words must follow it
    if block is None or not (len(_POSTCODE_LIKE.findall(low, block.start, block.end)) >= 2
                             or low.count("\n", block.start, block.end)):
        return None
    return block


_JAPANESE = re.compile(
    r"〒[ \t]*\d{3}-\d{4}[^\n]{0,60}"
    r"|(?<![\w-])\d{1,2}-\d{1,3}(?:-\d{1,3})?[ \t]+[^\W\d_]+,[ \t]*[^\W\d_]+-(?:ku|shi|cho|machi)"
    r"(?:,?[ \t]*\n?[ \t>]*[^\W\d_]+[ \t]+\d{3}-\d{4})?")


def _japanese(low: str) -> list[Span]:
    """Japanese addresses: a postcode after 〒, or a chōme-banchi-gō number, a district and
    a ward (-ku), then the city and postcode."""
    return [Span(m.start(), len(m.group().rstrip(" \t.,")) + m.start(), "STREET_ADDRESS", 0.8)
            for m in _JAPANESE.finditer(low)]


def _address_context(low: str, start: int) -> bool:
    """An address word earlier in the same sentence ("ship to 7 oak drive")."""
    before = re.split(r"[.!?\n][ \t]|\n", low[max(0, start - 60):start])[-1]
    return any(word in before for word in _ADDRESS_WORDS)
