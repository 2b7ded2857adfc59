"""A seeded, labelled corpus of support messages for judging PII detection from the outside.

Messages are e-mails with salutations and signature blocks, chat transcripts, agent notes, web
form dumps and forwarded threads, mostly in English with some German, French, Spanish, Dutch
and Italian, about people and addresses from many countries. Every planted entity has a gold
character span of one of eleven types (`ENTITY_TYPES`); planted hard negatives (version strings,
order numbers, UUIDs, dates that are not birth dates, generic addressees ...) carry their kind
(`NEGATIVE_KINDS`) so a scorer can say which kinds a detector flags.

The phrasing, the name and street lists and the formats are written for this evaluation alone,
independently of the detectors: a detector tuned on its own corpus should not find this one
familiar. `density` sets how much ordinary prose surrounds the entities: "sparse" (about one
span per kilobyte), "standard" (a mix, one span per ~200 bytes) and "dense" (one per ~75 bytes).

    from pii_corpus import generate
    for message in generate(1000, seed=0, density="standard"):
        message.text, message.spans, message.negatives
"""

from __future__ import annotations

import base64
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

ENTITY_TYPES = ("EMAIL", "PHONE", "CREDIT_CARD", "SSN", "IBAN", "IP_ADDRESS", "URL_CREDENTIALS",
                "KEYS", "DATE_OF_BIRTH", "PERSON", "STREET_ADDRESS")
NEGATIVE_KINDS = ("version", "order_number", "uuid", "git_sha", "hex_hash", "timestamp",
                  "other_date", "price", "quantity", "non_luhn_number", "bad_iban", "plain_url",
                  "generic_addressee", "product_or_company", "city_alone", "street_no_number",
                  "capitalised_words")
DENSITIES = ("sparse", "standard", "dense")


@dataclass(frozen=True)
class Message:
    """One support message. `spans` are gold (start, end, TYPE) with text[start:end] the planted
    value; `negatives` are (start, end, KIND) stretches that hold no entity at all."""

    text: str
    spans: list[tuple[int, int, str]]
    negatives: list[tuple[int, int, str]]
    form: str
    language: str


def generate(n: int, *, seed: int, density: str = "standard") -> Iterator[Message]:
    """`n` messages, the same ones for the same seed and density."""
    if density not in DENSITIES:
        raise ValueError(f"density must be one of {', '.join(DENSITIES)}, got {density!r}")
    rng = random.Random(f"{seed}:{density}")
    profile = _PROFILES[density]
    for _ in range(n):
        yield _message(rng, profile)


# ---------------------------------------------------------------------------------------------
# Numbers that pass (or deliberately fail) the checks real systems apply.

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM = _UPPER + _UPPER.lower() + _DIGITS
_URLSAFE = _ALNUM + "-_"
_HEX = "0123456789abcdef"


def _chars(rng: random.Random, alphabet: str, k: int) -> str:
    return "".join(rng.choices(alphabet, k=k))


def _digits(rng: random.Random, k: int) -> str:
    return _chars(rng, _DIGITS, k)


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_complete(body: str) -> str:
    for check in _DIGITS:
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


def iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _iban_check(country: str, bban: str) -> str:
    moved = bban + country + "00"
    return f"{98 - int(''.join(str(int(c, 36)) for c in moved)) % 97:02d}"


_CARD_BRANDS = (  # (prefix maker, length, grouping)
    (lambda r: "4", 16, (4, 4, 4, 4)),
    (lambda r: str(r.randint(51, 55)), 16, (4, 4, 4, 4)),
    (lambda r: str(r.randint(2221, 2720)), 16, (4, 4, 4, 4)),
    (lambda r: r.choice(("34", "37")), 15, (4, 6, 5)),
    (lambda r: r.choice(("6011", "65")), 16, (4, 4, 4, 4)),
    (lambda r: str(r.randint(3528, 3589)), 16, (4, 4, 4, 4)),
    (lambda r: "36", 14, (4, 6, 4)),
)


def _group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    return sep.join(parts)


def card(rng: random.Random) -> str:
    prefix, length, sizes = rng.choice(_CARD_BRANDS)
    head = prefix(rng)
    number = _luhn_complete(head + _digits(rng, length - len(head) - 1))
    return _group(number, sizes, rng.choice(("", " ", " ", "-")))


def non_luhn_number(rng: random.Random) -> str:
    while True:
        number = rng.choice("3456") + _digits(rng, 15)
        if not luhn_ok(number):
            return _group(number, (4, 4, 4, 4), rng.choice(("", " ", "-")))


def _ssn_parts(rng: random.Random) -> tuple[str, str, str]:
    area = rng.choice((rng.randint(1, 665), rng.randint(667, 899)))
    return f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"


def ssn(rng: random.Random) -> str:
    return rng.choice(("-", "-", "-", " ")).join(_ssn_parts(rng))


def ssn_bare(rng: random.Random) -> str:
    return "".join(_ssn_parts(rng))


_IBAN_FORMATS = {  # country: BBAN layout, n = digit, a = capital letter
    "DE": "nnnnnnnnnnnnnnnnnn", "FR": "nnnnnnnnnnnnnnnnnnnnnnn", "ES": "nnnnnnnnnnnnnnnnnnnn",
    "IT": "annnnnnnnnnnnnnnnnnnnnn", "NL": "aaaannnnnnnnnn", "GB": "aaaannnnnnnnnnnnnn",
    "BE": "nnnnnnnnnnnn", "AT": "nnnnnnnnnnnnnnnn", "CH": "nnnnnnnnnnnnnnnnn",
    "PT": "nnnnnnnnnnnnnnnnnnnnn", "IE": "aaaannnnnnnnnnnnnn",
}
_BANK_LETTERS = ("ABNA", "RABO", "INGB", "NWBK", "BARC", "AIBK", "BOFI", "TRIO", "KNAB")


def _bban(rng: random.Random, country: str) -> str:
    layout = _IBAN_FORMATS[country]
    if layout.startswith("aaaa"):
        return rng.choice(_BANK_LETTERS) + _digits(rng, len(layout) - 4)
    return "".join(rng.choice(_UPPER) if c == "a" else rng.choice(_DIGITS) for c in layout)


def _iban_text(compact: str, rng: random.Random) -> str:
    if rng.random() < 0.4:
        return compact
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def iban(rng: random.Random, country: str | None = None) -> str:
    country = country if country in _IBAN_FORMATS else rng.choice(sorted(_IBAN_FORMATS))
    bban = _bban(rng, country)
    return _iban_text(country + _iban_check(country, bban) + bban, rng)


def bad_iban(rng: random.Random) -> str:
    country = rng.choice(sorted(_IBAN_FORMATS))
    bban = _bban(rng, country)
    good = int(_iban_check(country, bban))
    wrong = rng.choice([c for c in range(2, 99) if c != good])
    return _iban_text(f"{country}{wrong:02d}{bban}", rng)


def ipv4(rng: random.Random) -> str:
    first = rng.choice((rng.randint(11, 223), 10, 172, 192, 203, 198, 81, 94, 41, 102))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    prefix = rng.choice(("2001:db8", "2a02:8108", "2607:f8b0", "2400:cb00", "fe80:", "2c0f:fb50"))
    groups = [f"{rng.randint(1, 0xffff):x}" for _ in range(rng.randint(1, 6))]
    if prefix.endswith(":") or rng.random() < 0.6:
        middle = ":" if prefix.endswith(":") else "::"
        tail = ":".join(groups[:rng.randint(1, 4)])
        return f"{prefix}{middle}{tail}"
    head = prefix.split(":") + groups
    head += [f"{rng.randint(0, 0xffff):x}" for _ in range(8 - len(head))]
    return ":".join(head[:8])


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": rng.choice(("HS256", "RS256")), "typ": "JWT"}).encode())
    claims = {"sub": _digits(rng, 8), "iat": 1700000000 + rng.randint(0, 9 ** 7),
              "scope": rng.choice(("read", "read write", "admin"))}
    body = _b64url(json.dumps(claims).encode())
    return f"{header}.{body}.{_chars(rng, _URLSAFE, 43)}"


def provider_key(rng: random.Random) -> str:
    kind = rng.randrange(14)
    if kind < 4:  # live and test keys of a payments provider
        prefix = rng.choice(("sk_live_", "sk_test_", "pk_test_", "pk_live_", "rk_live_",
                             "rk_test_", "whsec_"))
        return prefix + _chars(rng, _ALNUM, rng.randint(24, 60))
    return (
        lambda: "sk-proj-" + _chars(rng, _URLSAFE, rng.randint(48, 80)),
        lambda: "sk-" + _chars(rng, _ALNUM, 48),
        lambda: "ghp_" + _chars(rng, _ALNUM, 36),
        lambda: "github_pat_" + _chars(rng, _ALNUM, 22) + "_" + _chars(rng, _ALNUM, 59),
        lambda: f"{rng.choice(('xoxb', 'xoxp'))}-{_digits(rng, 11)}-{_digits(rng, 13)}-"
                + _chars(rng, _ALNUM, 24),
        lambda: rng.choice(("AKIA", "ASIA")) + _chars(rng, _UPPER + "234567", 16),
        lambda: "AIza" + _chars(rng, _URLSAFE, 35),
        lambda: "hf_" + _chars(rng, _UPPER + _UPPER.lower(), 34),
        lambda: "glpat-" + _chars(rng, _URLSAFE, 20),
        lambda: "SG." + _chars(rng, _URLSAFE, 22) + "." + _chars(rng, _URLSAFE, 43),
    )[kind - 4]()


