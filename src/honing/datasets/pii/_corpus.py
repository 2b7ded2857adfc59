"""A seeded generator of labelled helpdesk text for measuring PII detection.

Tickets in English, German, French and Spanish with entities embedded at known offsets,
and hard negatives (order numbers, versions, timestamps, UUIDs, prices, non-Luhn card-like
numbers, ...) that a detector must leave alone. Used by benchmarks/pii.py and the tests."""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson

from honing.datasets.pii._checks import luhn_valid


@dataclass(frozen=True)
class LabelledText:
    text: str
    spans: list[tuple[int, int, str]]  # (start, end, entity)


_FIRST = ["anna", "li", "jose", "marie", "tom", "fatima", "kenji", "olga", "peter", "zoe"]
_LAST = ["schmidt", "nguyen", "garcia", "dupont", "smith", "kowalski", "tanaka", "rossi"]
_DOMAINS = ["example.com", "mail.example.org", "corp.example.de", "example.co.uk", "test.fr"]


def _email(r: random.Random) -> str:
    sep = r.choice([".", "_", "", "+"])
    number = str(r.randint(1, 99)) if r.random() < .3 else ""
    return f"{r.choice(_FIRST)}{sep}{r.choice(_LAST)}{number}@{r.choice(_DOMAINS)}"


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _phone(r: random.Random) -> str:
    d = lambda n: _digits(r, n)  # noqa: E731
    area = str(r.randint(201, 989))
    return r.choice([
        f"+44 20 {d(4)} {d(4)}", f"+1 ({area}) 555-{d(4)}", f"0049 30 {d(6)}",
        f"({area}) 555-{d(4)}", f"{area}-555-{d(4)}", f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
        f"+91 9{d(4)} {d(5)}", f"+49 151 {d(8)}", f"+34 6{d(2)} {d(3)} {d(3)}",
        f"020 {d(4)} {d(4)}", f"06 {d(2)} {d(2)} {d(2)} {d(2)}", f"+1-{area}-555-{d(4)}",
        f"{area}.555.{d(4)}", f"+4420{d(8)}",
    ])


def luhn_complete(prefix: str, length: int, r: random.Random) -> str:
    body = prefix + _digits(r, length - len(prefix) - 1)
    return next(body + c for c in string.digits if luhn_valid(body + c))


def _card(r: random.Random) -> str:
    prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15),
                               ("37", 15), ("6011", 16), ("4", 13), ("3530", 16)])
    number = luhn_complete(prefix, length, r)
    sep = r.choice([" ", "-", ""])
    if length == 15:
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i:i + 4] for i in range(0, length, 4))


def _ssn(r: random.Random) -> str:
    area = r.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"


_IBAN_FORMATS = {"DE": "8n10n", "GB": "4a14n", "FR": "10n11c2n", "NL": "4a10n",
                 "ES": "20n", "IT": "1a10n12c", "CH": "5n12c", "BE": "12n", "PL": "24n"}


def _iban(r: random.Random) -> str:
    country, shape = r.choice(sorted(_IBAN_FORMATS.items()))
    bban = ""
    for count, kind in _parse_shape(shape):
        alphabet = {"n": string.digits, "a": string.ascii_uppercase,
                    "c": string.digits + string.ascii_uppercase}[kind]
        bban += "".join(r.choice(alphabet) for _ in range(count))
    numeric = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    compact = f"{country}{98 - numeric % 97:02d}{bban}"
    if r.random() < 0.5:
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return compact


def _parse_shape(shape: str) -> Iterator[tuple[int, str]]:
    number = ""
    for char in shape:
        if char.isdigit():
            number += char
        else:
            yield int(number), char
            number = ""


def _ip(r: random.Random) -> str:
    if r.random() < 0.7:
        return ".".join(str(r.randint(1 if i == 0 else 0, 254)) for i in range(4))
    groups = [f"{r.randint(0, 0xffff):x}" for _ in range(8)]
    return r.choice(["2001:db8::" + groups[0], ":".join(["2001", "db8", *groups[:6]]),
                     f"fe80::{groups[1]}:{groups[2]}"])


