"""Names users type on the command line and in URLs: short, lowercase, URL-safe."""

from __future__ import annotations

import re

from honing._errors import InvalidInput

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def is_name(value: object) -> bool:
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def check_name(kind: str, value: str) -> str:
    if not is_name(value):
        raise InvalidInput(
            f"{kind} name {value!r} is not valid",
            hint="use 1-64 characters: lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    return value