def password(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return _chars(rng, _HEX, rng.choice((32, 40)))
    if kind == 1:
        return _chars(rng, _ALNUM, rng.randint(20, 40))
    words = ("Otter", "Lantern", "Copper", "Maple", "Falcon", "Harbor", "Quartz", "Velvet")
    if kind == 2:
        return rng.choice(words) + rng.choice("!#$%&*") + _digits(rng, 4) + rng.choice(words)
    return _chars(rng, _ALNUM + "!#$%&*+", rng.randint(12, 18))


_HOSTS = ("app.kestrelpay.com", "portal.brightlane.io", "id.northwind-cloud.com",
          "my.tulpenbank.nl", "accounts.fernwood.dev", "dashboard.quillhub.app",
          "secure.harbourline.co.uk", "console.pinegrove.ai")


def url_with_credentials(rng: random.Random) -> str:
    host = rng.choice(_HOSTS)
    token = _chars(rng, _URLSAFE, rng.randint(28, 48))
    kind = rng.randrange(10)
    if kind == 0:
        scheme = rng.choice(("https", "postgres", "mongodb+srv", "redis", "ftp", "amqp"))
        user = rng.choice(("admin", "deploy", "svc_export", "olu", "backup", "root"))
        port = rng.choice(("", ":5432", ":6379", ":8443", ":21"))
        return f"{scheme}://{user}:{_chars(rng, _ALNUM, rng.randint(8, 16))}@db.{host}{port}/app"
    if kind == 1:
        return f"https://{host}/api/v2/export?access_token={token}&format=csv"
    if kind == 2:
        code = rng.choice(("4/0A", "ac_", "")) + _chars(rng, _URLSAFE, rng.randint(20, 40))
        return f"https://{host}/oauth/callback?code={code}&state={_chars(rng, _ALNUM, 16)}"
    if kind == 3:
        return f"https://{host}/auth/magic-link/{token}"
    if kind == 4:
        return f"https://{host}/login?magic_token={token}&next=%2Fbilling"
    if kind == 5:
        return f"https://{host}/reset-password?token={token}&uid={_digits(rng, 6)}"
    if kind == 6:
        return f"https://{host}/password/reset/{token}"
    if kind == 7:
        return (f"https://{rng.choice(('exports', 'invoices', 'media'))}-{_digits(rng, 4)}"
                f".s3.eu-west-1.amazonaws.com/reports/{_digits(rng, 6)}.pdf"
                f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA"
                f"{_chars(rng, _UPPER, 16)}%2F20240314%2Feu-west-1%2Fs3%2Faws4_request"
                f"&X-Amz-Date=20240314T092653Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
                f"&X-Amz-Signature={_chars(rng, _HEX, 64)}")
    if kind == 8:
        return (f"https://files{_digits(rng, 2)}.blob.core.windows.net/uploads/scan.png"
                f"?sv=2022-11-02&sp=r&se=2024-04-01T00%3A00%3A00Z"
                f"&sig={_chars(rng, _ALNUM, 43)}%3D")
    return (f"https://maps.{host.split('.', 1)[1]}/geocode/json?address=depot&key=AIza"
            f"{_chars(rng, _URLSAFE, 35)}")


def plain_url(rng: random.Random) -> str:
    host = rng.choice(_HOSTS).replace("app.", "help.").replace("portal.", "docs.")
    path = rng.choice(("articles/billing-faq", "status", "pricing", "guides/export-data",
                       "blog/release-notes"))
    query = rng.choice(("", "?page=2&sort=asc", "?utm_source=newsletter&utm_medium=email",
                        "?lang=de", "#section-3"))
    return f"https://{host}/{path}{query}"


def uuid(rng: random.Random) -> str:
    h = _chars(rng, _HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def version(rng: random.Random) -> str:
    parts = [str(rng.randint(1, 19)), str(rng.randint(0, 20)), str(rng.randint(0, 9))]
    if rng.random() < 0.7:
        parts.append(str(rng.randint(0, 250)))
    return rng.choice(("v", "", "")) + ".".join(parts)


def order_number(rng: random.Random) -> str:
    return rng.choice((
        lambda: _digits(rng, 1).replace("0", "4") + _digits(rng, 9),
        lambda: f"{rng.randint(200, 999)}-{_digits(rng, 3)}-{_digits(rng, 4)}",
        lambda: f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}",
        lambda: f"INV-{rng.randint(2022, 2025)}-{_digits(rng, 6)}",
        lambda: f"#{rng.randint(100000, 99999999)}",
        lambda: "1Z" + _chars(rng, _UPPER + _DIGITS, 16),
        lambda: f"{_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)}",
        lambda: f"0{_digits(rng, 9)}",
    ))()


def _date(rng: random.Random, year: int, lang: str) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    names = _MONTHS.get(lang, _MONTHS["en"])
    return rng.choice((
        lambda: f"{year}-{month:02d}-{day:02d}",
        lambda: f"{day:02d}/{month:02d}/{year}",
        lambda: f"{month}/{day}/{year}" if lang == "en" else f"{day}.{month:02d}.{year}",
        lambda: f"{day:02d}.{month:02d}.{year}",
        lambda: (f"{names[month - 1]} {day}, {year}" if lang == "en"
                 else f"{day}{_DAY_SEP.get(lang, ' ')}{names[month - 1]}{_YEAR_SEP.get(lang, ' ')}"
                      f"{year}"),
        lambda: f"{day} {names[month - 1]} {year}",
        lambda: f"{day:02d}-{names[month - 1][:3]}-{year}",
    ))()


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}
_DAY_SEP = {"de": ". ", "es": " de "}
_YEAR_SEP = {"es": " de "}


def timestamp(rng: random.Random) -> str:
    y, mo, d = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    return rng.choice((
        f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
        f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
        f"{d:02d}/{mo:02d}/{y} {h:02d}:{mi:02d}",
        f"{rng.randint(1672531200, 1735603200)}",
        f"{h:02d}:{mi:02d}:{s:02d}.{_digits(rng, 3)}",
    ))


def price(rng: random.Random) -> str:
    amount = rng.randint(1, 250000) / 100
    return rng.choice((
        f"${amount:,.2f}", f"€{amount:.2f}".replace(".", ","), f"£ {amount:.2f}",
        f"USD {amount:,.2f}", f"R$ {amount:,.2f}".replace(",", "_").replace(".", ",")
        .replace("_", "."), f"₹{int(amount):,}", f"{amount:.2f} EUR",
    ))


def quantity(rng: random.Random) -> str:
    return rng.choice((
        f"{rng.randint(2, 9999):,} units", f"qty {rng.randint(2, 500)}",
        f"{rng.randint(2, 12)} x {rng.choice((250, 500, 750))} ml",
        f"{rng.randint(10, 99)} {rng.randint(100, 999)} sheets", f"{rng.randint(2, 40)} boxes",
        f"{rng.randint(1, 20) * 50} kg",
    ))


# ---------------------------------------------------------------------------------------------
# People. Given names by gender and family names, typed per culture; none is fitted to a
# detector. `order` "family" means the family name comes first in native usage.

@dataclass(frozen=True)
class _Culture:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    countries: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    middle: tuple[str, ...] = ()
    order: str = "given"


_CULTURES = {
    "anglo": _Culture(
        ("Margaret", "Imogen", "Harriet", "Keisha", "Caitlin", "Winifred", "Siobhan", "Delphine",
         "Tamsin", "Rosalind", "Bethany", "Marguerite", "Shonda", "Philippa"),
        ("Declan", "Tobias", "Reginald", "DeShawn", "Bartholomew", "Rhys", "Callum", "Ezekiel",
         "Fergus", "Thaddeus", "Lachlan", "Dwayne", "Ambrose", "Crispin"),
        ("Whitfield", "Hollingsworth", "Pemberton", "McAllister", "O'Sullivan", "Abernathy",
         "Thistlewood", "Gallagher", "Brennan", "Featherstone", "Ashdown-Price", "Kowalczyk",
         "Blackwood", "Fairweather", "MacLeod", "Winterbottom"),
        ("US", "UK", "CA", "AU", "US", "UK")),
    "german": _Culture(
        ("Anneliese", "Wiebke", "Henrike", "Ulrike", "Friederike", "Mechthild", "Svenja"),
        ("Jürgen", "Friedrich", "Malte", "Sönke", "Wolfgang", "Lennart", "Ansgar"),
        ("Schröder", "Brandstätter", "von Hohenstein", "Weißmann", "Oberhuber", "Kästner",
         "Müller-Lindner", "Zimmermann", "Große-Wilde", "Pfeiffer"),
        ("DE",), ("de",)),
    "french": _Culture(
        ("Amélie", "Gaëlle", "Maëlys", "Solène", "Ségolène", "Héloïse", "Marie-Claire"),
        ("Théo", "Jean-Baptiste", "Benoît", "Loïc", "Aurélien", "Grégoire", "Hervé"),
        ("Lefèvre", "de La Fontaine", "Rousseau", "Beaumont-Vidal", "Giraud", "Chevalier",
         "Dubois", "Marchetti", "Le Goff", "Vasseur"),
        ("FR", "FR", "CA"), ("fr",)),
    "spanish": _Culture(
        ("Ximena", "Guadalupe", "Begoña", "Nerea", "Itziar", "Montserrat", "Rocío"),
        ("Íñigo", "Joaquín", "Rodrigo", "Xabier", "Gonzalo", "Ignacio", "Baltasar"),
        ("García Ortega", "Fernández de Córdoba", "Etxeberria", "Villanueva", "Ruiz Zafón",
         "Domínguez", "Sáez Ibarra", "Castellanos"),
        ("ES",), ("es",)),
    "italian": _Culture(
        ("Giuseppina", "Chiara", "Benedetta", "Ludovica", "Annunziata", "Ilaria"),
        ("Lorenzo", "Gianluca", "Ottavio", "Pierpaolo", "Salvatore", "Ercole"),
        ("Bianchi", "Esposito", "De Luca", "Lombardi", "Santangelo", "Di Stefano", "Colombo",
         "Ferraresi"),
        ("IT",), ("it",)),
    "dutch": _Culture(
        ("Femke", "Sanne", "Lotte", "Marijke", "Anouk", "Wilhelmina"),
        ("Joost", "Maarten", "Bram", "Sjoerd", "Gijsbert", "Thijs"),
        ("van der Meulen", "de Vries", "Bakker", "van den Broek", "Visser", "Janssen",
         "van Leeuwenhoek", "Hoekstra"),
        ("NL",), ("nl",)),
    "indian": _Culture(
        ("Priya", "Ananya", "Lakshmi", "Deepika", "Meenakshi", "Shreya", "Kavitha"),
        ("Venkatesh", "Siddharth", "Aravind", "Rohan", "Karthikeyan", "Harpreet"),
        ("Raghunathan", "Chatterjee", "Iyer", "Deshpande", "Krishnamurthy", "Banerjee",
         "Reddy", "Sengupta", "Subramanian"),
        ("IN", "IN", "UK", "US")),
    "nigerian": _Culture(
        ("Oluwaseun", "Chiamaka", "Ngozi", "Adaeze", "Funmilayo", "Yetunde", "Ifeoma"),
        ("Emeka", "Babatunde", "Chukwudi", "Olumide", "Tunde", "Obinna"),
        ("Adeyemi", "Okafor", "Nwosu", "Balogun", "Eze", "Olawale", "Okonkwo", "Adebayo-Cole"),
        ("NG", "NG", "UK")),
    "brazilian": _Culture(
        ("Thaís", "Luana", "Raimunda", "Juliana", "Conceição", "Larissa"),
        ("João Pedro", "Gustavo", "Caio", "Vinícius", "Thiago", "Edivaldo"),
        ("dos Santos", "Carvalho", "Nascimento", "Pereira da Silva", "Ribeiro", "Albuquerque",
         "Figueiredo"),
        ("BR",)),
    "japanese": _Culture(
        ("Yui", "Aoi", "Emiko", "Haruka", "Sakura", "Michiko"),
        ("Haruto", "Sōta", "Kenji", "Takumi", "Daisuke", "Ryōsuke"),
        ("Takahashi", "Watanabe", "Yamaguchi", "Nakamura", "Kobayashi", "Fujiwara", "Ishikawa"),
        ("JP",), order="family_sometimes"),
    "vietnamese": _Culture(
        ("Lan", "Thảo", "Phương", "Hằng", "Ngọc Anh"),
        ("Hùng", "Dũng", "Quang", "Tuấn", "Minh Khôi"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ"),
        ("VN", "VN", "AU", "US"), middle=("Thị", "Văn", "Minh", "Đức", "Thanh"), order="family"),
    "nordic": _Culture(
        ("Åsa", "Ingrid", "Freja", "Sigrid", "Astrid"),
        ("Søren", "Bjørn", "Eero", "Magnus", "Leif"),
        ("Kierkegaard-Holm", "Lindqvist", "Andersen", "Sørensen", "Halvorsen", "Järvinen"),
        ("DK", "DK", "UK", "DE")),
}
_CULTURE_NAMES = tuple(_CULTURES)
_CULTURE_WEIGHTS = (4, 1, 1, 1, 1, 1, 1.2, 1.2, 1, 0.8, 0.8, 0.8)


@dataclass
class _Person:
    given: str
    family: str
    gender: str
    culture: str
    country: str
    full: str
    called: str  # what follows an honorific
    email: str


def _ascii(text: str) -> str:
    text = text.replace("ø", "o").replace("ß", "ss").replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "orange.fr", "libero.it",
                 "icloud.com", "proton.me", "hotmail.es", "ziggo.nl", "rediffmail.com",
                 "uol.com.br", "mail.kestrelpay.com", "eng.brightlane.io", "corp.fernwood.dev")


