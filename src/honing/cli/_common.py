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

# Wider than any line the commands print when the output is piped or redirected and no
# COLUMNS is set: Rich would otherwise cut tables to 80 columns ("…") for `| grep` and files.
PIPED_WIDTH = 1000


def _console(*, stderr: bool = False) -> Console:
    made = Console(stderr=stderr)
    if not made.is_terminal and "COLUMNS" not in os.environ:
        made.width = PIPED_WIDTH
    return made


console = _console()
errors = _console(stderr=True)


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
