"""Which of a model's PERSON spans to believe.

A small general-purpose pipeline tags many things PERSON in support text: a product in
"Dear Kestrel Pay team", a street in "Rue de Rivoli was closed", and, run on German or
Dutch text, phrases such as "mit dem" or "Vielen Dank". A span is kept when it reads like
a name: letters only, one to five words, none of them a stop word of the six languages in
the stop word lexicon, no street type, not a company's name before "team" or "support" —
and, when it is a single word, a given name the lexicon knows (one capitalised word is the
model's weakest guess; a lone surname is left to the rules, which see the "Mrs." before it). This raises precision a great deal and
costs recall only on one-word names nobody has heard of, which the context rules catch
when a salutation or sign-off frames them."""

from __future__ import annotations

import re

from honing.datasets.pii._people import lexicon

# Name particles that are also stop words ("Ilaria De Luca", "Ludwig van Beethoven").
NAME_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "di", "del", "della", "van", "von",
                        "der", "den", "ter", "la", "le", "du", "des", "bin", "ibn", "al", "el",
                        "y", "e", "zu", "st", "mc", "mac", "ben", "bint"})
_STREET_WORDS = frozenset({
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "drive",
    "court", "place", "way", "square", "terrace", "rue", "via", "viale", "calle", "corso",
    "piazza", "plaza", "avenida", "rua", "strasse", "straße", "weg", "allee", "platz",
    "straat", "laan", "gracht", "chemin", "quai", "impasse"})
_ORG_AFTER = re.compile(r"[ \t]*(?:team|support|customer service|helpdesk|staff|account|app|"
                        r"store|shop|inc\b|ltd\b|gmbh|llc)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?")


def plausible_person(text: str, start: int, end: int) -> bool:
    """Whether a model's PERSON span text[start:end] reads like a person's name."""
    value = text[start:end]
    if len(value) > 80 or any(c.isdigit() or c in "@/:#_=<>[]{}|\\" for c in value):
        return False
    words = _WORD.findall(value)
    if not 1 <= len(words) <= 5 or sum(len(w) for w in words) < len(value.replace(" ", "")) - 2:
        return False
    stops, given, family = lexicon("stopwords"), lexicon("given_names"), lexicon("surnames")
    lowered = [w.lower().rstrip(".") for w in words]
    for word in lowered:
        if word in _STREET_WORDS or (word in stops and word not in NAME_PARTICLES
                                     and word not in given and word not in family):
            return False
    if _ORG_AFTER.match(text, end):
        return False
    # A model trained on English reads capitalised German nouns, and more, as names; but a
    # name it found in lower-case running text ("funktioniert der Export") is a phrase.
    if any(not w[0].isupper() for w, low in zip(words, lowered, strict=True)
           if low not in NAME_PARTICLES):
        return False
    if len(lowered) == 1:
        # a surname alone is too often a word ("Herren" is one); the rules find "Mrs. X"
        return lowered[0] in given
    return any(w not in NAME_PARTICLES for w in lowered[1:]) or lowered[0] not in NAME_PARTICLES


def person_in_disguise(text: str, start: int, end: int) -> bool:
    """Whether a model's LOCATION or ORGANIZATION span is a person's name after all: a small
    pipeline often reads "Jean-Baptiste Marchetti" as a company. Two to four capitalised
    words that start with a known given name and pass `plausible_person` are a name."""
    words = _WORD.findall(text[start:end])
    if not 2 <= len(words) <= 4:
        return False
    first = words[0].lower().rstrip(".").split("-")[0]  # Jean-Baptiste: Jean
    given = lexicon("given_names")
    if first not in given and not (len(first) == 1 and words[1].lower() in given):
        return False
    return plausible_person(text, start, end)