def _email_for(rng: random.Random, given: str, family: str) -> str:
    g, f = _ascii(given), _ascii(family)
    local = rng.choice((f"{g}.{f}", f"{g[0]}{f}", f"{g}{rng.randint(1, 99)}", f"{f}.{g[0]}",
                        f"{g}_{f}"))
    if rng.random() < 0.25:
        local += "+" + rng.choice(("billing", "support", "orders", "news", "2024"))
    return f"{local}@{rng.choice(_MAIL_DOMAINS)}"


def _person(rng: random.Random, country: str | None = None) -> _Person:
    culture_name = rng.choices(_CULTURE_NAMES, _CULTURE_WEIGHTS)[0]
    culture = _CULTURES[culture_name]
    gender = rng.choice("fm")
    given = rng.choice(culture.female if gender == "f" else culture.male)
    family = rng.choice(culture.family)
    country = country or rng.choice(culture.countries)
    if culture.order == "family":
        middle = rng.choice(culture.middle)
        full, called = f"{family} {middle} {given}", given
    else:
        shape = rng.random()
        if culture.order == "family_sometimes" and shape < 0.3:
            full = f"{family} {given}"
        elif shape < 0.15 and culture_name in ("anglo", "german", "dutch", "nordic"):
            full = f"{given} {rng.choice(_UPPER.replace('X', ''))}. {family}"
        elif shape < 0.2:
            full = f"{given[0]}. {family}"
        else:
            full = f"{given} {family}"
        called = family[0].upper() + family[1:] if culture_name == "dutch" else family
    return _Person(given, family, gender, culture_name, country, full, called,
                   _email_for(rng, given, family))


_HONORIFICS = {
    "en": {"f": ("Mrs.", "Ms.", "Ms", "Dr.", "Miss"), "m": ("Mr.", "Mr", "Dr.", "Prof.")},
    "de": {"f": ("Frau", "Frau Dr."), "m": ("Herr", "Herr Dr.")},
    "fr": {"f": ("Mme", "Madame"), "m": ("M.", "Monsieur")},
    "es": {"f": ("Sra.", "Doña"), "m": ("Sr.", "Don")},
    "it": {"f": ("Sig.ra", "Dott.ssa"), "m": ("Sig.", "Dott.")},
    "nl": {"f": ("mevrouw", "mevr."), "m": ("meneer", "dhr.")},
}


# ---------------------------------------------------------------------------------------------
# Addresses, as lines; one span covers all of them, whether joined on one line or not.

def _house(rng: random.Random) -> str:
    return str(rng.choice((rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 19999))))


def _us(rng: random.Random) -> list[str]:
    city, state, zip3 = rng.choice((
        ("Springfield", "IL", "627"), ("Tacoma", "WA", "984"), ("Boise", "ID", "837"),
        ("Savannah", "GA", "314"), ("Albuquerque", "NM", "871"), ("Duluth", "MN", "558"),
        ("Asheville", "NC", "288"), ("Worcester", "MA", "016"), ("Tulsa", "OK", "741"),
        ("Fresno", "CA", "937"), ("Ann Arbor", "MI", "481"), ("El Paso", "TX", "799")))
    code = zip3 + _digits(rng, 2) + (f"-{_digits(rng, 4)}" if rng.random() < 0.2 else "")
    last = f"{city}, {state} {code}"
    if rng.random() < 0.08:
        return [f"{rng.choice(('PO Box', 'P.O. Box'))} {rng.randint(10, 99999)}", last]
    kind = rng.choice(("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd",
                       "Drive", "Dr", "Lane", "Ln", "Court", "Way", "Place", "Parkway"))
    if len(kind) <= 4 and rng.random() < 0.5:
        kind += "."
    name = rng.choice(("Maple", "Juniper", "Sycamore", "Chestnut", "Lakeview", "Old Mill",
                       "Hawthorne", "Cedar Ridge", "Magnolia", "Pine Hollow", "Wabash",
                       "Martin Luther King Jr", "Bluebonnet", "Prospect"))
    direction = rng.choice(("", "", "", "N ", "S ", "E. ", "W "))
    street = f"{_house(rng)} {direction}{name} {kind}"
    if rng.random() < 0.4:
        unit = rng.choice(("Apt 4B", "Apt. 12", "Suite 300", "Ste 210", "Unit 7", "#305"))
        return [f"{street} {unit}", last] if rng.random() < 0.6 else [street, unit, last]
    return [street, last]


def _uk(rng: random.Random) -> list[str]:
    town, area = rng.choice((("Leeds", "LS"), ("Bristol", "BS"), ("Norwich", "NR"),
                             ("Cardiff", "CF"), ("Edinburgh", "EH"), ("Manchester", "M"),
                             ("Belfast", "BT"), ("Brighton", "BN"), ("York", "YO")))
    postcode = (f"{area}{rng.randint(1, 19)} {rng.randint(1, 9)}"
                f"{_chars(rng, 'ABDEFGHJLNPQRSTUWXYZ', 2)}")
    if rng.random() < 0.08:
        return [f"PO Box {rng.randint(100, 9999)}", f"{town} {postcode}"]
    street = f"{_house(rng)[:3]} " + rng.choice((
        "Harcourt Road", "Elm Grove", "Victoria Terrace", "Mill Lane", "Church Street",
        "The Crescent", "Priory Close", "Station Approach", "Kingsley Avenue",
        "Belvoir Gardens", "Rosemary Walk", "Queen's Drive"))
    if rng.random() < 0.3:
        street = f"{rng.choice(('Flat 3', 'Flat 2B', 'Apartment 14', 'Flat 11'))}, {street}"
    return rng.choice(([street, f"{town} {postcode}"], [street, town, postcode]))


def _ca(rng: random.Random) -> list[str]:
    city, prov, fsa = rng.choice((("Toronto", "ON", "M5H"), ("Montréal", "QC", "H3B"),
                                  ("Vancouver", "BC", "V6Z"), ("Halifax", "NS", "B3J"),
                                  ("Calgary", "AB", "T2P"), ("Ottawa", "ON", "K1P"),
                                  ("Winnipeg", "MB", "R3C")))
    postal = f"{fsa} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(0, 9)}"
    last = rng.choice((f"{city}, {prov} {postal}", f"{city} {prov}  {postal}"))
    if rng.random() < 0.08:
        return [f"PO Box {rng.randint(100, 9999)} Stn Main", last]
    street = f"{_house(rng)} " + rng.choice((
        "Queen Street West", "Rue Sainte-Catherine Ouest", "Burrard Street",
        "Spring Garden Road", "Portage Avenue", "Bank Street", "Rue Saint-Denis",
        "Jasper Avenue"))
    if rng.random() < 0.3:
        street = rng.choice((f"{rng.randint(101, 2405)} - {street}", f"Suite 400, {street}"))
    return [street, last]


def _au(rng: random.Random) -> list[str]:
    suburb, state, pc = rng.choice((("Fitzroy", "VIC", "3065"), ("Toowong", "QLD", "4066"),
                                    ("Parramatta", "NSW", "2150"), ("Fremantle", "WA", "6160"),
                                    ("Glenelg", "SA", "5045"), ("Sandy Bay", "TAS", "7005"),
                                    ("Braddon", "ACT", "2612")))
    if rng.random() < 0.08:
        return [f"PO Box {rng.randint(10, 999)}", f"{suburb} {state} {pc}"]
    name = rng.choice(("Wattle Street", "Banksia Crescent", "Jacaranda Drive", "Bourke Street",
                       "Lygon Street", "Coronation Parade", "Kingfisher Close", "Hay Street"))
    house = _house(rng)[:3]
    street = rng.choice((f"{house} {name}", f"Unit {rng.randint(1, 20)}, {house} {name}",
                         f"{rng.randint(1, 20)}/{house} {name}"))
    return [street, f"{suburb} {state} {pc}"]


def _de(rng: random.Random) -> list[str]:
    city, prefix = rng.choice((("Berlin", "10"), ("München", "80"), ("Köln", "50"),
                               ("Hamburg", "20"), ("Leipzig", "04"), ("Stuttgart", "70"),
                               ("Heidelberg", "69"), ("Bremen", "28"), ("Dresden", "01")))
    last = f"{prefix}{_digits(rng, 3)} {city}"
    if rng.random() < 0.08:
        return [f"Postfach {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}", last]
    street = rng.choice(("Lindenstraße", "Goethestraße", "Am Mühlbach", "Friedrich-Ebert-Allee",
                         "Schillerplatz", "Bahnhofstr.", "Kastanienweg", "Ringstraße",
                         "Rosenheimer Str.", "Unter den Eichen", "Kurt-Schumacher-Ring"))
    number = str(rng.randint(1, 180)) + rng.choice(("", "", "", "a", "b", "-4"))
    return [f"{street} {number}", last]


def _fr(rng: random.Random) -> list[str]:
    city, code = rng.choice((("Paris", f"750{rng.randint(1, 20):02d}"), ("Lyon", "6900"
                             + str(rng.randint(1, 9))), ("Nice", "06000"), ("Bordeaux", "33000"),
                             ("Toulouse", "31000"), ("Lille", "59000"), ("Nantes", "44000"),
                             ("Strasbourg", "67000"), ("Montpellier", "34000")))
    city = city.upper() if rng.random() < 0.3 else city
    if rng.random() < 0.08:
        return [f"BP {rng.randint(100, 9999)}", f"{code} {city} Cedex"]
    number = str(rng.randint(1, 140)) + rng.choice(("", "", " bis", " ter"))
    kind = rng.choice(("rue", "avenue", "boulevard", "impasse", "place", "allée", "quai"))
    name = rng.choice(("des Lilas", "Jean-Jaurès", "Victor Hugo", "de la République",
                       "du Moulin", "des Tilleuls", "Gambetta", "Saint-Michel"))
    line = f"{number}{rng.choice((' ', ', '))}{kind} {name}"
    lines = [line, f"{code} {city}"]
    if rng.random() < 0.2:
        lines.insert(0, rng.choice(("Bât. B", "Appt 12", "Résidence les Pins")))
    return lines


def _es(rng: random.Random) -> list[str]:
    city, prefix = rng.choice((("Madrid", "280"), ("Barcelona", "080"), ("Valencia", "460"),
                               ("Sevilla", "410"), ("Bilbao", "480"), ("Málaga", "290")))
    kind, name = rng.choice((("Calle", "de Alcalá"), ("C/", "Mayor"), ("Avenida", "del Puerto"),
                             ("Paseo", "de la Castellana"), ("Carrer", "de Balmes"),
                             ("Avda.", "de la Constitución"), ("Plaza", "del Pilar"),
                             ("Calle", "San Vicente Mártir")))
    floor = rng.choice(("", ", 3º B", ", 2º izq.", ", bajo", ", 1º 2ª", ", 4º dcha."))
    line = f"{kind} {name}{rng.choice((' ', ', '))}{rng.randint(1, 250)}{floor}"
    return [line, f"{prefix}{_digits(rng, 2)} {city}"]


