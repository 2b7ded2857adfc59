"""Settings come from the environment only, so secrets never live in files we write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from honing._errors import InvalidInput


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # Uploads bigger than this are refused before anything is parsed.
    max_upload_bytes: int = 512 * 1024 * 1024
    session_days: int = 14
    # Any other request body (JSON, forms) bigger than this is refused with a 413, before
    # or while it is read: drafts and labels are kilobytes, and what is stored is served back.
    max_json_bytes: int = 1024 * 1024
    # OTLP export requests (POST /v1/traces): an SDK's batch of 512 spans with message
    # content is a few MB; the same limit applies to the body once gzip is inflated.
    max_otlp_bytes: int = 8 * 1024 * 1024
    # API tokens: the lifetime when none is asked for, and the longest one allowed.
    token_default_days: int = 90
    token_max_days: int = 365
    # Reverse proxies whose X-Forwarded-Proto/-For are believed (they terminate TLS and name
    # the real client); forwarded headers from any other peer are ignored, as anyone can
    # send them.
    trusted_proxies: tuple[str, ...] = ()
    # Sign-in throttling (see docs/decisions/0021-login-throttling.md): this many failures
    # within the window lock an account name, or a client address, for a delay that
    # doubles with each lockout up to the maximum.
    login_account_failures: int = 5
    login_address_failures: int = 20
    login_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 60
    login_lockout_max_seconds: int = 15 * 60
    # Cached figures (dashboard, card agreement) older than this are refreshed in the
    # background even when no label changed: a period such as "14d" slides with the clock.
    figure_max_age_s: int = 900
    # How often a running server looks for sampling schedules that are due (seconds).
    sampling_check_s: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        home = Path(env.get("HONING_HOME") or Path.cwd() / ".honing").expanduser()
        url = env.get("HONING_DATABASE_URL") or f"sqlite:///{home / 'honing.db'}"
        max_upload = int(env.get("HONING_MAX_UPLOAD_BYTES", 512 * 1024 * 1024))
        default_days = _positive(env, "HONING_TOKEN_DEFAULT_DAYS", 90)
        max_days = _positive(env, "HONING_TOKEN_MAX_DAYS", 365)
        if default_days > max_days:
            raise InvalidInput(f"HONING_TOKEN_DEFAULT_DAYS ({default_days}) is longer than "
                               f"HONING_TOKEN_MAX_DAYS ({max_days})",
                               hint="make the default lifetime at most the maximum")
        proxies = tuple(p.strip() for p in env.get("HONING_TRUSTED_PROXIES", "").split(",") if p.strip())
        max_json = int(env.get("HONING_MAX_JSON_BYTES", 1024 * 1024))
        return cls(
            home=home, database_url=url, max_upload_bytes=max_upload, max_json_bytes=max_json,
            token_default_days=default_days, token_max_days=max_days, trusted_proxies=proxies,
            login_account_failures=_positive(env, "HONING_LOGIN_ACCOUNT_FAILURES", 5),
            login_address_failures=_positive(env, "HONING_LOGIN_ADDRESS_FAILURES", 20),
            login_window_seconds=_positive(env, "HONING_LOGIN_WINDOW_SECONDS", 15 * 60),
            login_lockout_seconds=_positive(env, "HONING_LOGIN_LOCKOUT_SECONDS", 60),
            login_lockout_max_seconds=_positive(env, "HONING_LOGIN_LOCKOUT_MAX_SECONDS", 15 * 60),
            figure_max_age_s=_positive(env, "HONING_FIGURE_MAX_AGE_SECONDS", 900),
            sampling_check_s=_positive(env, "HONING_SAMPLING_CHECK_SECONDS", 60),
            max_otlp_bytes=_positive(env, "HONING_MAX_OTLP_BYTES", 8 * 1024 * 1024),
        )


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(f"{name} must be a whole number of at least 1, not {raw!r}",
                           hint=f"unset {name} to use the default, {default}")
    return int(raw)
