"""What every command shares: the console, the database, the acting operator, JSON output."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

import orjson
from rich.console import Console

from honing.accounts import Principal
from honing.storage import Database, open_database

console = Console()
errors = Console(stderr=True)


def database() -> Database:
    return open_database()


def operator() -> Principal:
    """The local operator: whoever can run the CLI on the server can open the database
    directly, so the CLI acts with full rights and records who did it."""
    name = os.environ.get("HONING_ACTOR") or f"cli:{_os_user()}"
    return Principal(name=name if name.startswith("cli:") else f"cli:{name}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