def _it(rng: random.Random) -> list[str]:
    city, prefix, prov = rng.choice((("Milano", "201", "MI"), ("Torino", "101", "TO"),
                                     ("Firenze", "501", "FI"), ("Bologna", "401", "BO"),
                                     ("Napoli", "801", "NA"), ("Roma", "001", "RM")))
    kind = rng.choice(("Via", "Viale", "Corso", "Piazza", "Vicolo", "Largo"))
    name = rng.choice(("Garibaldi", "dei Mille", "Vittorio Emanuele II", "Dante Alighieri",
                       "San Francesco", "XX Settembre", "delle Rose", "Cavour"))
    number = str(rng.randint(1, 200)) + rng.choice(("", "", "/B", "/3"))
    code = f"{prefix}{_digits(rng, 2)}"
    return [f"{kind} {name}{rng.choice((' ', ', '))}{number}",
            rng.choice((f"{code} {city} {prov}", f"{code} {city} ({prov})", f"{code} {city}"))]


def _nl(rng: random.Random) -> list[str]:
    city, prefix = rng.choice((("Amsterdam", "10"), ("Utrecht", "35"), ("Rotterdam", "30"),
                               ("Den Haag", "25"), ("Groningen", "97"), ("Eindhoven", "56"),
                               ("Leiden", "23")))
    code = f"{prefix}{_digits(rng, 2)} {_chars(rng, 'BCEGHJKLMNPRTVWXZ', 2)}"
    street = rng.choice(("Keizersgracht", "Oudegracht", "Westersingel", "Dorpsstraat",
                         "Kerkstraat", "Laan van Meerdervoort", "Zeestraat", "Vondelstraat"))
    number = str(rng.randint(1, 400)) + rng.choice(("", "", "A", "-bis", " hs", "-2"))
    last = rng.choice((f"{code} {city}", f"{code}  {city.upper()}"))
    return [f"{street} {number}", last]


def _in(rng: random.Random) -> list[str]:
    locality, city, state, pin = rng.choice((
        ("Indiranagar", "Bengaluru", "Karnataka", "5600"), ("Teynampet", "Chennai",
                                                            "Tamil Nadu", "6000"),
        ("Bandra West", "Mumbai", "Maharashtra", "4000"), ("Banjara Hills", "Hyderabad",
                                                           "Telangana", "5000"),
        ("Salt Lake", "Kolkata", "West Bengal", "7000")))
    pin += _digits(rng, 2)
    road = rng.choice(("12th Cross Road", "Anna Salai", "MG Road", "Linking Road",
                       "Road No. 12", "100 Feet Road"))
    if rng.random() < 0.5:
        building = rng.choice(("Lotus Residency", "Sai Krupa Apartments", "Green Meadows",
                               "Shanti Niketan"))
        return [f"Flat {rng.randint(101, 1204)}, {building}", f"{road}, {locality}",
                f"{city}, {state} {pin}"]
    return [f"{rng.randint(1, 99)} {road}", locality, f"{city} - {pin}"]


def _ng(rng: random.Random) -> list[str]:
    area, city, code = rng.choice((("Victoria Island", "Lagos", "101241"),
                                   ("Ikoyi", "Lagos", "101233"), ("Wuse II", "Abuja", "900288"),
                                   ("Ikeja", "Lagos", "100271"), ("Surulere", "Lagos", "101283"),
                                   ("GRA", "Port Harcourt", "500272")))
    if rng.random() < 0.08:
        return [f"P.M.B. {rng.randint(1000, 99999)}", f"{city} {code}"]
    street = rng.choice(("Adeola Odeku Street", "Awolowo Road", "Aminu Kano Crescent",
                         "Allen Avenue", "Ogunlana Drive", "Herbert Macaulay Way"))
    number = rng.choice((str(rng.randint(1, 120)), f"Plot {rng.randint(100, 2400)}"))
    return rng.choice(([f"{number} {street}", f"{area}, {city}"],
                       [f"{number} {street}, {area}", f"{city} {code}"]))


def _br(rng: random.Random) -> list[str]:
    bairro, city, uf, prefix = rng.choice((
        ("Laranjeiras", "Rio de Janeiro", "RJ", "222"), ("Bela Vista", "São Paulo", "SP", "013"),
        ("Savassi", "Belo Horizonte", "MG", "301"), ("Boa Viagem", "Recife", "PE", "510"),
        ("Moinhos de Vento", "Porto Alegre", "RS", "905")))
    street = rng.choice(("Rua das Laranjeiras", "Av. Paulista", "Rua Sete de Setembro",
                         "Rua Augusta", "Avenida Dom Pedro II", "Travessa das Flores"))
    extra = rng.choice(("", ", apto 302", ", sala 1204", ", casa 2", ", bloco B, apto 41"))
    cep = f"{prefix}{_digits(rng, 2)}-{_digits(rng, 3)}"
    return [f"{street}, {rng.randint(1, 3000)}{extra} - {bairro}", f"{city} - {uf}, {cep}"]


def _jp(rng: random.Random) -> list[str]:
    town, ward, city, prefix = rng.choice((
        ("Jingumae", "Shibuya-ku", "Tokyo", "150"), ("Umeda", "Kita-ku", "Osaka", "530"),
        ("Sakae", "Naka-ku", "Nagoya", "460"), ("Tenjin", "Chuo-ku", "Fukuoka", "810")))
    block = f"{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    code = f"{prefix}-{_digits(rng, 4)}"
    if rng.random() < 0.3:
        return [f"〒{code} {city}, {ward}, {town} {block}"]
    lines = [f"{block} {town}, {ward}", f"{city} {code}"]
    if rng.random() < 0.3:
        building = rng.choice(("Sunny Heights", "Maison Aoyama"))
        lines.insert(0, f"Room {rng.randint(101, 905)}, {building}")
    return lines


def _vn(rng: random.Random) -> list[str]:
    ward, district, city = rng.choice((
        ("Phường Hàng Bài", "Quận Hoàn Kiếm", "Hà Nội"),
        ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh"),
        ("Phường Thạch Thang", "Quận Hải Châu", "Đà Nẵng")))
    street = rng.choice(("Lý Thường Kiệt", "Nguyễn Huệ", "Trần Hưng Đạo", "Lê Lợi",
                         "Hai Bà Trưng", "Điện Biên Phủ"))
    return [f"{rng.choice(('', 'Số '))}{rng.randint(1, 300)} {street}", f"{ward}, {district}",
            city]


def _dk(rng: random.Random) -> list[str]:
    city, prefix = rng.choice((("København V", "16"), ("Aarhus C", "80"), ("Odense C", "50")))
    street = rng.choice(("Vesterbrogade", "Nørrebrogade", "Strandvejen", "Åboulevarden"))
    return [f"{street} {rng.randint(1, 200)}{rng.choice(('', ', 3. th.', ', 2. tv.'))}",
            f"{prefix}{_digits(rng, 2)} {city}"]


_ADDRESSES: dict[str, Callable[[random.Random], list[str]]] = {
    "US": _us, "UK": _uk, "CA": _ca, "AU": _au, "DE": _de, "FR": _fr, "ES": _es, "IT": _it,
    "NL": _nl, "IN": _in, "NG": _ng, "BR": _br, "JP": _jp, "VN": _vn, "DK": _dk,
}


# ---------------------------------------------------------------------------------------------
# Phones in the formats people write for each country; extensions belong to the number.

