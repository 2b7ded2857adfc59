"""The compiled secret detectors (native/pii/src/secrets.rs) find exactly what the Python
ones in `_secrets.py` find: e-mail addresses, URLs with credentials, API keys and secrets
after a key-like word, on the shared comparison texts and on edge cases written here."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from honing.datasets.pii._secrets import (
    detect_api_keys,
    detect_context_secrets,
    detect_credential_urls,
    detect_emails,
)
from pii_native_texts import compiled  # noqa: E402

_core = compiled()

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pii_native_texts import assert_same, variants  # noqa: E402


def _jwt(header: bytes, body: bytes = b'{"sub":"1234567890"}', pad: str = "") -> str:
    enc = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")  # noqa: E731
    return enc(header) + pad + "." + enc(body) + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


_KEY_CASES = [
    "key: sk-proj-abcdefghijklmnopqrstuvwxyz0123 ok",
    "xsk-abcdefghijklmnopqrstuvwxyz0123", "sk-ant-api٣٣-abcdefghijklmnopqrstuvwxyz",
    "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE_x", "é AKIAIOSFODNN7EXAMPLE ü",
    "ghp_" + "a1" * 18, "github_pat_" + "A" * 30, "xoxb-1234567890-abc", "AIza" + "x" * 35,
    "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "whsec_" + "abc+/=" * 5,
    "SG.abcdefghijklmnop.abcdefghijklmnopqrstuvwxyz", "hf_" + "a" * 34, "npm_" + "b" * 36,
    "shpat_" + "a" * 32, "glpat-" + "x" * 20,
    "jwt " + _jwt(b'{"alg":"HS256","typ":"JWT"}'),
    "jwt " + _jwt(b'{"typ":"JWT"}'),
    "jwt " + _jwt(b'{"alg":1e400}'),
    "jwt " + _jwt(b'{"alg":1,}'),
    "jwt " + _jwt(b'["alg"]'),
    "jwt " + _jwt(b' {"\\u0061lg" : null} '),
    "jwt " + _jwt(b'{"alg":"\\ud800"}'),
    "jwt " + _jwt(b'{"alg":"\xed\xa0\x80"}'),
    "jwt " + _jwt(b'{"a":' + b"[" * 1023 + b"]" * 1023 + b',"alg":2}'),
    "jwt " + _jwt(b'{"a":' + b"[" * 1024 + b"]" * 1024 + b',"alg":2}'),
    "jwt eyJhbGciOiJIUzI1NiJ9x.eyJzdWIiOiIxIn0.abcdefghijk",
    "jwt eyJhbGciOiJIUzI1NiJ9xy.eyJzdWIiOiIxIn0.abcdefghijk",
    "twilio account AC0123456789abcdef0123456789abcdef and SK0123456789abcdef0123456789abcdef",
    "my Twilio sid: AC0123456789abcdef0123456789abcdef0", "twilio -AC0123456789abcdef0123456789abcdef",
    "TWILIO SID AC0123456789abcdef0123456789abcdef", " sid " + "x" * 70 + " AC0123456789abcdef0123456789abcdef",
]

_EMAIL_CASES = [
    "mail a.b+c@example.co.uk now", "x..y@example.com", "@@a@b.cd", "a@b.c", "a@b.comé",
    "jane@example.com\u0301 done", "jane@exa_mple.com", "jane@example.c0m", "ü@ü.üü",
    "x@y.z1.com, a@b.cd.", "a" * 70 + "@example.com", "a@" + "b" * 300 + ".com",
    "first@one.com@two.com", "a@b.co a@b.co", "İ@x.io ı@x.io K@x.io ²@x.io",
    "a-@-b.com", "_a@b-.com", "a@b.c-d.com", "user@host.name_",
]

_URL_CASES = [
    "see https://user:pa55@example.com/x and ftp://anon:@host/",
    "https://example.com/reset-password/Zk3qP9xLmW2vB7nT4yR8 .",
    "https://example.com/auth/magic-link/4f9ae1c2b7d84e0f9a1b2c3d4e5f6a7b).",
    "https://x.io/cb?code=4/0Ax05DyQkXyZ1aBcDeFgHiJk&state=ok",
    "https://x.io/cb?Access%5Ftoken=abc", "https://x.io/cb?c%6Fde=AbCdEfGhIjKlMnOpQr12",
    "https://x.io/?state=xbeiFhirJWCLTNahsHiaJJCFwIx", "https://x.io/#access_token=z",
    "https://[::1]/?token=x", "https://[::1%eth0]/?token=x", "https://[1.2.3.4]/?token=x",
    "https://[v1.x]/?token=x", "https://[vz.x]/?token=x", "https://[::ffff:1.2.3.4]/?token=x",
    "https://[::ffff:1.2.3.04]/?token=x", "https://[1:2:3:4:5:6:7:8]/?token=x",
    "https://[1::2::3]/?token=x", "https://[::1/?token=x", "https://::1]/?token=x",
    "https://exämple.com/?token=x", "https://ex\u2100ample.com/?token=x",
    "https://x.io/?t=%E2%82%AC%ZZabcdefghijklmnop12", "git+ssh://u:p@h/ xhttp://u:p@h/",
    "https:// https://u:p@h/", "a://b" * 30 + " https://u:p@h/", "https://x.io/?key=",
    "http://example.com/token/" + "Ab1" * 8, "HTTPS://USER:PASS@HOST/",
    "https://x.io/share/ABCDEFGHIJKLMNOPQRSTUV", "https://x.io/Share/abcDEFghiJKLmnoPQRst",
]

_SECRET_CASES = [
    "password: hunter2!", "password is Tr0ub4dor&3", "Passwort ist Geheim123!", "pw: 12345678",
    "the temporary password you sent (Xk9#mQ2!pL)", "temp pw X7!kd issued",
    "api_key = 'a8f5f167f44f4964e6c998dee827110c'", "token: <SECRET_2>", "Key: Quartz*9431Maple",
    "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789ABCD.",
    "secret is abcdefghijKLMNOPQRST12345", "secret was -abcdefghijKLMNOPQRST12345",
    "secret isabcdefghijKLMNOPQRST12345", "monkey: Zz9!abcdefgh", "mypw: Zz9!abcdefgh",
    "password_reset_methods: x", "pass mot de passe: Xy12!abcd", "password ... mot de ",
    "contraseña: Clave#2024x", "lösenord är Hemligt99!", "hasło: Tajne!2024",
    "kennwort: abc", "passphrase: correct horse battery staple 12", "passcode 99887766",
    "token=" * 200 + "x", "tokens: " + "a1B2" * 140, "ıs token ſ: AbCdEfGhIjKlMnOpQrStUv12",
    "the token ıs AbCdEfGhIjKlMnOpQrStUv12xy", "password: user@example.com",
    "password: aka.ms/sspr", "password:\n\nfoo bar\nXk9#mQ2!pL", "pwd=Abc123xyz!",
    "credential: ZNPCsfSAutuJGqwErty", "KEY: DlkwHmQrRwNrKtPq", "senha: resenha 1234abcd!",
    "Passwörter password: ²³⁴⁵⁶⁷", "password: ①②③④⑤⑥", "passw0rd: x",
    "keyds" + "Ab1Cd2Ef3Gh4Ij5Kl6M", "keyds" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn", "token is-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn",
    "secret isAb1Cd2Ef3Gh4Ij5Kl6Mn7", "token " + "Ab1C" * 130, "token " + "Ab1C" * 128 + "x",
]


def _expand(cases: list[str]) -> list[str]:
    return [v for case in cases for v in variants(case)]


def test_emails() -> None:
    assert assert_same(lambda t, low: detect_emails(t),
                       lambda t, low: _core.detect_emails(t, low)) > 0
    assert assert_same(lambda t, low: detect_emails(t),
                       lambda t, low: _core.detect_emails(t, low),
                       corpus=_expand(_EMAIL_CASES + _SECRET_CASES)) > 0


def test_credential_urls() -> None:
    assert assert_same(lambda t, low: detect_credential_urls(t),
                       lambda t, low: _core.detect_credential_urls(t, low)) > 0
    assert assert_same(lambda t, low: detect_credential_urls(t),
                       lambda t, low: _core.detect_credential_urls(t, low),
                       corpus=_expand(_URL_CASES)) > 0


def test_api_keys() -> None:
    assert assert_same(lambda t, low: detect_api_keys(t, low),
                       lambda t, low: _core.detect_api_keys(t, low)) > 0
    assert assert_same(lambda t, low: detect_api_keys(t, low),
                       lambda t, low: _core.detect_api_keys(t, low),
                       corpus=_expand(_KEY_CASES)) > 0


def test_context_secrets() -> None:
    assert assert_same(lambda t, low: detect_context_secrets(t, low),
                       lambda t, low: _core.detect_context_secrets(t, low)) > 0
    assert assert_same(lambda t, low: detect_context_secrets(t, low),
                       lambda t, low: _core.detect_context_secrets(t, low),
                       corpus=_expand(_SECRET_CASES + _KEY_CASES)) > 0

