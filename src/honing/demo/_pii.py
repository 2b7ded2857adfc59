"""Synthetic personal data that passes the validators a real detector uses.

A PII detector that checks Luhn and IBAN mod-97 must be tested against values that
actually pass those checks, and against look-alikes that do not. Every value here is
fictional: card numbers come from published test ranges, phone numbers from ranges set
aside for drama and fiction, IBANs are random account numbers with correct checksums.
"""

from __future__ import annotations

import random
import string

# Published test-card numbers (Visa, Mastercard, Amex, Discover); never issued to people.
_TEST_CARDS = (
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "5555555555554444",
    "5105105105105100",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
)

# Prefixes and lengths of the test ranges, used to mint further valid numbers.
_CARD_PREFIXES = (("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16))

# BBAN layouts per country: "n" is a digit, "a" an upper-case letter.
_IBAN_LAYOUTS = {
    "DE": "n" * 18,
    "GB": "aaaa" + "n" * 14,
    "FR": "n" * 23,
    "ES": "n" * 20,
    "NL": "aaaa" + "n" * 10,
    "IT": "a" + "n" * 22,
}

_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "icloud.com", "example.net")


def luhn_check_digit(payload: str) -> str:
    """The digit that makes `payload + digit` pass the Luhn check."""
    total = 0
    # Walking from the right, every digit at an even offset is doubled once the check
    # digit is appended after it.
    for offset, char in enumerate(reversed(payload)):
        digit = int(char)
        if offset % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) >= 2 and luhn_check_digit(digits[:-1]) == digits[-1]


def _card_digits(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(_TEST_CARDS)
    prefix, length = rng.choice(_CARD_PREFIXES)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def _format_card(rng: random.Random, digits: str) -> str:
    # Amex is grouped 4-6-5, the others 4-4-4-4; people also paste them ungrouped.
    groups = (
        [digits[:4], digits[4:10], digits[10:]]
        if len(digits) == 15
        else [digits[i : i + 4] for i in range(0, len(digits), 4)]
    )
    return rng.choice((" ", "-", "")).join(groups)


def card_number(rng: random.Random) -> str:
    """A formatted card number that passes Luhn."""
    return _format_card(rng, _card_digits(rng))


def card_like_decoy(rng: random.Random) -> str:
    """A formatted 16-digit number that looks like a card but fails Luhn (hard negative)."""
    payload = _card_digits(rng)[:15]
    if not payload.startswith(("4", "5", "6")):  # widen a 15-digit Amex to a 16-digit look-alike
        payload = "4000" + payload[4:]
    wrong = (int(luhn_check_digit(payload)) + rng.randint(1, 9)) % 10
    return _format_card(rng, payload + str(wrong))


def _iban_check_digits(country: str, bban: str) -> str:
    # ISO 13616: move country + "00" to the end, letters become 10..35, then 98 - mod 97.
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban_valid(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if len(compact) < 15 or not compact.isalnum():
        return False
    numeric = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(numeric) % 97 == 1


def iban(rng: random.Random) -> str:
    """An IBAN with a valid mod-97 checksum, printed in groups of four."""
    country = rng.choice(sorted(_IBAN_LAYOUTS))
    bban = "".join(
        rng.choice(string.digits if kind == "n" else string.ascii_uppercase)
        for kind in _IBAN_LAYOUTS[country]
    )
    compact = country + _iban_check_digits(country, bban) + bban
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def phone_number(rng: random.Random) -> str:
    """An international phone number in a range reserved for fiction where one exists."""
    style = rng.randrange(5)
    if style == 0:  # Ofcom drama range, London
        return f"+44 20 7946 0{_digits(rng, 3)}"
    if style == 1:  # North American 555-01xx fiction range
        area = rng.choice(("415", "212", "312", "206", "617"))
        return f"+1 ({area}) 555-01{_digits(rng, 2)}"
    if style == 2:
        return f"+49 30 {_digits(rng, 4)} {_digits(rng, 4)}"
    if style == 3:
        pairs = " ".join(_digits(rng, 2) for _ in range(4))
        return f"+33 6 {pairs}"
    return f"+34 6{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}"


def personal_email(rng: random.Random, first: str, last: str) -> str:
    first, last = first.lower(), last.lower().replace(" ", "").replace("'", "")
    year = rng.randint(70, 99)
    shapes = (f"{first}.{last}", f"{first[0]}{last}{year}", f"{first}{last}", f"{last}.{first}")
    local = rng.choice(shapes)
    return f"{local}@{rng.choice(_EMAIL_DOMAINS)}"