def _phone(rng: random.Random, country: str) -> str:
    d = lambda k: _digits(rng, k)  # noqa: E731
    nz = lambda: str(rng.randint(2, 9))  # noqa: E731
    formats = {
        "US": lambda a, e, n: rng.choice((f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"{a}.{e}.{n}",
                                          f"+1 {a} {e} {n}", f"+1-{a}-{e}-{n}", f"1-{a}-{e}-{n}",
                                          f"+1{a}{e}{n}", f"1 ({a}) {e}-{n}")),
        "UK": lambda *_: rng.choice((f"+44 20 7{d(3)} {d(4)}", f"020 7{d(3)} {d(4)}",
                                     f"07{d(3)} {d(6)}", f"+44 7{d(3)} {d(6)}", f"+447{d(9)}",
                                     f"(0161) {d(3)} {d(4)}")),
        "DE": lambda *_: rng.choice((f"+49 30 {d(8)}", f"030 {d(8)}", f"0171 {d(7)}",
                                     f"+49 (0)89 {d(7)}", f"0049 40 {d(6)}", f"+49 151 {d(8)}")),
        "FR": lambda *_: rng.choice((
            f"0{rng.randint(1, 7)} {d(2)} {d(2)} {d(2)} {d(2)}", f"06.{d(2)}.{d(2)}.{d(2)}.{d(2)}",
            f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}", f"+33{rng.randint(1, 7)}{d(8)}")),
        "ES": lambda *_: rng.choice((f"+34 91{d(1)} {d(3)} {d(3)}", f"6{d(2)} {d(3)} {d(3)}",
                                     f"91 {d(3)} {d(2)} {d(2)}", f"+34 6{d(8)}")),
        "IT": lambda *_: rng.choice((f"+39 02 {d(4)} {d(4)}", f"3{d(2)} {d(3)} {d(4)}",
                                     f"+39 3{d(2)} {d(7)}", f"06 {d(7)}")),
        "NL": lambda *_: rng.choice((f"06{d(8)}", f"+31 6 {d(8)}", f"020-{d(7)}",
                                     f"06-{d(8)}", f"+31 (0)20 {d(3)} {d(4)}")),
        "IN": lambda *_: rng.choice((f"+91 9{d(4)} {d(5)}", f"09{d(4)} {d(5)}",
                                     f"+91-9{d(9)}", f"022 2{d(3)} {d(4)}")),
        "NG": lambda *_: rng.choice((f"080{d(1)} {d(3)} {d(4)}", f"+234 80{d(1)} {d(3)} {d(4)}",
                                     f"080{d(8)}", f"+23480{d(8)}")),
        "BR": lambda *_: rng.choice((f"(11) 9{d(4)}-{d(4)}", f"11 9{d(4)}-{d(4)}",
                                     f"+55 11 9{d(4)}-{d(4)}", f"(21) {nz()}{d(3)}-{d(4)}",
                                     f"21 {nz()}{d(3)}-{d(4)}")),
        "AU": lambda *_: rng.choice((f"(02) {nz()}{d(3)} {d(4)}", f"04{d(2)} {d(3)} {d(3)}",
                                     f"+61 4{d(2)} {d(3)} {d(3)}", f"+61 2 {nz()}{d(3)} {d(4)}",
                                     f"(0{rng.choice('2378')}).{nz()}{d(3)}.{d(4)}")),
        "JP": lambda *_: rng.choice((f"03-{d(4)}-{d(4)}", f"090-{d(4)}-{d(4)}",
                                     f"+81 90 {d(4)} {d(4)}", f"+81-3-{d(4)}-{d(4)}",
                                     f"0{rng.choice('3456')}{d(8)}")),
        "VN": lambda *_: rng.choice((f"09{d(2)} {d(3)} {d(3)}", f"+84 9{d(2)} {d(3)} {d(3)}",
                                     f"024 3{d(3)} {d(4)}", f"09{d(8)}")),
        "DK": lambda *_: rng.choice((f"+45 {d(2)} {d(2)} {d(2)} {d(2)}",
                                     f"{nz()}{d(1)} {d(2)} {d(2)} {d(2)}")),
    }
    formats["CA"] = formats["US"]
    area = nz() + str(rng.randint(0, 8)) + d(1)
    number = formats.get(country, formats["US"])(area, nz() + d(2), d(4))
    if country in ("US", "CA", "UK", "AU", "DE") and rng.random() < 0.15:
        number += rng.choice((f" x{d(4)}", f" ext. {d(2)}", f" ext {d(3)}", f"x{d(5)}",
                              f" x{d(3)}"))
    return number


# ---------------------------------------------------------------------------------------------
# Placeholders. A template such as "Call me on {PHONE}." becomes pieces (text, tag): tag is an
# entity type, a negative kind, or None for plain text.

Piece = tuple[str, str | None]


@dataclass
class _Ctx:
    rng: random.Random
    lang: str
    me: _Person
    country: str
    quoted: bool = False
    used: set[str] = field(default_factory=set)


def _honorific(ctx: _Ctx, person: _Person) -> str:
    return ctx.rng.choice(_HONORIFICS.get(ctx.lang, _HONORIFICS["en"])[person.gender])


def _address_lines(ctx: _Ctx) -> list[str]:
    country = ctx.me.country if ctx.rng.random() < 0.8 else ctx.rng.choice(sorted(_ADDRESSES))
    return _ADDRESSES[country](ctx.rng)


def _address_one_line(ctx: _Ctx) -> str:
    return ", ".join(_address_lines(ctx))


def _address_multi(ctx: _Ctx) -> str:
    lines = _address_lines(ctx)
    return ", ".join(lines) if ctx.quoted else "\n".join(lines)


def _dob(ctx: _Ctx) -> str:
    return _date(ctx.rng, ctx.rng.randint(1938, 2006), ctx.lang)


def _other_date(ctx: _Ctx) -> str:
    return _date(ctx.rng, ctx.rng.randint(2023, 2025), ctx.lang)


def _email(ctx: _Ctx) -> str:
    if ctx.rng.random() < 0.6:
        return ctx.me.email
    if ctx.rng.random() < 0.3:
        role = ctx.rng.choice(("billing", "accounts.payable", "it-helpdesk", "office"))
        return f"{role}@{ctx.rng.choice(('kestrelpay.com', 'mail.pinegrove.ai', 'fernwood.dev'))}"
    other = _person(ctx.rng)
    return other.email


def _phone_of(ctx: _Ctx) -> str:
    country = ctx.me.country if ctx.rng.random() < 0.75 else ctx.rng.choice(sorted(_ADDRESSES))
    return _phone(ctx.rng, country)


def _key(ctx: _Ctx) -> str:
    return jwt(ctx.rng) if ctx.rng.random() < 0.15 else provider_key(ctx.rng)


def _product(ctx: _Ctx) -> str:
    return ctx.rng.choice(("Kestrel Pay", "Northwind Analytics", "Blue Heron Cloud",
                           "Maple Ledger Pro", "Quill Hub", "Pinegrove Studio", "Harbour Line",
                           "Brightlane Teams", "Copperfield Sync", "Orchard Mail"))


def _city(ctx: _Ctx) -> str:
    return ctx.rng.choice(("Rotterdam", "Lagos", "Lyon", "Bengaluru", "Leeds", "Osaka",
                           "Porto Alegre", "Tacoma", "Heidelberg", "Valencia", "Hà Nội",
                           "Halifax", "Fremantle", "Bologna", "Aarhus"))


def _street_word(ctx: _Ctx) -> str:
    return ctx.rng.choice(("Main Street", "Baker Street", "Rue de Rivoli", "Kurfürstendamm",
                           "Oxford Road", "Elm Avenue", "Gran Vía", "Via Roma", "Queen Street",
                           "Harbour Drive"))


def _hex_hash(ctx: _Ctx) -> str:
    return _chars(ctx.rng, _HEX, ctx.rng.choice((32, 40, 64)))


def _sha(ctx: _Ctx) -> str:
    return _chars(ctx.rng, _HEX, ctx.rng.choice((7, 10, 12, 40)))


_VALUES: dict[str, tuple[str, Callable[[_Ctx], str]]] = {
    "NAME": ("PERSON", lambda c: c.me.full),
    "LAST": ("PERSON", lambda c: c.me.called),
    "OTHER": ("PERSON", lambda c: _person(c.rng).full),
    "EMAIL": ("EMAIL", _email),
    "MYEMAIL": ("EMAIL", lambda c: c.me.email),
    "PHONE": ("PHONE", _phone_of),
    "CARD": ("CREDIT_CARD", lambda c: card(c.rng)),
    "SSN": ("SSN", lambda c: ssn(c.rng)),
    "SSN9": ("SSN", lambda c: ssn_bare(c.rng)),
    "IBAN": ("IBAN", lambda c: iban(c.rng, c.me.country)),
    "IP4": ("IP_ADDRESS", lambda c: ipv4(c.rng)),
    "IP6": ("IP_ADDRESS", lambda c: ipv6(c.rng)),
    "IP": ("IP_ADDRESS", lambda c: ipv6(c.rng) if c.rng.random() < 0.3 else ipv4(c.rng)),
    "URL": ("URL_CREDENTIALS", lambda c: url_with_credentials(c.rng)),
    "KEY": ("KEYS", _key),
    "SECRET": ("KEYS", lambda c: password(c.rng)),
    "DOB": ("DATE_OF_BIRTH", _dob),
    "ADDR": ("STREET_ADDRESS", _address_one_line),
    "ADDRML": ("STREET_ADDRESS", _address_multi),
    "version": ("version", lambda c: version(c.rng)),
    "order": ("order_number", lambda c: order_number(c.rng)),
    "uuid": ("uuid", lambda c: uuid(c.rng)),
    "sha": ("git_sha", _sha),
    "hash": ("hex_hash", _hex_hash),
    "ts": ("timestamp", lambda c: timestamp(c.rng)),
    "date": ("other_date", _other_date),
    "price": ("price", lambda c: price(c.rng)),
    "qty": ("quantity", lambda c: quantity(c.rng)),
    "nonluhn": ("non_luhn_number", lambda c: non_luhn_number(c.rng)),
    "badiban": ("bad_iban", lambda c: bad_iban(c.rng)),
    "link": ("plain_url", lambda c: plain_url(c.rng)),
    "product": ("product_or_company", _product),
    "city": ("city_alone", _city),
    "street": ("street_no_number", _street_word),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}|\[\[(.+?)\]\]")


def _fill(ctx: _Ctx, template: str) -> list[Piece]:
    """Pieces of a template: {NAME}-style placeholders become tagged values, {HLAST}/{HNAME}
    an honorific then the tagged name, [[...]] a stretch that is itself a negative of kind
    generic_addressee or capitalised_words (marked by a leading 'g:' or 'c:')."""
    pieces: list[Piece] = []
    at = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append((template[at:match.start()], None))
        at = match.end()
        key, marked = match.group(1), match.group(2)
        if marked:
            kind = {"g": "generic_addressee", "c": "capitalised_words"}[marked[0]]
            pieces.append((marked[2:], kind))
        elif key in ("HLAST", "HNAME", "HOTHER"):
            person = _person(ctx.rng) if key == "HOTHER" else ctx.me
            pieces.append((_honorific(ctx, person) + " ", None))
            pieces.append((person.full if key == "HNAME" else person.called, "PERSON"))
        else:
            tag, make = _VALUES[key]
            pieces.append((make(ctx), tag))
    pieces.append((template[at:], None))
    return [p for p in pieces if p[0]]


# ---------------------------------------------------------------------------------------------
# Sentences. Each entity has several phrasings; the voice says who would write it: "c" the
# customer, "a" the support agent, "n" either. Languages other than English fall back to the
# English phrasings for the types they lack, as mixed-language tickets do.

_UNITS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "en": {
        "PERSON": [
            ("c", "My name is {NAME} and I have had an account with you for years."),
            ("c", "I'm writing on behalf of my mother, {OTHER}, who isn't online much."),
            ("c", "{NAME} here, following up on last week's call."),
            ("c", "Please add {OTHER} as an authorised user on the account."),
            ("n", "The parcel was signed for by someone called {OTHER}, whom I don't know."),
            ("c", "I spoke to {HOTHER} on the phone yesterday and she said it was sorted."),
            ("a", "I've passed this to my colleague {OTHER}, who looks after refunds."),
            ("c", "The account is in my husband's name, {OTHER}."),
            ("a", "As discussed with {HLAST} this morning, the plan was changed."),
        ],
        "EMAIL": [
            ("c", "You can reach me at {EMAIL} if that is easier."),
            ("c", "Please send the receipt to {EMAIL} rather than my work address."),
            ("c", "My login is {EMAIL}."),
            ("c", "I changed my e-mail to {EMAIL} last week but invoices still go to the old one."),
            ("n", "cc'ing {EMAIL}, who handles our billing."),
            ("a", "We have sent the confirmation to {EMAIL}; please check your spam folder."),
            ("c", "reply to {EMAIL} please, not this address"),
        ],
        "PHONE": [
            ("c", "Best number to call is {PHONE}."),
            ("c", "You can call me on {PHONE} between nine and five."),
            ("c", "My mobile changed, it is now {PHONE}."),
            ("a", "I tried calling {PHONE} twice with no answer."),
            ("c", "Please text {PHONE} when the courier is close."),
            ("a", "Is {PHONE} still the right number for you?"),
            ("c", "call back on {PHONE}, ask for me"),
            ("c", "My landline {PHONE} has been cut off since Monday."),
        ],
        "CREDIT_CARD": [
            ("c", "The charge went to my card {CARD} and I never authorised it."),
            ("c", "I paid with {CARD}, can you check what happened?"),
            ("c", "Please refund it to {CARD} instead."),
            ("c", "Card number {CARD}, expiry 09/27."),
            ("a", "The payment from {CARD} was declined by the issuing bank."),
            ("c", "Here's the card I used: {CARD}"),
        ],
        "SSN": [
            ("c", "My SSN is {SSN}."),
            ("c", "For the tax form, my social security number is {SSN}."),
            ("c", "You asked for my SSN earlier; the full one is {SSN9}."),
            ("c", "SSN {SSN9} (no dashes, sorry)"),
            ("a", "The W-9 you uploaded lists {SSN} as the social security number."),
            ("c", "Social Security no. {SSN}, as on the card."),
        ],
        "IBAN": [
            ("c", "Please wire the refund to IBAN {IBAN}."),
            ("c", "My bank details are {IBAN}, account holder {NAME}."),
            ("c", "The IBAN on file ({IBAN}) is my old account."),
            ("c", "Transfer it to {IBAN} please."),
            ("a", "The refund will go to the account ending in the IBAN {IBAN} you gave us."),
        ],
        "IP_ADDRESS": [
            ("c", "My IP address is {IP4} according to the router page."),
            ("c", "The login alert said it came from {IP}, which is not me."),
            ("c", "Connection to [{IP6}]:443 failed with a TLS error."),
            ("n", "upstream {IP6}: timeout after 30s"),
            ("c", "Our office egress address is {IP4}:8443 if you need to allow it."),
            ("a", "Requests from {IP} are being blocked by the firewall."),
            ("n", "Server log: client={IP} status=403"),
        ],
        "URL_CREDENTIALS": [
            ("c", "The reset link {URL} says it has expired."),
            ("c", "I clicked {URL} and got a blank page."),
            ("c", "Here is what the browser showed after login: {URL}"),
            ("c", "Our integration points at {URL} in case that matters."),
            ("a", "Please use this link instead: {URL} (valid for one hour)"),
        ],
        "KEYS": [
            ("c", "I accidentally pasted our key {KEY} in the last ticket, please delete it."),
            ("c", "Using {KEY} in the request header still returns 401."),
            ("c", "Config says API_KEY={KEY} and nothing else changed."),
            ("c", "the api key is {KEY}"),
            ("c", "password: {SECRET}\n"),
            ("n", "token={SECRET} was in the logs."),
            ("c", "The temporary password you sent ({SECRET}) does not work."),
            ("c", "my api key is {SECRET} if you need to test"),
            ("c", "Authorization: Bearer {KEY}"),
        ],
        "DATE_OF_BIRTH": [
            ("c", "My date of birth is {DOB}."),
            ("c", "DOB: {DOB}"),
            ("c", "I was born on {DOB}, if you need it for verification."),
            ("a", "Could you confirm the date of birth on the account? We have {DOB}."),
            ("c", "For verification: born {DOB}."),
            ("c", "The birth date on my profile is wrong, it should be {DOB}."),
            ("a", "What is your date of birth? Our records show {DOB}, but the ID says otherwise."),
        ],
        "STREET_ADDRESS": [
            ("c", "Please ship to {ADDR}."),
            ("c", "My new address is {ADDR} as of this month."),
            ("c", "The package went to my old address, {ADDR}, instead of the new one."),
            ("c", "Billing address:\n{ADDRML}\n"),
            ("n", "Deliver to:\n{ADDRML}\n"),
            ("c", "I moved to {ADDR} in March."),
            ("a", "We have {ADDR} as your delivery address; is that still right?"),
        ],
    },
    "de": {
        "PERSON": [("c", "Mein Name ist {NAME}, ich bin seit Jahren Kunde."),
                   ("c", "Ich schreibe für meinen Vater, {OTHER}.")],
        "EMAIL": [("c", "Sie erreichen mich unter {EMAIL}."),
                  ("c", "Bitte schicken Sie die Rechnung an {EMAIL}.")],
        "PHONE": [("c", "Rufen Sie mich gern unter {PHONE} an."),
                  ("c", "Meine neue Handynummer lautet {PHONE}.")],
        "IBAN": [("c", "Bitte überweisen Sie die Erstattung auf {IBAN}."),
                 ("c", "Meine Bankverbindung: IBAN {IBAN}")],
        "DATE_OF_BIRTH": [("c", "Mein Geburtsdatum ist der {DOB}."),
                          ("a", "Können Sie Ihr Geburtsdatum bestätigen? Bei uns steht {DOB}."),
                          ("c", "geboren am {DOB}")],
        "STREET_ADDRESS": [("c", "Meine neue Anschrift lautet {ADDR}."),
                           ("c", "Lieferadresse:\n{ADDRML}\n")],
    },
    "fr": {
        "PERSON": [("c", "Je m'appelle {NAME} et je suis cliente depuis longtemps."),
                   ("c", "J'écris de la part de mon père, {OTHER}.")],
        "EMAIL": [("c", "Vous pouvez me joindre à {EMAIL}."),
                  ("c", "Merci d'envoyer la facture à {EMAIL}.")],
        "PHONE": [("c", "Vous pouvez m'appeler au {PHONE}."),
                  ("c", "Mon nouveau numéro est le {PHONE}.")],
        "IBAN": [("c", "Merci de rembourser sur l'IBAN {IBAN}."),
                 ("c", "Mes coordonnées bancaires : {IBAN}")],
        "DATE_OF_BIRTH": [("c", "Ma date de naissance est le {DOB}."),
                          ("a", "Pouvez-vous confirmer votre date de naissance ? "
                                "Nous avons le {DOB}."),
                          ("c", "née le {DOB}")],
        "STREET_ADDRESS": [("c", "Ma nouvelle adresse est {ADDR}."),
                           ("c", "Adresse de livraison :\n{ADDRML}\n")],
    },
    "es": {
        "PERSON": [("c", "Me llamo {NAME} y soy cliente desde hace años."),
                   ("c", "Escribo en nombre de mi madre, {OTHER}.")],
        "EMAIL": [("c", "Pueden escribirme a {EMAIL}."),
                  ("c", "Envíen la factura a {EMAIL}, por favor.")],
        "PHONE": [("c", "Pueden llamarme al {PHONE}."),
                  ("c", "Mi móvil nuevo es el {PHONE}.")],
        "IBAN": [("c", "Por favor, hagan la devolución a la cuenta {IBAN}.")],
        "DATE_OF_BIRTH": [("c", "Mi fecha de nacimiento es {DOB}."),
                          ("a", "¿Puede confirmar su fecha de nacimiento? Tenemos {DOB}.")],
        "STREET_ADDRESS": [("c", "Mi nueva dirección es {ADDR}."),
                           ("c", "Dirección de envío:\n{ADDRML}\n")],
    },
    "it": {
        "PERSON": [("c", "Mi chiamo {NAME} e sono cliente da anni."),
                   ("c", "Scrivo per conto di mio padre, {OTHER}.")],
        "EMAIL": [("c", "Potete scrivermi a {EMAIL}.")],
        "PHONE": [("c", "Potete chiamarmi al {PHONE}."),
                  ("c", "Il mio nuovo cellulare è {PHONE}.")],
        "IBAN": [("c", "Vi prego di effettuare il rimborso sull'IBAN {IBAN}.")],
        "DATE_OF_BIRTH": [("c", "La mia data di nascita è {DOB}."),
                          ("a", "Può confermare la data di nascita? Risulta {DOB}.")],
        "STREET_ADDRESS": [("c", "Il mio nuovo indirizzo è {ADDR}."),
                           ("c", "Indirizzo di consegna:\n{ADDRML}\n")],
    },
    "nl": {
        "PERSON": [("c", "Mijn naam is {NAME} en ik ben al jaren klant."),
                   ("c", "Ik schrijf namens mijn moeder, {OTHER}.")],
        "EMAIL": [("c", "U kunt mij mailen op {EMAIL}.")],
        "PHONE": [("c", "Bel me gerust op {PHONE}."),
                  ("c", "Mijn nieuwe nummer is {PHONE}.")],
        "IBAN": [("c", "Graag het bedrag terugstorten op {IBAN}.")],
        "DATE_OF_BIRTH": [("c", "Mijn geboortedatum is {DOB}."),
                          ("a", "Kunt u uw geboortedatum bevestigen? Wij hebben {DOB}.")],
        "STREET_ADDRESS": [("c", "Mijn nieuwe adres is {ADDR}."),
                           ("c", "Afleveradres:\n{ADDRML}\n")],
    },
}

