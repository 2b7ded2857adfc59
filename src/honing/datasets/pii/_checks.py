"""Checksums and range rules that separate real identifiers from look-alikes."""

from __future__ import annotations

import math
from collections import Counter, _count_elements

# Lengths from the SWIFT IBAN registry (release 2024): country code -> total IBAN length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check that every payment card number satisfies."""
    if digits.isascii() and digits.isdigit():
        # Every second digit from the right is doubled (digit sum taken): a translation
        # table does that in C, and the digit characters' code points sum to the total.
        doubled = digits[-2::-2].translate(_LUHN_DOUBLED)
        return (sum(digits[-1::-2].encode()) + sum(doubled.encode()) - 48 * len(digits)) % 10 == 0
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")


def card_brand(digits: str) -> str | None:
    """The card network for a number's issuer prefix (IIN) and length, or None when no
    network issues such numbers: a Luhn-valid digit run alone is one in ten of all runs."""
    n = len(digits)
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and n == 16:
        return "mastercard"
    if two in (34, 37) and n == 15:
        return "amex"
    if (four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649
            or 622126 <= six <= 622925) and 16 <= n <= 19:
        return "discover"
    if 3528 <= four <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (300 <= int(digits[:3]) <= 305 or two in (36, 38, 39) or four == 3095) and 14 <= n <= 19:
        return "diners"
    if two == 62 and 16 <= n <= 19:
        return "unionpay"
    if (two in (50, 56, 57, 58) or four in (6304, 6759, 6761, 6762, 6763)) and 12 <= n <= 19:
        return "maestro"
    return None


def iban_valid(compact: str) -> bool:
    """Country length from the registry and the ISO 7064 mod-97 check (remainder 1)."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    converted = rearranged.translate(_BASE36)
    if converted.isascii() and converted.isdigit():
        return int(converted) % 97 == 1
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


# Letters as their base-36 values, as int(c, 36) gives them ("A" -> "10").
_BASE36 = str.maketrans({c: str(int(c, 36)) for c in
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"})


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """SSA rules: area 000, 666 and 900-999, group 00 and serial 0000 are never issued."""
    return (area != "000" and area != "666" and area[0] != "9"
            and group != "00" and serial != "0000")


def shannon_entropy(text: str) -> float:
    """Bits per character of the text's own character distribution."""
    if not text:
        return 0.0
    n = len(text)
    # The terms c/n * log2(c/n) for this length, computed once and summed in the order of
    # the characters' first occurrence as before, so the result is the same float. The
    # counting is Counter's own C helper without Counter's Python-level setup: the secret
    # detectors call this for every value after a credential word.
    terms = _ENTROPY_TERMS.get(n)
    if terms is None:
        if n > 256:  # a table per length; longer values are rare
            return -sum(c / n * math.log2(c / n) for c in Counter(text).values())
        terms = _ENTROPY_TERMS[n] = [0.0] + [c / n * math.log2(c / n) for c in range(1, n + 1)]
    counts: dict[str, int] = {}
    _count_elements(counts, text)
    return -sum(map(terms.__getitem__, counts.values()))


_ENTROPY_TERMS: dict[int, list[float]] = {}
