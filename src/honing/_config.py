"""Settings come from the environment only, so secrets never live in files we write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # Uploads bigger than this are refused before anything is parsed.
    max_upload_bytes: int = 512 * 1024 * 1024
    session_days: int = 14
    # Cached figures (dashboard, card agreement) older than this are refreshed in the
    # background even when no label changed: a period such as "14d" slides with the clock.
    figure_max_age_s: int = 900

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        home = Path(env.get("HONING_HOME") or Path.cwd() / ".honing").expanduser()
        url = env.get("HONING_DATABASE_URL") or f"sqlite:///{home / 'honing.db'}"
        max_upload = int(env.get("HONING_MAX_UPLOAD_BYTES", 512 * 1024 * 1024))
        max_age = int(env.get("HONING_FIGURE_MAX_AGE_SECONDS", 900))
        return cls(home=home, database_url=url, max_upload_bytes=max_upload, figure_max_age_s=max_age)
