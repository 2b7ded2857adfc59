"""Turn a dataset version into an evaluation suite: the conversations people labeled become
the scenarios a model is tested on, each one pointing back at the item it came from.

A scenario needs an expectation, or it runs as unscored (it checks nothing; decision
0013): the suite's default `expect`, or per-item expectations that `adapt` adds (e.g. from
the labels people gave the items, `honing.export.label_expectations`). Without either the
export is refused unless `allow_unscored`.

The scenarios are written to a JSONL file beside the suite YAML, one item at a time as the
version is paged through, so a dataset of any size costs the memory of one page. Both
files are written under temporary names and renamed at the end: a reader (or `honing suite
push`) never sees half a suite, and an interrupted export leaves the previous files intact.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy.orm import Session

from honing._errors import InvalidInput
from honing.datasets import (
    StoredItem,
    get_dataset,
    iter_loaded,
    parse_ref,
    resolve_version,
    version_item_ids,
)
from honing.evaluate._model import (
    SCENARIO_ID_PATTERN,
    TIERS,
    Scenario,
    ScorerSpec,
    Suite,
    SuiteDefaults,
    unknown_tier,
)
from honing.storage import Workspace

PAGE = 500
MAX_TAG = 64
# Called with each stored item and the scenario built from it (a JSON-ready dict); returns
# the scenario to write (e.g. with expectations of its own), or None to leave the item out.
Adapt = Callable[[StoredItem, dict[str, Any]], dict[str, Any] | None]
_ID = re.compile(SCENARIO_ID_PATTERN)


def suite_from_dataset(session: Session, workspace: Workspace, dataset_ref: str, out_dir: Path, *, name: str,
                       tier_field: str | None = None, tag_fields: list[str] | None = None,
                       expect: list[dict[str, Any]] | None = None, limit: int | None = None,
                       adapt: Adapt | None = None, allow_unscored: bool = False,
                       held_out: bool | None = None) -> Path:
    """Write `out_dir/<name>.yaml` and `out_dir/<name>.jsonl` from DATASET[@VERSION]: one
    scenario per item (its conversation, context and tools), `expect` as the suite's
    default expectations; `held_out` written as the file's `held_out:` when given.
    Returns the YAML path; `honing suite push` takes it as it is.

    Raises InvalidInput when a scenario would have no expectation (no `expect`, and none
    from `adapt`), unless `allow_unscored`: such scenarios run as unscored."""
    dataset_name, wanted = parse_ref(dataset_ref)
    dataset = get_dataset(session, workspace, dataset_name)
    version = resolve_version(session, dataset, wanted)
    ref = f"{dataset.name}@{version.number}"
    defaults = SuiteDefaults(expect=[ScorerSpec.model_validate(e) for e in expect or []])
    if not defaults.expect and adapt is None and not allow_unscored:
        count = version.item_count if limit is None else min(limit, version.item_count)
        raise InvalidInput(f"dataset {ref}: all {count} scenarios would be unscored (no expectation to check)",
                           hint="build expectations from the labels of a queue over these items with "
                                "--labels QUEUE, or write the suite anyway with --no-expectations")
    header = Suite(name=name, description=f"Scenarios from dataset {ref} (version {version.content_hash[:12]}, "
                                          f"{version.item_count} items).",
                   held_out=held_out, defaults=defaults if defaults.expect else None,
                   scenario_files=[f"{name}.jsonl"])
    out_dir.mkdir(parents=True, exist_ok=True)
    items = iter_loaded(session, version_item_ids(session, version), batch=PAGE)
    if limit is not None:
        items = _first(items, limit)
    scenarios = _scenarios(items, ref, tier_field, tag_fields or [], adapt,
                           need_expectations=not defaults.expect and not allow_unscored)
    _write_atomic(out_dir / f"{name}.jsonl", (orjson.dumps(s) + b"\n" for s in scenarios))
    body = header.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    body["scenario_files"] = header.scenario_files  # keep it even if it ever becomes a default
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    yaml_path = out_dir / f"{name}.yaml"
    _write_atomic(yaml_path, iter([text.encode()]))
    return yaml_path


def scenario_from_item(stored: StoredItem, ref: str, *, scenario_id: str, tier_field: str | None = None,
                       tag_fields: list[str] | None = None) -> dict[str, Any]:
    """The scenario for one item, as JSON: the conversation up to the response being
    evaluated (the item's messages; its candidate responses are what a target replaces)."""
    item = stored.item
    meta = item.metadata
    tier = meta.get(tier_field) if tier_field else None
    scenario: dict[str, Any] = {
        "id": scenario_id,
        "input": [m.model_dump(mode="json", exclude_none=True) for m in item.messages],
        "tier": tier if tier in TIERS else "important",
        "provenance": {"source": "dataset_item", "ref": f"{ref}#{stored.id}"},
    }
    if item.context:
        scenario["context"] = [d.model_dump(mode="json", exclude_none=True) for d in item.context]
    if item.tools:
        scenario["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in item.tools]
    tags = _tags(meta, tag_fields or [])
    if tags:
        scenario["tags"] = tags
    return scenario


def _scenarios(items: Iterator[StoredItem], ref: str, tier_field: str | None, tag_fields: list[str],
               adapt: Adapt | None, *, need_expectations: bool = False) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()  # ids only: scenario ids must be unique within a suite
    for stored in items:
        scenario = scenario_from_item(stored, ref, scenario_id=_unique_id(stored, seen),
                                      tier_field=tier_field, tag_fields=tag_fields)
        if adapt is not None:
            adapted = adapt(stored, scenario)
            if adapted is None:
                seen.discard(scenario["id"])
                continue
            scenario = adapted
        # Checked here, so a bad adaptation fails the export with the item that caused it,
        # not the push with a line number.
        parsed = Scenario.model_validate(scenario)
        if parsed.tier not in TIERS:  # the suite written declares no tiers: the default ones
            raise InvalidInput(f"item {stored.id} (scenario {parsed.id!r}) of {ref}: {unknown_tier(parsed.tier, TIERS)}")
        checked = parsed.model_dump(mode="json", exclude_none=True)
        if need_expectations and not checked["expect"]:
            raise InvalidInput(f"item {stored.id} (scenario {checked['id']!r}) of {ref} has no expectation and "
                               "would run as unscored",
                               hint="leave such items out (return None from the adaptation), or allow "
                                    "unscored scenarios (--no-expectations)")
        yield {key: value for key, value in checked.items() if value not in ([], {})}


def _unique_id(stored: StoredItem, seen: set[str]) -> str:
    """The item's external id when it is a valid, unused scenario id; else item-<id>."""
    external = stored.item.external_id
    candidates = [external] if external and _ID.match(external) else []
    candidates.append(f"item-{stored.id}")
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            return candidate
    number = 2  # the same item twice in a version
    while f"item-{stored.id}-{number}" in seen:
        number += 1
    seen.add(f"item-{stored.id}-{number}")
    return f"item-{stored.id}-{number}"


def _tags(meta: dict[str, Any], fields: list[str]) -> list[str]:
    """Metadata values as tags (a list value gives one tag per element), in field order."""
    tags: list[str] = []
    for field in fields:
        value = meta.get(field)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None or isinstance(v, dict | list) or v == "":
                continue
            tag = (str(v).lower() if isinstance(v, bool) else str(v)).strip()[:MAX_TAG]
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _first(items: Iterator[StoredItem], limit: int) -> Iterator[StoredItem]:
    if limit <= 0:
        return
    for count, stored in enumerate(items, start=1):
        yield stored
        if count >= limit:
            return


def _write_atomic(path: Path, chunks: Iterator[bytes]) -> None:
    """Write to a unique temporary name beside `path`, then rename: readers see the old
    file or the new one, and two writers never share a temporary file."""
    partial = temporary_name(path)
    try:
        with partial.open("xb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def temporary_name(path: Path) -> Path:
    """A hidden name beside `path` that no other writer uses (created with the usual
    permissions, unlike mkstemp's owner-only ones)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