# Agent notes: terse, third person, internal.
_NOTES = {
    "PERSON": ("caller {NAME}", "spoke w/ {OTHER} (spouse)", "cust {NAME} verified"),
    "EMAIL": ("email {EMAIL}", "new contact {EMAIL}"),
    "PHONE": ("cb {PHONE}", "called {PHONE}, no answer", "alt no. {PHONE}"),
    "CREDIT_CARD": ("card {CARD} blocked", "disputed charge on {CARD}"),
    "SSN": ("ssn {SSN} on W-9", "SSN given as {SSN9}"),
    "IBAN": ("refund to {IBAN}", "IBAN upd {IBAN}"),
    "IP_ADDRESS": ("login from {IP} flagged", "allowlisted {IP4}"),
    "URL_CREDENTIALS": ("sent reset link {URL}", "cust pasted {URL}"),
    "KEYS": ("leaked key {KEY} revoked", "temp pw {SECRET} issued"),
    "DATE_OF_BIRTH": ("DOB {DOB} verified", "date of birth {DOB} confirmed"),
    "STREET_ADDRESS": ("addr changed to {ADDR}", "ship to {ADDR}"),
}
_NOTE_NEGATIVES = ("order {order}", "ticket {order}", "app {version}", "req {uuid}",
                   "escalated at {ts}", "appt {date}", "charged {price}", "commit {sha}",
                   "voucher {nonluhn} rejected", "plan {product}", "kb {link}")

_NEGATIVES: dict[str, list[str]] = {
    "en": [
        "The app shows version {version} in the About screen.",
        "After updating to build {version} the sync stopped working.",
        "We're running firmware {version} on the gateway.",
        "Release {version} fixed the crash for my colleague but not for me.",
        "Order {order} arrived damaged.",
        "Invoice {order} was charged twice.",
        "Ticket {order} is still open after two weeks.",
        "Tracking number {order} hasn't moved since Friday.",
        "Your reference was {order}, if that helps.",
        "Request ID {uuid} in case that helps your engineers.",
        "Workspace id: {uuid}",
        "We deployed commit {sha} this morning and the error started.",
        "The export's SHA-256 checksum is {hash}, which does not match.",
        "The error happened at {ts}.",
        "The order was placed on {date}.",
        "Can we move the appointment to {date}?",
        "My subscription renews on {date}.",
        "I was charged {price} instead of {price}.",
        "We ordered {qty} but only half arrived.",
        "The voucher code {nonluhn} is rejected at checkout.",
        "The form says {badiban} is not a valid IBAN, so I must have mistyped it.",
        "I read {link} but it did not answer my question.",
        "I've been using {product} for two years without problems.",
        "Is {product} compatible with the older model?",
        "I'm travelling to {city} next week; will that affect delivery?",
        "Your {city} warehouse keeps sending it back.",
        "{street} was closed, so the driver could not deliver.",
        "Is the shop on {street} still open on Sundays?",
        "[[c:Please Read The Updated Terms Of Service Before Renewing]].",
        "The banner said [[c:Account Status Pending Review]] all day.",
        "[[c:Thank You For Choosing Premium Support]] was the only reply I got.",
    ],
    "de": ["Bestellung {order} kam beschädigt an.", "Die App zeigt Version {version}.",
           "Der Termin am {date} passt mir nicht.", "Mir wurden {price} berechnet.",
           "Ich bin nächste Woche in {city}."],
    "fr": ["La commande {order} est arrivée abîmée.", "L'application affiche la version {version}.",
           "Le rendez-vous du {date} ne me convient pas.", "On m'a facturé {price}."],
    "es": ["El pedido {order} llegó dañado.", "La aplicación muestra la versión {version}.",
           "La cita del {date} no me viene bien.", "Me cobraron {price}."],
    "it": ["L'ordine {order} è arrivato danneggiato.", "L'app mostra la versione {version}.",
           "L'appuntamento del {date} non mi va bene."],
    "nl": ["Bestelling {order} kwam beschadigd aan.", "De app toont versie {version}.",
           "De afspraak op {date} komt mij niet uit."],
}

