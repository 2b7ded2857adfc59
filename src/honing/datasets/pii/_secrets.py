"""Detectors for contact and credential text: e-mail addresses, URLs that carry credentials
or tokens, API keys with well-known prefixes, JWTs, and high-entropy secrets next to a
key-like word. Each first checks for a cheap marker ('@', '://', a keyword) so that text
without one costs a substring search, not a regex pass."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import orjson

from honing.datasets.pii._checks import shannon_entropy
from honing.datasets.pii._numbers import keyword_windows, lowered
from honing.datasets.pii._span import Span

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w%+\-]+(?:\.[\w%+\-]+)*@[^\W_](?:[\w\-]*[^\W_])?"
    r"(?:\.[^\W_](?:[\w\-]*[^\W_])?)*\.[^\W\d_]{2,24}\b")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://[^\s<>\"'`]+")
_SENSITIVE_PARAMS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "key",
    "api_key", "apikey", "api-key", "secret", "client_secret", "password", "passwd", "pwd",
    "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "sas", "private_token", "session", "sessionid", "jwt", "reset_token",
    "magic_token", "login_token", "invite_token", "confirmation_token", "verification_token",
    "activation_token", "otp_token", "sessiontoken", "security_token",
})
# Parameters that hold a credential only when the value is random enough: an OAuth
# authorisation code or state, a magic-link or reset code ("state=ok" or "code=US" is not).
_RANDOM_PARAMS = frozenset({
    "code", "state", "otp", "magic", "reset", "nonce", "verifier", "code_verifier", "invite",
    "confirm", "verify", "activation", "hash", "t", "k", "s"})
# A path segment after one of these words that looks random is a one-time credential
# (https://app.example.com/auth/magic-link/4f9a...e1, /reset-password/Zk3...).
_PATH_WORDS = ("token", "magic", "login", "signin", "sign-in", "reset", "verify", "confirm",
               "invite", "invitation", "activate", "activation", "unsubscribe", "auth",
               "password", "onboard", "share", "access")
_MIN_TOKEN = 16
# Every alternative starts with a literal character, so the regex engine skips ahead to
# the first characters the prefixes start with instead of trying each position; the
# boundary before a key is checked in Python (see `detect_api_keys`).
_KEY = re.compile(
    r"sk-(?:proj-|ant-(?:api\d\d-|admin\d\d-)?)?[A-Za-z0-9_\-]{20,200}"
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"
    r"|xox[baprse]-[A-Za-z0-9\-]{10,200}|xapp-[A-Za-z0-9\-]{10,200}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|sk_(?:live|test)_[0-9A-Za-z]{16,200}|pk_(?:live|test)_[0-9A-Za-z]{16,200}"
    r"|rk_(?:live|test)_[0-9A-Za-z]{16,200}|whsec_[0-9A-Za-z+/=]{24,200}"
    r"|SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{20,64}"
    r"|hf_[A-Za-z0-9]{34,64}|glpat-[A-Za-z0-9_\-]{20,64}|npm_[A-Za-z0-9]{36,64}"
    r"|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"
    r"|eyJ[A-Za-z0-9_\-]{8,2000}\.[A-Za-z0-9_\-]{8,4000}\.[A-Za-z0-9_\-]{8,2000}")
_KEY_EDGE = frozenset("-_")
# Twilio account and key SIDs are 'AC' or 'SK' and 32 hex digits: common enough as hex
# strings to need a nearby word.
_TWILIO = re.compile(r"(?<![\w\-])(?:AC|SK)[0-9a-f]{32}(?![\w\-])")
_TWILIO_WORDS = ("twilio", "sid", "account_sid", "auth_token")
_TWILIO_CONTEXT = 60  # characters before a SID that may hold one of the words
def has_key_marker(text: str) -> bool:
    """Whether a well-known key prefix occurs. The prefixes are grouped by first letter, one
    pattern per letter ("g(?:hp_|ho_|...|lpat-)"): a literal first letter lets the regex
    engine skip ahead as fast as a substring search. Prefixes with '_' or '-' are looked
    for only in text that has one, so a text without a key costs a few passes."""
    families = _KEY_MARKER_FAMILIES[("_" in text) + 2 * ("-" in text)]
    for family in families:
        if family.search(text) is not None:
            return True
    return False


# Every alternative of `_KEY` starts with one of these (keep the two in step; a test checks).
KEY_MARKERS = ("sk-", "sk_live_", "sk_test_", "pk_live_", "pk_test_", "rk_live_", "rk_test_",
               "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox",
               "xapp-", "AIza", "whsec_", "SG.", "hf_", "glpat-", "npm_", "shp", "eyJ")


def _families(markers: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(re.escape(first) + "(?:" + "|".join(
        re.escape(m[1:]) for m in markers if m[0] == first) + ")")
        for first in sorted({m[0] for m in markers}))


# By what the text holds: index 0 neither '_' nor '-', 1 '_', 2 '-', 3 both.
_KEY_MARKER_FAMILIES = tuple(
    _families([m for m in KEY_MARKERS
               if (under or "_" not in m) and (dash or "-" not in m)])
    for dash in (False, True) for under in (False, True))


# What follows a key-like word ("api_key", "token", "Authorization", ...): a separator and
# a long value. Matched right after each occurrence of a word, never scanned for.
_AFTER_SECRET_WORD = re.compile(
    r"(?:ord|d)?s?[\"']?\s{0,3}(?:[:=]|=>|\s(?:is|was)\b)?\s{0,3}[\"']?"
    r"(?:bearer\s+|basic\s+|token\s+)?"
    r"(?P<value>[A-Za-z0-9_\-+/=.~]{20,512})(?![A-Za-z0-9_\-+/=.~])", re.IGNORECASE)
_VALUE_RUN = re.compile(r"[A-Za-z0-9_\-+/=.~]*")
_LONGEST_VALUE = 512 + 8  # the value's limit above, plus what may stand before it in a run
_SECRET_WORDS = ("key", "token", "secret", "passw", "pwd", "bearer", "authorization",
                 "credential")
# The words searched for in every text (see `detect_context_secrets`): the credential words
# and the ASCII password words, "pass" standing for "passw" and the words that share it.
_FIRST_WORDS = ("key", "token", "secret", "pass", "pw", "bearer", "authorization", "credential",
                "kennwort", "wachtwoord", "senha", "salasana")
# Random base62/base64 of 20+ characters carries well over 4 bits per character; English
# identifiers and sentences such as "reset_password_tomorrow" stay lower.
_MIN_ENTROPY = 3.3


def detect_emails(text: str) -> Iterator[Span]:
    # Only around each '@': a local part is at most 64 characters, a domain at most 255.
    # A match holds exactly one '@' and starts where the run of local-part characters
    # before it starts (the pattern's look-behind rules out any later start), so the pattern
    # is tried at that one position per '@' instead of at every position of the window.
    for start, end, markers in _windows(text, "@", before=64, after=256):
        last_end = start
        for at in markers:
            # the run stops at the previous '@' (or the previous address's end) anyway
            run = _LOCAL_RUN.match(text[last_end:at][::-1]).end()
            last_end = max(last_end, at + 1)
            if run:
                match = _EMAIL.match(text, at - run, end)
                if match is not None:
                    last_end = match.end()
                    yield Span(match.start(), last_end, "EMAIL", 0.95)


_LOCAL_RUN = re.compile(r"[\w.%+\-]*")  # what the e-mail pattern's look-behind excludes


def _windows(text: str, marker: str, *, before: int,
             after: int) -> list[tuple[int, int, list[int]]]:
    """Merged (start, end) windows around each occurrence of `marker`, with the positions of
    the occurrences in each."""
    windows: list[tuple[int, int, list[int]]] = []
    position = text.find(marker)
    while position != -1:
        start, end = max(0, position - before), min(len(text), position + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end, windows[-1][2])
            windows[-1][2].append(position)
        else:
            windows.append((start, end, [position]))
        position = text.find(marker, position + 1)
    return windows


# The scheme and '://' of `_URL`: a URL starts at most 16 characters before its first
# '://' (the scheme holds no ':'), so only those few positions are tried.
_SCHEME = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://")
_SCHEME_BEFORE = 16


def detect_credential_urls(text: str) -> Iterator[Span]:
    if "://" not in text:
        return
    for start, end, markers in _windows(text, "://", before=20, after=4096):
        last_end = start
        for colon in markers:
            if colon < last_end:
                continue  # inside the previous URL
            position = max(last_end, colon - _SCHEME_BEFORE)
            while (scheme := _SCHEME.search(text, position, colon + 3)) is not None:
                match = _URL.match(text, scheme.start(), end)
                if match is None:
                    position = scheme.start() + 1
                    continue
                last_end = match.end()
                url = match.group().rstrip(".,;:!?)]}'\"")
                if _carries_credentials(url):
                    yield Span(match.start(), match.start() + len(url), "URL_CREDENTIALS", 0.97)
                break


def _carries_credentials(url: str) -> bool:
    parts = _url_parts(url)
    if parts is None:
        return False
    netloc, path, query, fragment = parts
    userinfo, at, _ = netloc.rpartition("@")
    if at and ":" in userinfo and userinfo.split(":", 1)[1]:
        return True
    for part in (query, fragment):
        if "=" in part and _credential_in_query(part):
            return True
    lowered_path = path.lower()
    if any(word in lowered_path for word in _PATH_WORDS):
        segments = path.split("/")
        for before, segment in zip(segments, segments[1:]):
            if (_looks_like_token(segment)
                    and any(word in before.lower() for word in _PATH_WORDS)):
                return True
    return False


def _url_parts(url: str) -> tuple[str, str, str, str] | None:
    """(netloc, path, query, fragment) of a URL that `_URL` matched, as `urlsplit` gives
    them, without its cost: urlsplit ran for every URL and was most of this detector's time.
    A host with brackets or letters outside ASCII goes to urlsplit, which validates them
    (and rejects some with ValueError)."""
    rest = url[url.index(":") + 3:]  # the scheme holds no ':', and '//' follows it
    cut = len(rest)
    for delimiter in "/?#":
        found = rest.find(delimiter)
        if found != -1 and found < cut:
            cut = found
    netloc = rest[:cut]
    if "[" in netloc or "]" in netloc or not netloc.isascii():
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        return parts.netloc, parts.path, parts.query, parts.fragment
    rest = rest[cut:]
    path, _, fragment = rest.partition("#")
    path, _, query = path.partition("?")
    return netloc, path, query, fragment


def _credential_in_query(query: str) -> bool:
    """What `parse_qsl(query)` would yield holds a credential; names and values are decoded
    only when they hold an escape ('+' or '%')."""
    for field in query.split("&"):
        name, equals, value = field.partition("=")
        if not equals or not value:
            continue
        if "+" in name or "%" in name:
            name = unquote(name.replace("+", " "))
        name = name.lower()
        if name in _SENSITIVE_PARAMS:
            return True
        if name in _RANDOM_PARAMS:
            if "+" in value or "%" in value:
                value = unquote(value.replace("+", " "))
            if _looks_like_token(value):
                return True
    return False


def _looks_like_token(value: str) -> bool:
    """A one-time code or token: 16+ characters of letters and digits, random-looking
    (a slug such as "reset-your-password-now" or "2024-06-report" is not)."""
    if len(value) < _MIN_TOKEN:
        return False
    if _DIGIT.search(value) is None:
        # letters only: random mixed case ("xbeiFhirJWC-LTNah-s-HiaJJCFw_Ix"), not a slug
        return (_random_case(value) and all(c.isalnum() or c in "-_.~=+" for c in value)
                and shannon_entropy(value) >= 3.5)
    # '/' as base64 has it ("4/0Ax05Dy..."), never leading as in a return path ("/home")
    if value[0] == "/" or not all(c.isalnum() or c in "-_.~=+/" for c in value):
        return False
    return sum(c.isalpha() for c in value) >= 4 and shannon_entropy(value) >= 3.0


def detect_api_keys(text: str, low: str | None = None) -> Iterator[Span]:
    if has_key_marker(text):
        for match in _KEY.finditer(text):
            value, start, end = match.group(), match.start(), match.end()
            if ((start and (text[start - 1].isalnum() or text[start - 1] in _KEY_EDGE))
                    or (end < len(text) and (text[end].isalnum() or text[end] in _KEY_EDGE))):
                continue  # part of a longer word or identifier
            if value.startswith("eyJ") and not _is_jwt(value):
                continue
            yield Span(match.start(), match.end(), "API_KEY", 0.95)
    low = text.lower() if low is None else low
    if ("AC" in text or "SK" in text) and ("twilio" in low or " sid" in low):
        # A SID counts only a few characters after a word, so the pattern runs in windows
        # after the words: a pass over the whole text stops at every 'A' and 'S'.
        for start, end in keyword_windows(text, _TWILIO_WORDS, before=0,
                                          after=_TWILIO_CONTEXT + 36, low=low):
            for match in _TWILIO.finditer(text, start, end):
                before = low[max(0, match.start() - _TWILIO_CONTEXT):match.start()]
                if any(word in before for word in _TWILIO_WORDS):
                    yield Span(match.start(), match.end(), "API_KEY", 0.9)


def _is_jwt(value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict) and "alg" in decoded


def detect_context_secrets(text: str, low: str | None = None) -> Iterator[Span]:
    low = lowered(text) if low is None else low
    # Each word is searched for once, and its first position starts both the credential
    # words' and the password words' loops: a search over the whole text is most of what a
    # text without credentials costs, and every text pays for these. Words that extend a
    # searched one ("passw", "pwd") are searched for only from its first position.
    find = low.find
    firsts = dict(zip(_FIRST_WORDS, map(find, _FIRST_WORDS)))
    extra = not low.isascii()
    if not extra and max(firsts.values()) == -1:
        return  # no credential word: the loops below would find nothing
    first_pass, first_pw = firsts["pass"], firsts["pw"]
    firsts["passw"] = -1 if first_pass == -1 else find("passw", first_pass)
    firsts["pwd"] = -1 if first_pw == -1 else find("pwd", first_pw)
    run_start = run_end = 0
    for word in _SECRET_WORDS:
        position = firsts[word]
        while position != -1:
            after = position + len(word)
            if not run_start <= after < run_end:
                run_start, run_end = after, _VALUE_RUN.match(text, after).end()
            # A value is at most 512 characters and must end where the run of value
            # characters ends: deep inside a longer run ("token=token=..." a megabyte
            # long) no match is possible, and trying one would read 512 characters each time.
            match = (_AFTER_SECRET_WORD.match(text, after) if run_end - after <= _LONGEST_VALUE
                     else None)
            # a sentence's full stop is not part of the secret
            value = match.group("value").rstrip(".") if match is not None else ""
            if _looks_random(value):
                start = match.start("value")
                yield Span(start, start + len(value), "SECRET", 0.8)
            else:
                found = _assigned_value(text, position, word)
                if found is not None:
                    yield found
            position = find(word, position + 1)
    for position, word in _password_words(low, firsts, extra):
        found = _assigned_value(text, position, word)
        if found is not None:
            yield found


def _password_words(low: str, firsts: dict[str, int], extra: bool) -> Iterator[tuple[int, str]]:
    """(position, word) of each password word other than "passw", given each searched word's
    first position. Words that share "pass" are found with one search, and words with
    letters outside ASCII are looked for only in text that has such letters (`extra`)."""
    find = low.find
    for word in _ASCII_PASSWORD_WORDS:
        position = firsts[word]
        while position != -1:
            yield position, word
            position = find(word, position + 1)
    position = firsts["pass"]
    while position != -1:
        if low.startswith(_PASS_WORDS, position):
            word = next(w for w in _PASS_WORDS if low.startswith(w, position))
            yield position, word
        elif low.startswith("mot de ", position - 7):
            yield position - 7, "mot de passe"
        position = find("pass", position + 1)
    if extra:
        for word in _OTHER_PASSWORD_WORDS:
            position = find(word)
            while position != -1:
                yield position, word
                position = find(word, position + 1)


# Words that introduce a password in the languages support text is written in, besides
# "passw" (password, Passwort, passwd) in `_SECRET_WORDS`.
_PASSWORD_ONLY_WORDS = ("pw", "passcode", "passphrase", "passord", "mot de passe", "kennwort",
                        "wachtwoord", "contraseña", "senha", "lösenord", "salasana", "hasło")
_PASSWORD_WORDS = frozenset(("passw",) + _PASSWORD_ONLY_WORDS)
_PASS_WORDS = ("passcode", "passphrase", "passord")
_ASCII_PASSWORD_WORDS = ("pw", "kennwort", "wachtwoord", "senha", "salasana")
_OTHER_PASSWORD_WORDS = ("contraseña", "lösenord", "hasło")
# What may complete a word found by its stem ("passw" + "ord", "token" + "s"); anything else
# makes it another word ("keyboard", "pwned", "tokenizer").
_COMPLETIONS = {"passw": None, "pw": frozenset({"", "d", "s", "ds"})}
_PLURAL = frozenset({"", "s"})
# Tokens that link a credential word to its value: "password: X", "key is X", "Passwort ist X".
_LINKS = frozenset({":", "=", "=>", "-", "–", "is", "was", "ist", "war", "est", "es", "era",
                    "er", "var", "är", "è", "é"})
# What must follow a key, token or secret word for its value to count: "token=", "Key: ",
# "api key is ".
_LINK_AHEAD = re.compile(
    r"(?:s|'s)?[\"']?[ \t]{0,3}(?:[:=]|(?:is|was|ist|war|est|es|era|er|var|är|è|é)[ \t])",
    re.IGNORECASE)
# A host or a host and path ("aka.ms/sspr") is where a password is changed, not one.
_HOST = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?")
_TOKEN = re.compile(r"\S+")
_OPENERS = "\"'`([{<"
_CLOSERS = "\"'`)]}>.,;:"
_SEPARATORS = ":="
# What redaction leaves in place of a value (see `_redact`).
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*[A-Z](?:_\d+|:[0-9a-f]{8})?")
_FILLER_WORDS = 3  # "the temporary password you sent (X)": words between word and value


def _assigned_value(text: str, position: int, word: str) -> Span | None:
    """The value a credential word at `position` introduces, when it reads like a password:
    right after a separator or a linking verb ("password: X", "token=X", "key is X"), or, for
    password words, a few words on ("the temporary password you sent (X)", "temp pw X
    issued"). A value right after a password word's separator needs a digit or a symbol; any
    other needs three character classes or the spread of random text."""
    if position and text[position - 1].isalnum() and word in ("pw", "key", "senha"):
        return None  # "mypw", "monkey", "resenha"
    password = word in _PASSWORD_WORDS
    end = position + len(word)
    if not password and _LINK_AHEAD.match(text, end) is None:
        return None  # most "key" and "token" words are followed by prose: decide cheaply
    limit = min(len(text), end + 96)
    linked = False
    skipped = 0
    for index, token in enumerate(_TOKEN.finditer(text, end, limit)):
        start, stop = token.span()
        raw = token.group()
        if index == 0 and start == end:
            letters = len(raw) - len(raw.lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            completions = _COMPLETIONS.get(word, _PLURAL)
            if completions is not None and raw[:letters].lower() not in completions:
                return None
            if raw[letters:letters + 1] in ("_", "-", "/") or raw[letters:letters + 1].isdigit():
                # part of an identifier or a path: "password_reset_methods", "/password/reset"
                return None
            raw = raw[letters:].lstrip("\"'")
            start = stop - len(raw)
            if raw[:1] and raw[0] in _SEPARATORS:
                linked = True
                raw = raw.lstrip(_SEPARATORS + ">")
                start = stop - len(raw)
            if not raw:
                continue
        elif "\n" in text[end:start] and skipped:
            return None  # the filler words ended with the line
        elif raw.lower() in _LINKS:
            linked = True
            continue
        value_start = start + (len(raw) - len(raw.lstrip(_OPENERS)))
        # a double quote ends a quoted value: '"password":"X","office":"5th'
        value = raw.lstrip(_OPENERS).split('"', 1)[0].rstrip(_CLOSERS)
        value_end = value_start + len(value)
        if _PLACEHOLDER.fullmatch(value):
            return None  # already redacted: "<SECRET_2>", "<SECRET:1f2e3d4c>"
        if value and (_password_like(value) if linked and password else _strong_value(value)):
            return Span(value_start, value_end, "SECRET", 0.8 if linked else 0.75)
        if (not password or skipped >= _FILLER_WORDS or not value.isalpha()
                or raw[-1:] in ".,;!?"):
            return None
        skipped += 1
        # "the temporary one you sent: X" links again; "password now at X" does not
        linked = raw[-1:] in _SEPARATORS
    return None


def _classes(value: str) -> int:
    """Character classes among lower, upper, digit and symbol; '.', '_' and '-' join the
    words of identifiers and dates, so they are not counted as symbols. String methods and
    regexes run in C: this is called for every value after a credential word."""
    return ((value != value.upper()) + (value != value.lower())
            + (_DIGIT.search(value) is not None) + (_SYMBOL.search(value) is not None))


_DIGIT = re.compile(r"\d")
_SYMBOL = re.compile(r"[^\w.\-]")
_LETTER = re.compile(r"[^\W\d_]")
_HEX = re.compile(r"[0-9a-fA-F]+")


def _password_like(value: str) -> bool:
    """A value given as a password: six or more characters with a digit or a symbol, or a
    run of digits ("password: reset" or "password: 2024-05-01" is not)."""
    if (len(value) < 6 or len(value) > 128 or "://" in value or _EMAIL.fullmatch(value)
            or _HOST.fullmatch(value)):
        return False
    if value.isdigit():
        return True
    if value.isalpha():  # "DlkwHmQrRwNrKt" is one, "Expired" and "McDonald" are not
        return len(value) >= 8 and _case_changes(value) >= 2
    # a digit or a symbol: "Zurücksetzen-Seite" or "e-mail" is a word, "abc123" is not
    return (_classes(value) >= 2 and _LETTER.search(value) is not None
            and (_DIGIT.search(value) is not None or _SYMBOL.search(value) is not None))


def _case_changes(value: str) -> int:
    """Capitals right after a small letter: one in "JavaScript", several in random text."""
    return sum(a.islower() and b.isupper() for a, b in zip(value, value[1:]))


def _random_case(value: str) -> bool:
    """Letters in random case ("ZNPCsfSAutuJG"), not words joined in CamelCase
    ("HelloWorldFooBar"): several case changes, in runs that are not words."""
    return (_CAMEL.fullmatch(value) is None
            and sum(a.islower() != b.islower() for a, b in zip(value, value[1:])) >= 4)


_CAMEL = re.compile(r"[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})+")


def _strong_value(value: str) -> bool:
    """A credential without a password word's say-so: three character classes in eight or
    more characters ("Quartz*9431Maple"), a long hex digest, or random text."""
    if (len(value) < 8 or len(value) > 512 or "://" in value or _EMAIL.fullmatch(value)
            or _HOST.fullmatch(value)):
        return False
    if _classes(value) >= 3 or _looks_random(value):
        return True
    if value.isalpha():
        return len(value) >= 12 and _random_case(value)
    return (len(value) >= 16 and _HEX.fullmatch(value) is not None
            and _DIGIT.search(value) is not None and _LETTER.search(value) is not None)


def _looks_random(value: str) -> bool:
    if len(value) < 20:
        return False
    entropy = shannon_entropy(value)
    if _DIGIT.search(value) is not None and _LETTER.search(value) is not None:
        return entropy >= _MIN_ENTROPY
    # Without digits, only mixed case with a near-uniform spread: "ThisIsMyLongPassword"
    # stays below, random base64 letters do not.
    return value != value.lower() and value != value.upper() and entropy >= 3.9