def _token(r: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def _api_key(r: random.Random) -> str:
    upper = string.ascii_uppercase + string.digits
    return r.choice([
        lambda: "sk-proj-" + _token(r, 40), lambda: "sk-" + _token(r, 48),
        lambda: "AKIA" + _token(r, 16, upper), lambda: "ASIA" + _token(r, 16, upper),
        lambda: "ghp_" + _token(r, 36), lambda: "github_pat_" + _token(r, 60),
        lambda: "xoxb-" + _digits(r, 11) + "-" + _token(r, 24),
        lambda: "AIza" + _token(r, 35), lambda: "sk_live_" + _token(r, 24),
        lambda: ".".join([_b64({"alg": "HS256", "typ": "JWT"}),
                          _b64({"sub": _digits(r, 8), "exp": r.randint(10**9, 2 * 10**9)}),
                          _token(r, 43, string.ascii_letters + string.digits + "-_")]),
    ])()


def _secret(r: random.Random) -> str:
    return _token(r, r.randint(24, 40), string.ascii_letters + string.digits + "_-")


def _url(r: random.Random) -> str:
    host = r.choice(["db.example.com", "api.example.org", "files.example.net"])
    return r.choice([
        f"https://{r.choice(_FIRST)}:{_token(r, 12)}@{host}/v1/export",
        f"https://{host}/callback?access_token={_token(r, 32)}&state=ok",
        f"postgresql://svc:{_token(r, 16)}@{host}:5432/prod",
        f"https://{host}/download?file=report.pdf&sig={_token(r, 40)}",
    ])


def _dob(r: random.Random) -> str:
    y, m, d = r.randint(1940, 2005), r.randint(1, 12), r.randint(1, 28)
    return r.choice([f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{m:02d}/{d:02d}/{y}",
                     f"{d} March {y}", f"March {d}, {y}"])


# entity generators, and the phrases that introduce them per language
_ENTITIES: dict[str, tuple[Callable[[random.Random], str], dict[str, list[str]]]] = {
    "EMAIL": (_email, {"en": ["reach me at {}", "my e-mail is {}", "cc {}"],
                       "de": ["meine E-Mail ist {}", "bitte an {} schreiben"],
                       "fr": ["mon adresse est {}", "écrivez à {}"],
                       "es": ["mi correo es {}", "escriba a {}"]}),
    "PHONE": (_phone, {"en": ["call me on {}", "my number is {}", "phone: {}"],
                       "de": ["Rückruf unter {}", "Telefon {}"],
                       "fr": ["appelez le {}", "mon numéro: {}"],
                       "es": ["llámeme al {}", "teléfono {}"]}),
    "CREDIT_CARD": (_card, {"en": ["the card {} was charged twice", "card number {}"],
                            "de": ["die Karte {} wurde belastet"],
                            "fr": ["la carte {} a été débitée"],
                            "es": ["la tarjeta {} fue cobrada"]}),
    "SSN": (_ssn, {"en": ["SSN {}", "my social security number is {}"],
                   "de": ["US-SSN {}"], "fr": ["numéro SSN {}"], "es": ["SSN {}"]}),
    "IBAN": (_iban, {"en": ["refund to IBAN {}", "account {}"],
                     "de": ["bitte auf IBAN {} überweisen"], "fr": ["IBAN : {}"],
                     "es": ["cuenta IBAN {}"]}),
    "IP_ADDRESS": (_ip, {"en": ["from IP {}", "the server at {} refuses", "client {} blocked"],
                         "de": ["von der Adresse {}"], "fr": ["depuis {}"],
                         "es": ["desde la IP {}"]}),
    "API_KEY": (_api_key, {"en": ["I pasted {} by mistake", "using key {}"],
                           "de": ["Schlüssel {} funktioniert nicht"], "fr": ["la clé {}"],
                           "es": ["la clave {}"]}),
    "SECRET": (_secret, {"en": ["api_key={}", "Authorization: Bearer {}", "token: {}"],
                         "de": ["password={}"], "fr": ["secret: {}"], "es": ["token={}"]}),
    "URL_CREDENTIALS": (_url, {"en": ["see {} for details", "open {}"], "de": ["Link: {}"],
                               "fr": ["lien {}"], "es": ["enlace {}"]}),
    "DATE_OF_BIRTH": (_dob, {"en": ["DOB: {}", "date of birth {}", "born on {}"],
                             "de": ["geboren am {}"], "fr": ["né le {}"],
                             "es": ["fecha de nacimiento {}"]}),
}

_FILLER = {
    "en": ["Hello team,", "The VPN drops every few minutes since the update this morning.",
           "I cannot log in to the customer portal, it keeps saying my session has expired.",
           "Please advise as soon as possible, the whole accounting department is blocked.",
           "Thanks for your help!", "It worked yesterday and nothing changed on my side.",
           "The invoice looks wrong: we were billed for more seats than we have.",
           "I already restarted the laptop, cleared the browser cache and tried another network.",
           "The assistant suggested resetting the password, but the reset e-mail never arrived.",
           "Could you escalate this to the network team? Our office printer is also offline.",
           "When I open the shared drive the folder permissions look different from last week.",
           "Best regards and have a nice weekend.",
           "The error appears right after the splash screen."],
    "de": ["Hallo zusammen,", "Seit dem Update heute früh bricht das VPN alle paar Minuten ab.",
           "Ich komme nicht in das Kundenportal, die Sitzung läuft angeblich sofort ab.",
           "Vielen Dank im Voraus für die schnelle Hilfe.", "Gestern ging es noch problemlos.",
           "Die Rechnung stimmt nicht, es wurden mehr Lizenzen berechnet als wir haben.",
           "Ich habe den Rechner neu gestartet und den Browser-Cache geleert, leider ohne Erfolg.",
           "Könnten Sie das bitte an das Netzwerkteam weitergeben? Der Drucker ist auch offline.",
           "Mit freundlichen Grüßen"],
    "fr": ["Bonjour,", "Le VPN se coupe toutes les quelques minutes depuis la mise à jour.",
           "Je n'arrive pas à me connecter au portail client, la session expire aussitôt.",
           "Merci d'avance pour votre aide rapide.", "Cela marchait encore hier sans problème.",
           "La facture semble fausse : on nous facture plus de licences que prévu.",
           "J'ai redémarré l'ordinateur et vidé le cache du navigateur, sans succès.",
           "Pourriez-vous transmettre à l'équipe réseau ? L'imprimante est aussi hors ligne.",
           "Cordialement"],
    "es": ["Hola,", "La VPN se corta cada pocos minutos desde la actualización de esta mañana.",
           "No puedo iniciar sesión en el portal de clientes, la sesión caduca enseguida.",
           "Gracias de antemano por la ayuda.", "Ayer funcionaba sin ningún problema.",
           "La factura parece incorrecta: nos cobran más licencias de las que tenemos.",
           "Ya reinicié el portátil y borré la caché del navegador, sin éxito.",
           "¿Podrían pasarlo al equipo de redes? La impresora también está desconectada.",
           "Un saludo"],
}

_ABOUT = {"en": "About", "de": "Betrifft", "fr": "Concernant", "es": "Sobre"}


def _hard_negative(r: random.Random) -> str:
    """Text that looks like PII to a naive regex and is not."""
    d = lambda n: _digits(r, n)  # noqa: E731
    non_luhn = luhn_complete("4" + d(2), 16, r)
    non_luhn = non_luhn[:-1] + str((int(non_luhn[-1]) + 1) % 10)
    return r.choice([
        f"order ORD-2024-{d(6)}", f"order #{d(9)}", f"ticket INC{d(7)}",
        f"version {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
        f"build v10.0.{d(5)}.{d(4)}", f"version 1.2.{r.randint(0, 9)}.{r.randint(0, 9)}",
        f"reference {' '.join(non_luhn[i:i + 4] for i in range(0, 16, 4))}",
        f"tracking {non_luhn}",
        f"at 2024-0{r.randint(1, 9)}-1{r.randint(0, 9)} 14:22:0{r.randint(0, 9)}",
        f"timestamp 2024-03-05T14:{r.randint(10, 59)}:01Z",
        f"request id {_uuid(r)}", f"price $1,{d(3)}.99", f"total 1.{d(3)},00 €",
        f"error 0x8007{d(4)}", f"port 8080, {r.randint(2, 64)} GB RAM",
        f"on {r.randint(1, 28):02d}/{r.randint(1, 12):02d}/2024", f"KB{d(7)} installed",
        f"case {d(3)}-{d(3)}-{d(3)}", f"serial SN-{d(4)}-{d(4)}",
    ])


def _uuid(r: random.Random) -> str:
    h = "".join(r.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def generate(count: int, *, seed: int = 0, entity_rate: float = 0.08,
             negative_rate: float = 0.08, sentences: tuple[int, int] = (6, 16)
             ) -> Iterator[LabelledText]:
    """`count` tickets, the same for the same seed. Each sentence is an entity with
    probability `entity_rate`, a hard negative with probability `negative_rate`, otherwise
    prose. The defaults give about one entity and one hard negative per 650 characters,
    still denser than most real tickets; raise the rates to stress validation."""
    r = random.Random(seed)
    names = sorted(_ENTITIES)
    for _ in range(count):
        language = r.choice(sorted(_FILLER))
        pieces: list[str] = []
        spans: list[tuple[int, int, str]] = []
        length = 0
        for _ in range(r.randint(*sentences)):
            roll = r.random()
            if roll < entity_rate:
                entity = r.choice(names)
                make, phrases = _ENTITIES[entity]
                before, _, after = r.choice(phrases.get(language) or phrases["en"]).partition("{}")
                value = make(r)
                start = length + len(before)
                spans.append((start, start + len(value), entity))
                piece = f"{before}{value}{after}."
            elif roll < entity_rate + negative_rate:
                piece = f"{_ABOUT[language]} {_hard_negative(r)}."
            else:
                piece = r.choice(_FILLER[language])
            pieces.append(piece)
            length += len(piece) + 1
        yield LabelledText(" ".join(pieces), spans)