_FILLER: dict[str, list[str]] = {
    "en": [
        "I hope this message finds you well.",
        "I have been a happy customer for a long time, so this is frustrating.",
        "The problem started after the last update and has not gone away since.",
        "I already tried logging out and back in, clearing the cache and restarting the phone.",
        "Nobody in the office can open the shared folder any more.",
        "The export finishes, but the file is empty when I open it in a spreadsheet.",
        "Your help page suggests contacting support, which is why I am writing.",
        "We rely on the weekly report for our planning meetings, so it is fairly urgent.",
        "The delivery window was given as the morning, but nobody came.",
        "It would be great if you could look into this before the end of the month.",
        "Thanks again for the quick reply last time.",
        "I'm not sure whether this is a bug or something on our side.",
        "The same thing happens in the browser and in the desktop application.",
        "We also noticed that notifications arrive late, sometimes by several hours.",
        "Could you tell me whether a refund is possible in this case?",
        "I attached screenshots of the error message to the previous ticket.",
        "The chat widget closed before I could finish describing the issue.",
        "Our team switched plans last quarter and the invoices look different now.",
        "Please let me know if you need anything else from me.",
        "The item itself is fine, but the packaging was torn and wet.",
        "My colleague has the same problem on a different account.",
        "We would prefer to keep the current plan until the contract ends.",
        "I would rather not cancel, but the service has been unreliable lately.",
        "The confirmation never arrived, although the payment went through.",
        "When I press save, the page reloads and my changes are gone.",
        "It seems to happen only with larger files, small ones upload fine.",
        "I checked the status page and it says everything is operational.",
        "Honestly the old interface was easier to find things in.",
        "Could you escalate this to someone who can change the billing settings?",
        "I am available most afternoons if a call would be quicker.",
        "This is the third time I am writing about the same issue.",
        "The courier left a card saying they would try again tomorrow.",
        "I understand these things take time, but an update would be appreciated.",
        "We are happy with the product otherwise and would like to keep using it.",
        "The search returns results from the wrong project.",
        "After the password change, the mobile app keeps asking me to sign in again.",
        "The discount that was promised on the phone is not on the invoice.",
        "I think the problem is with the time zone setting, but I cannot find it.",
        "Our accountant needs a corrected invoice before she can close the books.",
        "The replacement part fits, but the instructions were missing from the box.",
    ],
    "de": ["Leider funktioniert der Export seit dem letzten Update nicht mehr.",
           "Ich habe bereits mehrfach versucht, mich neu anzumelden.",
           "Über eine schnelle Rückmeldung würde ich mich sehr freuen.",
           "Das Paket wurde beim Nachbarn abgegeben, war aber beschädigt.",
           "Die Rechnung stimmt nicht mit dem vereinbarten Preis überein.",
           "Vielen Dank im Voraus für Ihre Hilfe."],
    "fr": ["Depuis la dernière mise à jour, l'export ne fonctionne plus.",
           "J'ai déjà essayé de me reconnecter plusieurs fois.",
           "Je vous remercie par avance pour votre aide.",
           "Le colis a été livré chez un voisin et il était abîmé.",
           "La facture ne correspond pas au tarif convenu."],
    "es": ["Desde la última actualización la exportación no funciona.",
           "Ya intenté cerrar sesión y volver a entrar varias veces.",
           "Gracias de antemano por su ayuda.",
           "El paquete llegó con la caja rota.",
           "La factura no coincide con el precio acordado."],
    "it": ["Dall'ultimo aggiornamento l'esportazione non funziona più.",
           "Ho già provato a disconnettermi e riconnettermi.",
           "Vi ringrazio in anticipo per l'aiuto.",
           "Il pacco è arrivato con la scatola rotta."],
    "nl": ["Sinds de laatste update werkt de export niet meer.",
           "Ik heb al meerdere keren opnieuw ingelogd.",
           "Alvast bedankt voor uw hulp.",
           "Het pakket is bij de buren afgeleverd en was beschadigd."],
}

_SALUTE_CUSTOMER = {  # a customer writing to the company
    "en": ("Hello [[g:Support]],", "Hi [[g:team]],", "Dear [[g:Sir or Madam]],",
           "[[g:To whom it may concern]],", "Hello,", "Hi there,", "Dear {product} team,"),
    "de": ("Sehr geehrte [[g:Damen und Herren]],", "Hallo [[g:Support-Team]],"),
    "fr": ("Bonjour,", "Madame, Monsieur,"),
    "es": ("Hola,", "Estimados señores:"),
    "it": ("Buongiorno,", "Gentile [[g:assistenza clienti]],"),
    "nl": ("Beste [[g:klantenservice]],", "Goedendag,"),
}
_SALUTE_AGENT = {  # the company writing to a customer
    "en": ("Dear {HLAST},", "Dear {NAME},", "Hello {HLAST},", "Hi {NAME},", "Dear {HNAME},",
           "Good morning {HLAST},", "Dear [[g:customer]],", "Hello [[g:valued member]],"),
    "de": ("Guten Tag {HLAST},", "Hallo {NAME},", "Sehr geehrte/r {HNAME},"),
    "fr": ("Bonjour {HLAST},", "Bonjour {NAME},", "Cher client,"),
    "es": ("Hola {HLAST}:", "Buenos días, {NAME}:"),
    "it": ("Gentile {HLAST},", "Buongiorno {NAME},"),
    "nl": ("Beste {NAME},", "Geachte {HLAST},"),
}
_SIGNOFF = {
    "en": ("Thanks!", "Best regards,", "Kind regards,", "Cheers,", "Many thanks,", "Best,",
           "Thank you,", "Regards,"),
    "de": ("Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße"),
    "fr": ("Cordialement,", "Bien à vous,", "Merci d'avance,"),
    "es": ("Saludos,", "Un saludo,", "Atentamente,"),
    "it": ("Cordiali saluti,", "Grazie,", "Distinti saluti,"),
    "nl": ("Met vriendelijke groet,", "Groetjes,", "Hartelijke groet,"),
}
_TEAMS = ("[[g:The Billing Team]]", "[[g:Customer Care]]", "[[g:Support]]",
          "[[g:The Kestrel Pay Team]]", "[[g:Accounts Receivable]]", "[[g:Your Support Team]]")
_FIELDS = {  # form labels per language, then per entity
    "en": {"PERSON": ("Name", "Full name", "Customer"), "STREET_ADDRESS": ("Address",
           "Shipping address", "Billing address"), "PHONE": ("Phone", "Tel", "Mobile"),
           "EMAIL": ("Email", "E-mail"), "DATE_OF_BIRTH": ("Date of birth", "DOB", "Birth date")},
    "de": {"PERSON": ("Name",), "STREET_ADDRESS": ("Anschrift", "Adresse"),
           "PHONE": ("Telefon", "Handy"), "EMAIL": ("E-Mail",), "DATE_OF_BIRTH": ("Geburtsdatum",)},
    "fr": {"PERSON": ("Nom",), "STREET_ADDRESS": ("Adresse",), "PHONE": ("Téléphone",
           "Portable"), "EMAIL": ("Courriel",), "DATE_OF_BIRTH": ("Date de naissance",)},
    "es": {"PERSON": ("Nombre",), "STREET_ADDRESS": ("Dirección",), "PHONE": ("Teléfono",
           "Móvil"), "EMAIL": ("Correo",), "DATE_OF_BIRTH": ("Fecha de nacimiento",)},
    "it": {"PERSON": ("Nome",), "STREET_ADDRESS": ("Indirizzo",), "PHONE": ("Telefono",
           "Cellulare"), "EMAIL": ("Email",), "DATE_OF_BIRTH": ("Data di nascita",)},
    "nl": {"PERSON": ("Naam",), "STREET_ADDRESS": ("Adres",), "PHONE": ("Telefoon", "Mobiel"),
           "EMAIL": ("E-mail",), "DATE_OF_BIRTH": ("Geboortedatum",)},
}
_FIELD_VALUES = {"PERSON": "{NAME}", "STREET_ADDRESS": "{ADDRML}", "PHONE": "{PHONE}",
                 "EMAIL": "{MYEMAIL}", "DATE_OF_BIRTH": "{DOB}", "SSN": "{SSN}",
                 "CREDIT_CARD": "{CARD}", "IBAN": "{IBAN}", "IP_ADDRESS": "{IP}",
                 "KEYS": "{KEY}", "URL_CREDENTIALS": "{URL}"}
_OTHER_FIELDS = {"SSN": "SSN", "CREDIT_CARD": "Card number", "IBAN": "IBAN",
                 "IP_ADDRESS": "Last login IP", "KEYS": "API key", "URL_CREDENTIALS": "Callback URL"}
_FIELD_NEGATIVES = ("Order: {order}", "Created: {ts}", "Plan: {product}", "Amount: {price}",
                    "App version: {version}", "Request ID: {uuid}", "Preferred date: {date}")

_TYPE_WEIGHTS = {"PERSON": 1.0, "STREET_ADDRESS": 1.1, "EMAIL": 0.9, "PHONE": 1.3,
                 "CREDIT_CARD": 0.8, "SSN": 0.8, "IBAN": 0.8, "IP_ADDRESS": 0.9,
                 "URL_CREDENTIALS": 0.9, "KEYS": 1.1, "DATE_OF_BIRTH": 1.0}


# ---------------------------------------------------------------------------------------------
# Assembly.

@dataclass(frozen=True)
class _Profile:
    forms: dict[str, float]
    units: tuple[int, int]           # body units that carry an entity
    negatives_per_unit: float        # hard negatives per entity unit
    bytes_per_span: tuple[int, int]  # prose is added until a span has this much text around it
    signature_detail: float          # chance of an address and phone under a customer's name


_PROFILES = {
    "sparse": _Profile({"email": 5, "forward": 2, "chat": 1.5, "note": 1}, (1, 2), 1.0,
                       (900, 1300), 0.2),
    "standard": _Profile({"email": 4, "forward": 1.5, "chat": 2, "note": 1.5, "form": 1.5},
                         (2, 6), 1.0, (150, 250), 0.5),
    "dense": _Profile({"email": 1.5, "chat": 0.5, "note": 4, "form": 3}, (8, 16), 0.25,
                      (55, 75), 0.9),
}
_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_LANGUAGE_WEIGHTS = (70, 6, 6, 6, 6, 6)


@dataclass
class _Parts:
    """A message under construction: fixed head and tail, body units, and the prose to mix in."""

    head: list[Piece] = field(default_factory=list)
    units: list[list[Piece]] = field(default_factory=list)
    tail: list[Piece] = field(default_factory=list)


def _spans_in(pieces: list[Piece]) -> int:
    return sum(1 for _, tag in pieces if tag in _ENTITY_SET)


_ENTITY_SET = frozenset(ENTITY_TYPES)


def _pick_type(rng: random.Random) -> str:
    return rng.choices(list(_TYPE_WEIGHTS), list(_TYPE_WEIGHTS.values()))[0]


def _sentence(ctx: _Ctx, entity: str, voices: str) -> tuple[str, list[Piece]]:
    """(voice, pieces) of one sentence about `entity`, in the message language when it has one."""
    table = _UNITS.get(ctx.lang, {}).get(entity) or _UNITS["en"][entity]
    options = [u for u in table if u[0] in voices] or _UNITS["en"][entity]
    fresh = [u for u in options if u[1] not in ctx.used]  # a writer rarely repeats a sentence
    voice, template = ctx.rng.choice(fresh or options)
    ctx.used.add(template)
    return voice, _fill(ctx, template)


