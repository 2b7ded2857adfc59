"""Settings come from the environment only, so secrets never live in files we write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from honing._errors import HoningError


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # Uploads bigger than this are refused before anything is parsed.
    max_upload_bytes: int = 512 * 1024 * 1024
    session_days: int = 14
    # Addresses of reverse proxies whose X-Forwarded-For names the real client.
    trusted_proxies: tuple[str, ...] = ()
    # Sign-in throttling (see docs/decisions/0021-login-throttling.md): this many failures
    # within the window lock an account name, or a client address, for a delay that
    # doubles with each lockout up to the maximum.
    login_account_failures: int = 5
    login_address_failures: int = 20
    login_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 60
    login_lockout_max_seconds: int = 15 * 60

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        home = Path(env.get("HONING_HOME") or Path.cwd() / ".honing").expanduser()
        url = env.get("HONING_DATABASE_URL") or f"sqlite:///{home / 'honing.db'}"
        max_upload = int(env.get("HONING_MAX_UPLOAD_BYTES", 512 * 1024 * 1024))
        proxies = tuple(p.strip() for p in env.get("HONING_TRUSTED_PROXIES", "").split(",") if p.strip())
        return cls(
            home=home, database_url=url, max_upload_bytes=max_upload, trusted_proxies=proxies,
            login_account_failures=_positive(env, "HONING_LOGIN_ACCOUNT_FAILURES", 5),
            login_address_failures=_positive(env, "HONING_LOGIN_ADDRESS_FAILURES", 20),
            login_window_seconds=_positive(env, "HONING_LOGIN_WINDOW_SECONDS", 15 * 60),
            login_lockout_seconds=_positive(env, "HONING_LOGIN_LOCKOUT_SECONDS", 60),
            login_lockout_max_seconds=_positive(env, "HONING_LOGIN_LOCKOUT_MAX_SECONDS", 15 * 60),
        )


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise HoningError(f"{name} must be a whole number of at least 1, not {raw!r}",
                          hint=f"unset {name} to use the default, {default}")
    return int(raw)
