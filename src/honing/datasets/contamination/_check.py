"""Contamination of a training dataset version by evaluation suites: training items whose
text overlaps a suite scenario's input, so a model trained on them would be tested on
what it has seen."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from honing._errors import InvalidInput
from honing.datasets._items import iter_loaded
from honing.datasets._versions import get_dataset, parse_ref, resolve_version, version_item_ids
from honing.datasets.contamination._index import MatchKind, ReferenceIndex
from honing.datasets.dedup import DEFAULT_FIELD, SYSTEM_ROLES, Field, check_field, item_text
from honing.domain import Item, Message
from honing.evaluate import Scenario, held_out_suites, resolve_suite_version, stored_scenarios
from honing.storage import Workspace

_BATCH = 500


@dataclass(frozen=True)
class ContaminationMatch:
    item_id: int
    position: int  # in the training version
    suite: str  # NAME@VERSION
    scenario_id: str
    kind: MatchKind
    score: float  # ngram: share of the scenario's n-grams found in the item; near_duplicate: Jaccard
    snippet: str  # the shared words (normalized), short

    def as_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "position": self.position, "suite": self.suite,
                "scenario_id": self.scenario_id, "kind": self.kind, "score": round(self.score, 4),
                "snippet": self.snippet}


@dataclass(frozen=True)
class ContaminationReport:
    train: str  # NAME@VERSION
    suites: list[str]
    items: int
    scenarios: int
    ngram: int
    min_overlap: float
    threshold: float
    field: Field  # the item text compared with near duplicates
    matches: list[ContaminationMatch] = dataclasses.field(default_factory=list)

    @property
    def item_ids(self) -> set[int]:
        """Stored ids of the training items that match some scenario."""
        return {m.item_id for m in self.matches}

    @property
    def contaminated(self) -> bool:
        return bool(self.matches)

    def as_dict(self) -> dict[str, Any]:
        return {"train": self.train, "suites": self.suites, "items": self.items,
                "scenarios": self.scenarios, "ngram": self.ngram, "min_overlap": self.min_overlap,
                "threshold": self.threshold, "field": self.field,
                "contaminated": self.contaminated, "item_ids": sorted(self.item_ids),
                "matches": [m.as_dict() for m in self.matches]}


def prompt_text(messages: list[Message]) -> str:
    """The user's turns: what a near-duplicate scenario input would repeat (system prompts
    and answers would only dilute the similarity)."""
    return "\n".join(m.text for m in messages if m.role == "user" and m.text)


def scenario_text(scenario: Scenario) -> str:
    return "\n".join(m.text for m in scenario.messages() if m.role not in SYSTEM_ROLES and m.text)


def _overlap_text(item: Item) -> str:
    """Where a quoted scenario is looked for: the whole conversation and the responses, but
    not the system prompt. A scenario input has none either (evaluation supplies its own),
    and one system prompt holding an example request would flag every item."""
    return "\n".join(t for t in (item_text(item, "messages"), item_text(item, "responses")) if t)


def find_contamination(session: Session, workspace: Workspace, train_ref: str,
                       suite_refs: list[str] | None = None, *, ngram: int = 13,
                       min_overlap: float = 0.5, threshold: float = 0.5, shingle: int = 2, num_perm: int = 64,
                       field: Field = DEFAULT_FIELD,
                       progress: Callable[[str, int, int | None], None] | None = None,
                       ) -> ContaminationReport:
    """Items of the training version DATASET[@VERSION] that hold at least `min_overlap` of a
    scenario input's word `ngram`-grams anywhere in the item (messages and responses; an
    input of 8 to `ngram`-1 words must appear whole; system prompts are not read), or whose
    `field` text (the user's turns by default, as `dedup_version` compares) is a near
    duplicate of the input's non-system turns (Jaccard of their sets of word 1- to
    `shingle`-grams >= `threshold`).

    `suite_refs` None: the newest version of every held-out suite of the workspace that is
    not archived (none: a clean report); named suites are used whatever their marks.
    Scenarios are held in memory; training items are streamed."""
    if ngram < 1:
        raise InvalidInput(f"ngram must be at least 1, got {ngram}")
    if not 0 < min_overlap <= 1:
        raise InvalidInput(f"min_overlap {min_overlap} is not in (0, 1]", hint="e.g. --min-overlap 0.5")
    if not 0 < threshold <= 1:
        raise InvalidInput(f"threshold {threshold} is not in (0, 1]", hint="e.g. --threshold 0.5")
    check_field(field)
    name, wanted = parse_ref(train_ref)
    version = resolve_version(session, get_dataset(session, workspace, name), wanted)
    suites, scenarios = _scenarios(session, workspace, suite_refs)
    texts = [scenario_text(s) for _, s in scenarios]
    index = ReferenceIndex(texts, texts, ngram=ngram, min_overlap=min_overlap, threshold=threshold,
                           shingle=shingle, num_perm=num_perm)
    matches: list[ContaminationMatch] = []
    items = 0
    stream = iter_loaded(session, version_item_ids(session, version), batch=_BATCH)
    while batch := list(islice(stream, _BATCH)):
        if scenarios:
            for m in index.match([_overlap_text(s.item) for s in batch],
                                 [item_text(s.item, field) for s in batch]):
                suite, scenario = scenarios[m.reference]
                matches.append(ContaminationMatch(batch[m.text].id, items + m.text, suite, scenario.id,
                                                  m.kind, m.score, m.snippet))
        items += len(batch)
        if progress is not None:
            progress("checking", items, version.item_count)
    matches.sort(key=lambda m: (m.position, m.suite, m.scenario_id, m.kind))
    return ContaminationReport(train=f"{name}@{version.number}", suites=suites, items=items,
                               scenarios=len(scenarios), ngram=ngram, min_overlap=min_overlap,
                               threshold=threshold, field=field, matches=matches)


def _scenarios(session: Session, workspace: Workspace,
               refs: list[str] | None) -> tuple[list[str], list[tuple[str, Scenario]]]:
    if refs is None:  # by default, what is held out from training: not scratch or archived suites
        refs = held_out_suites(session, workspace)
    names: list[str] = []
    scenarios: list[tuple[str, Scenario]] = []
    for ref in dict.fromkeys(refs):
        suite, version = resolve_suite_version(session, workspace, ref)
        label = f"{suite}@{version.number}"
        if label in names:
            continue
        names.append(label)
        scenarios.extend((label, s) for s in _pages(session, version.id))
    return names, scenarios


def _pages(session: Session, version_id: int) -> Iterator[Scenario]:
    start = 0
    while page := stored_scenarios(session, version_id, start=start):
        yield from (scenario for _, scenario in page)
        start = page[-1][0] + 1