def _negative(ctx: _Ctx) -> list[Piece]:
    table = _NEGATIVES.get(ctx.lang, []) + _NEGATIVES["en"]
    template = ctx.rng.choice([t for t in table if t not in ctx.used] or table)
    ctx.used.add(template)
    return _fill(ctx, template)


def _filler(ctx: _Ctx, need: int, short: bool) -> list[str]:
    """Ordinary sentences of about `need` bytes, none repeated within a message while the
    language has more; tickets in other languages borrow English ones after that, as mixed
    tickets do."""
    own = list(_FILLER.get(ctx.lang, _FILLER["en"]))
    english = list(_FILLER["en"])
    ctx.rng.shuffle(own)
    ctx.rng.shuffle(english)
    pool = [s for s in own + english if not short or len(s) < 70]
    chosen: list[str] = []
    while need > 0:
        sentence = pool[len(chosen) % len(pool)]
        chosen.append(sentence)
        need -= len(sentence.encode()) + 1
    return chosen


def _message(rng: random.Random, profile: _Profile) -> Message:
    language = rng.choices(_LANGUAGES, _LANGUAGE_WEIGHTS)[0]
    form = rng.choices(list(profile.forms), list(profile.forms.values()))[0]
    if language != "en" and form == "note":
        form = "email"
    me = _person(rng)
    if language != "en" and rng.random() < 0.7:
        me = _person(rng, {"de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL"}[language])
    ctx = _Ctx(rng, language, me, me.country)
    pieces = _FORMS[form](ctx, profile)
    return _assemble(pieces, form, language)


def _body(ctx: _Ctx, profile: _Profile, voices: str) -> list[tuple[str, list[Piece]]]:
    """Entity sentences and hard negatives in random order, each with its voice."""
    units = [_sentence(ctx, _pick_type(ctx.rng), voices)
             for _ in range(ctx.rng.randint(*profile.units))]
    count = profile.negatives_per_unit * len(units)
    count = int(count) + (ctx.rng.random() < count - int(count))
    units += [("n", _negative(ctx)) for _ in range(count)]
    ctx.rng.shuffle(units)
    return units


def _prose_needed(ctx: _Ctx, profile: _Profile, pieces: list[Piece]) -> int:
    spans = max(1, _spans_in(pieces))
    size = sum(len(text.encode()) for text, _ in pieces)
    return ctx.rng.randint(*profile.bytes_per_span) * spans - size


def _paragraphs(ctx: _Ctx, units: list[list[Piece]], filler: list[str]) -> list[Piece]:
    """Sentences mixed and grouped into paragraphs; a sentence with a line break stands alone."""
    items = units + [[(s, None)] for s in filler]
    ctx.rng.shuffle(items)
    out: list[Piece] = []
    in_paragraph = 0
    for item in items:
        # a line break, or no closing punctuation (a log line, "DOB: ..."), makes its own paragraph
        block = any("\n" in text for text, _ in item) or item[-1][0].rstrip()[-1] not in ".?!"
        if out:
            if block or in_paragraph >= ctx.rng.randint(1, 4):
                out.append(("\n\n", None))
                in_paragraph = 0
            else:
                out.append((" ", None))
        out.extend((text.rstrip("\n") if i == len(item) - 1 else text, tag)
                   for i, (text, tag) in enumerate(item))
        in_paragraph = 99 if block else in_paragraph + 1
    return out


def _signature(ctx: _Ctx, profile: _Profile) -> list[Piece]:
    rng = ctx.rng
    lines = [_fill(ctx, rng.choice(("{NAME}", "{NAME}", "{HNAME}" if ctx.lang == "en"
                                    else "{NAME}")))]
    if rng.random() < 0.2:
        lines.append([(rng.choice(("Operations Manager", "Head of Finance", "Office Admin",
                                   "Founder")), None)])
    if rng.random() < profile.signature_detail:
        lines.append(_fill(ctx, "{ADDRML}"))
    if rng.random() < profile.signature_detail:
        lines.append(_fill(ctx, rng.choice(("Tel: {PHONE}", "M: {PHONE}", "Mobile {PHONE}",
                                            "{PHONE}"))))
    if rng.random() < profile.signature_detail / 2:
        lines.append(_fill(ctx, "{MYEMAIL}"))
    out: list[Piece] = []
    for line in lines:
        if out:
            out.append(("\n", None))
        out.extend(line)
    return out


def _email_form(ctx: _Ctx, profile: _Profile, from_agent: bool | None = None) -> list[Piece]:
    rng = ctx.rng
    if from_agent is None:
        from_agent = rng.random() < 0.35
    salute = (_SALUTE_AGENT if from_agent else _SALUTE_CUSTOMER)[ctx.lang]
    head = _fill(ctx, rng.choice(salute)) + [("\n\n", None)]
    units = [pieces for _, pieces in _body(ctx, profile, "an" if from_agent else "cn")]
    if from_agent:
        tail = [("\n\n" + rng.choice(_SIGNOFF[ctx.lang]) + "\n", None)] + _fill(
            ctx, rng.choice(_TEAMS))
    elif rng.random() < 0.2:  # signed on the sign-off line: "Thanks, Priya Raghunathan"
        tail = [("\n\n" + rng.choice(_SIGNOFF[ctx.lang]).rstrip(",!") + rng.choice((", ", " ", " - ")),
                 None)] + _fill(ctx, "{NAME}")
    else:
        tail = [("\n\n" + rng.choice(_SIGNOFF[ctx.lang]) + "\n", None)] + _signature(ctx, profile)
    fixed = head + [p for u in units for p in u] + tail
    filler = _filler(ctx, _prose_needed(ctx, profile, fixed), short=False)
    return head + _paragraphs(ctx, units, filler) + tail


def _forward_form(ctx: _Ctx, profile: _Profile) -> list[Piece]:
    rng = ctx.rng
    quoted = rng.random() < 0.5
    ctx.quoted = quoted
    inner = _email_form(ctx, profile, from_agent=False)
    ctx.quoted = False
    subject = rng.choice(("Re: refund for order {order}", "Problem with my account",
                          "Address change", "Fwd: Invoice {order}", "Billing question"))
    if quoted:
        top = _fill(ctx, rng.choice(("Thanks, we have updated the account.",
                                     "Sorry for the delay, see my answer above.",
                                     "This is fixed now, please try again.")))
        top += [("\n\nOn ", None)] + _fill(ctx, "{ts}, {NAME} <{MYEMAIL}> wrote:") + [("\n> ", None)]
        return top + [(text.replace("\n", "\n> ") if tag is None else text, tag)
                      for text, tag in inner]
    top = _fill(ctx, rng.choice(("FYI, forwarding from the shared inbox.",
                                 "Can someone in billing take this one?",
                                 "Forwarding as discussed.")))
    top += [("\n\n---------- Forwarded message ---------\nFrom: ", None)]
    top += _fill(ctx, "{NAME} <{MYEMAIL}>\nDate: {ts}\nSubject: " + subject + "\nTo: ")
    top += _fill(ctx, "[[g:Customer Support]] <") + [("support@kestrelpay.com", "EMAIL"),
                                                      (">\n\n", None)]
    return top + inner


def _chat_form(ctx: _Ctx, profile: _Profile) -> list[Piece]:
    rng = ctx.rng
    lines: list[tuple[str, list[Piece]]] = [
        ("a", _fill(ctx, "Thanks for contacting {product} support, who am I speaking with?")),
        ("c", _fill(ctx, rng.choice(("{NAME}", "it's {NAME}", "This is {NAME}.",
                                     "hi, {NAME} here")))),
    ]
    body = _body(ctx, profile, "acn")
    fixed = [p for _, u in lines + body for p in u]
    filler = _filler(ctx, _prose_needed(ctx, profile, fixed), short=True)
    body += [(rng.choice("ac"), [(s, None)]) for s in filler]
    rng.shuffle(body)
    lines += body + [("a", [("Is there anything else I can help with?", None)])]
    stamped = rng.random() < 0.5
    out: list[Piece] = []
    for voice, pieces in lines:
        if out:
            out.append(("\n", None))
        if stamped:
            out.append((f"[{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}] ", None))
        out.append(("Agent: " if voice == "a" else "Customer: ", None))
        out.extend((text.replace("\n", " ") if tag is None else text, tag)
                   for text, tag in _single_line(ctx, pieces))
    return out


def _single_line(ctx: _Ctx, pieces: list[Piece]) -> list[Piece]:
    """A chat line cannot break: a multi-line address is written on one line."""
    return [(text.replace("\n", ", ") if tag == "STREET_ADDRESS" else text, tag)
            for text, tag in pieces]


def _note_form(ctx: _Ctx, profile: _Profile) -> list[Piece]:
    rng = ctx.rng
    items = [_fill(ctx, rng.choice(_NOTES[_pick_type(rng)]))
             for _ in range(rng.randint(*profile.units))]
    count = round(profile.negatives_per_unit * len(items))
    items += [_fill(ctx, rng.choice(_NOTE_NEGATIVES)) for _ in range(count)]
    fixed = [p for item in items for p in item]
    filler = _filler(ctx, _prose_needed(ctx, profile, fixed), short=True)
    items += [[(s.rstrip(".").lower(), None)] for s in filler]
    rng.shuffle(items)
    sep = rng.choice(("; ", ". ", "\n- "))
    out = _fill(ctx, "Internal note ({date}):" + ("\n- " if sep == "\n- " else " "))
    for i, item in enumerate(items):
        if i:
            out.append((sep, None))
        out.extend(_single_line(ctx, item))
    return out


def _form_form(ctx: _Ctx, profile: _Profile) -> list[Piece]:
    rng = ctx.rng
    labels = _FIELDS[ctx.lang]
    entities = list(dict.fromkeys(_pick_type(rng) for _ in range(rng.randint(*profile.units))))
    lines = []
    for entity in entities:
        label = rng.choice(labels[entity]) if entity in labels else _OTHER_FIELDS[entity]
        lines.append(_fill(ctx, f"{label}: {_FIELD_VALUES[entity]}"))
    count = round(profile.negatives_per_unit * len(entities))
    lines += [_fill(ctx, rng.choice(_FIELD_NEGATIVES)) for _ in range(count)]
    rng.shuffle(lines)
    voice, message = _sentence(ctx, _pick_type(rng), "cn")
    fixed = [p for line in lines for p in line] + message
    filler = _filler(ctx, _prose_needed(ctx, profile, fixed), short=False)
    out: list[Piece] = [(rng.choice(("New web form submission", "Contact form",
                                     "-- form data --")), None)]
    for line in lines:
        out.append(("\n", None))
        out.extend(line)
    out.append(("\nMessage: ", None))
    out.extend(_single_line(ctx, message))
    if filler:
        out.append((" " + " ".join(filler), None))
    return out


_FORMS: dict[str, Callable[[_Ctx, _Profile], list[Piece]]] = {
    "email": _email_form, "forward": _forward_form, "chat": _chat_form, "note": _note_form,
    "form": _form_form,
}


def _assemble(pieces: list[Piece], form: str, language: str) -> Message:
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    negatives: list[tuple[int, int, str]] = []
    at = 0
    for text, tag in pieces:
        if tag is not None:
            (spans if tag in _ENTITY_SET else negatives).append((at, at + len(text), tag))
        parts.append(text)
        at += len(text)
    return Message("".join(parts), spans, negatives, form, language)
