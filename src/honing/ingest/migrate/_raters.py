"""Which Honing user each of the other tool's annotators becomes.

In order: the rater map (`--rater-map FILE`, a JSON or YAML object from the annotator as
the export writes it, to a Honing username); an e-mail's local part ("alice@example.com"
is user "alice", the same account if one exists); otherwise the tool's name and the
annotator's id ("label-studio-7", "argilla-5a1f3c7e-...", "langfuse-clx-alice")."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from honing._errors import InvalidInput, Problem
from honing._names import is_name

_NOT_NAME = re.compile(r"[^a-z0-9._-]+")


def read_rater_map(path: Path) -> dict[str, str]:
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read the rater map {path.name}: {error}") from None
    if not isinstance(body, dict):
        raise InvalidInput(f"{path.name} must map each annotator to a Honing username",
                           hint='e.g. {"1": "alice", "bob@example.com": "bob"}')
    problems = [Problem(f"{value!r} is not a valid username", file=path.name, field=str(key))
                for key, value in body.items() if not is_name(value)]
    if problems:
        raise InvalidInput(f"{path.name}: {len(problems)} username(s) are not valid", problems=problems)
    return {str(key): str(value) for key, value in body.items()}


def usernames(tool: str, annotators: list[str], rater_map: dict[str, str]) -> dict[str, str]:
    """Annotator -> username; two annotators never share a username by accident."""
    chosen: dict[str, str] = {}
    for annotator in annotators:
        if annotator in rater_map:
            chosen[annotator] = rater_map[annotator]
            continue
        local, at, _domain = annotator.partition("@")
        base = local if at else f"{tool}-{annotator}"
        name = _NOT_NAME.sub("-", base.lower()).strip("-._")[:64] or f"{tool}-rater"
        chosen[annotator] = name
    by_name: dict[str, list[str]] = {}
    for annotator, name in chosen.items():
        by_name.setdefault(name, []).append(annotator)
    clashes = [(n, a) for n, a in by_name.items() if len(a) > 1 and not all(x in rater_map for x in a)]
    if clashes:
        name, who = clashes[0]
        raise InvalidInput(f"annotators {', '.join(sorted(who))} would all become user {name!r}",
                           hint="name each one's Honing user in a --rater-map file")
    return chosen
