"""Dataset cards: what a version holds, where it came from and what is known about it, as
Markdown that Hugging Face and people read.

Most of a card is computed from the version: counts, sources, languages, lineage back to
the first import, the labels people gave its items and how far they agreed, and the checks
run on it (PII scan, duplicates, contamination; see `honing.datasets._checks`). The rest
cannot be computed and is edited: intended use, limitations, license, consent and
retention notes (`set_card_fields`). The Markdown starts with the YAML block that the
Hugging Face Hub reads (license, language, size category).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput
from honing._reports import md_table
from honing.datasets._items import iter_loaded
from honing.datasets._versions import (
    VersionInfo,
    get_dataset,
    parse_ref,
    resolve_version,
    version_info,
    version_item_ids,
)
from honing.figure_cache import Figures, cached
from honing.storage import (
    Database,
    Dataset,
    DatasetCardFields,
    DatasetVersion,
    DatasetVersionParent,
    Queue,
    RetentionPolicy,
    VersionCheck,
    Workspace,
    utcnow,
)

CARD_FIELDS = ("intended_use", "limitations", "license", "consent", "retention_notes")
MAX_FIELD_CHARS = 20_000
CHECK_KINDS = ("pii", "dedup", "contamination")
AGREEMENT_RESAMPLES = 200  # intervals on a card are for orientation; the quality report has the full ones


@dataclass
class DatasetCard:
    workspace: str
    version: VersionInfo
    description: str
    fields: dict[str, str]
    fields_updated: dict[str, Any] | None  # who edited the fields, and when
    counts: dict[str, int]
    sources: dict[str, int]
    languages: dict[str, int]
    lineage: list[dict[str, Any]]  # this version first, then its ancestors
    labels: list[dict[str, Any]]  # per queue over the dataset
    checks: dict[str, dict[str, Any] | None]  # kind -> {"result", "parameters", "actor", "created_at"}
    retention: dict[str, Any] | None
    generated_at: datetime = field(default_factory=utcnow)
    # When the label figures came from the figure cache: when they were computed, and
    # whether labels arrived since (new figures are being computed).
    figures_as_of: datetime | None = None
    figures_updating: bool = False

    @property
    def ref(self) -> str:
        return self.version.ref

    def as_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "ref": self.ref, "version": self.version.as_dict(),
                "description": self.description, "fields": self.fields, "fields_updated": self.fields_updated,
                "counts": self.counts, "sources": self.sources, "languages": self.languages,
                "lineage": self.lineage, "labels": self.labels, "checks": self.checks, "retention": self.retention,
                "generated_at": self.generated_at.isoformat()}


def set_card_fields(session: Session, workspace: Workspace, dataset_name: str, *, actor: str,
                    **values: str | None) -> dict[str, str]:
    """Edit the card's free-text fields (None leaves a field as it is); audited."""
    unknown = sorted(set(values) - set(CARD_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown card field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                           hint=f"card fields: {', '.join(CARD_FIELDS)}")
    for name, value in values.items():
        if value is not None and len(value) > MAX_FIELD_CHARS:
            raise InvalidInput(f"the card field {name} is {len(value)} characters; at most {MAX_FIELD_CHARS}")
    dataset = get_dataset(session, workspace, dataset_name)
    row = session.get(DatasetCardFields, dataset.id)
    if row is None:
        row = DatasetCardFields(dataset_id=dataset.id, **{k: "" for k in CARD_FIELDS}, updated_by=actor)
        session.add(row)
    changed = [k for k, v in values.items() if v is not None and getattr(row, k) != v]
    for name in changed:
        setattr(row, name, values[name])
    row.updated_by, row.updated_at = actor, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="dataset.card", target=f"dataset:{dataset.name}",
                 workspace=workspace.name, details={"fields": changed})
    return {k: getattr(row, k) for k in CARD_FIELDS}


def build_card(session: Session, workspace: Workspace, ref: str, *, db: Database | None = None,
               max_age_s: float = 900) -> DatasetCard:
    """The card of a version. With `db`, the contents and the agreement per queue come from
    the figure cache (see `honing.figure_cache`) instead of being computed on each call."""
    name, number = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    version = resolve_version(session, dataset, number)
    info = version_info(session, dataset, version)
    row = session.get(DatasetCardFields, dataset.id)
    fields = {k: (getattr(row, k) if row else "") for k in CARD_FIELDS}
    updated = {"by": row.updated_by, "at": row.updated_at.isoformat()} if row else None
    if db is None:
        counts, sources, languages = _contents(session, version)
        labels, as_of, updating = _labels(session, workspace, dataset), None, False
    else:
        counts, sources, languages = cached(db, session, _contents_figures(version.id, version.content_hash),
                                            max_age_s=None).value
        labels, as_of, updating = _cached_labels(db, session, workspace, dataset, max_age_s)
    policy = session.get(RetentionPolicy, dataset.id)
    return DatasetCard(
        workspace=workspace.name, version=info, description=dataset.description, fields=fields,
        fields_updated=updated, counts=counts, sources=sources, languages=languages,
        lineage=_lineage(session, dataset, version), labels=labels,
        checks=stored_checks(session, version.id),
        retention=None if policy is None else {"field": policy.field, "equals": policy.equals,
                                               "after_days": policy.after_days, "mode": policy.mode},
        figures_as_of=as_of, figures_updating=updating)


def stored_checks(session: Session, version_id: int) -> dict[str, dict[str, Any] | None]:
    found: dict[str, dict[str, Any] | None] = dict.fromkeys(CHECK_KINDS)
    for check in session.scalars(select(VersionCheck).where(VersionCheck.version_id == version_id)):
        found[check.kind] = {"result": check.result, "parameters": check.parameters, "actor": check.actor,
                             "created_at": check.created_at.isoformat()}
    return found


def _contents(session: Session, version: DatasetVersion) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    counts: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for stored in iter_loaded(session, version_item_ids(session, version)):
        item = stored.item
        counts["items"] += 1
        counts["messages"] += len(item.messages)
        counts["responses"] += len(item.responses)
        counts["with_tool_calls"] += any(m.tool_calls for m in item.messages)
        counts["with_context"] += bool(item.context)
        sources[str(item.metadata.get("source") or "unrecorded")] += 1
        language = item.metadata.get("language")
        if isinstance(language, str) and language:
            languages[language] += 1
    return dict(counts), dict(sources.most_common()), dict(languages.most_common())


def _contents_figures(version_id: int, content_hash: str) -> Figures[tuple[dict[str, int], ...]]:
    # A version's items never change (retention redacts text, not what is counted here).
    return Figures("card_contents", f"version:{version_id}", lambda _: content_hash,
                   lambda s: _contents(s, s.get_one(DatasetVersion, version_id)))


def _lineage(session: Session, dataset: Dataset, version: DatasetVersion) -> list[dict[str, Any]]:
    """This version and its ancestors, newest first (a version has at most a few parents)."""
    chain, seen, todo = [], set(), [version]
    while todo and len(chain) < 50:
        current = todo.pop(0)
        if current.id in seen:
            continue
        seen.add(current.id)
        owner = session.get_one(Dataset, current.dataset_id)
        info = version_info(session, owner, current)
        chain.append({"ref": info.ref, "operation": info.operation, "parameters": info.parameters,
                      "actor": info.actor, "created_at": info.created_at.isoformat(), "parents": info.parents,
                      "items": info.item_count, "content_hash": info.content_hash})
        parents = session.scalars(select(DatasetVersion).join(
            DatasetVersionParent, DatasetVersionParent.parent_id == DatasetVersion.id)
            .where(DatasetVersionParent.version_id == current.id)).all()
        todo.extend(parents)
    return chain


def _labels(session: Session, workspace: Workspace, dataset: Dataset) -> list[dict[str, Any]]:
    """Per queue over any version of the dataset: labels, items labeled, and agreement per
    question (the headline coefficient, with a bootstrap interval and n)."""
    from honing.quality import agreement_only, parse_period

    return [_queue_labels(queue, agreement_only(session, workspace, queue, parse_period("all"),
                                                n_resamples=AGREEMENT_RESAMPLES))
            for queue in _queues(session, workspace, dataset)]


def _cached_labels(db: Database, session: Session, workspace: Workspace, dataset: Dataset,
                   max_age_s: float) -> tuple[list[dict[str, Any]], datetime | None, bool]:
    """`_labels` from the figure cache: the oldest computation time of the queues' figures,
    and whether any of them is being updated."""
    from honing.quality import cached_agreement

    found, times, updating = [], [], False
    for queue in _queues(session, workspace, dataset):
        agreement = cached_agreement(db, session, workspace, queue, n_resamples=AGREEMENT_RESAMPLES,
                                     max_age_s=max_age_s)
        found.append(_queue_labels(queue, agreement.value))
        times.append(agreement.computed_at)
        updating = updating or agreement.updating
    return found, min(times, default=None), updating


def _queues(session: Session, workspace: Workspace, dataset: Dataset) -> list[Queue]:
    return list(session.scalars(select(Queue).join(DatasetVersion, DatasetVersion.id == Queue.dataset_version_id)
                                .where(Queue.workspace_id == workspace.id, DatasetVersion.dataset_id == dataset.id)
                                .order_by(Queue.name)))


def _queue_labels(queue: Queue, agreement: list[Any]) -> dict[str, Any]:
    primary = [a for a in agreement if a.primary]
    return {"queue": queue.name, "dataset_version_id": queue.dataset_version_id,
            "labels": max((a.labels for a in agreement), default=0),
            "agreement": [a.as_dict() for a in primary]}


# --- Markdown --------------------------------------------------------------------------

def _size_category(n: int) -> str:
    for bound, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < bound:
            return name
    return "n>1M"


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def render_card_markdown(card: DatasetCard) -> str:
    meta: dict[str, Any] = {"pretty_name": card.ref, "size_categories": [_size_category(card.counts.get("items", 0))]}
    if card.fields["license"]:
        meta["license"] = card.fields["license"]
    if card.languages:
        meta["language"] = list(card.languages)
    items = card.counts.get("items", 0)
    out = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip(), "---", "",
           f"# Dataset card: {card.ref}", ""]
    if card.description:
        out += [card.description, ""]
    out += [f"Workspace `{card.workspace}`, version {card.version.number} (content hash "
            f"`{card.version.content_hash[:16]}`), generated {card.generated_at:%Y-%m-%d %H:%M} UTC.", ""]
    for name, title in (("intended_use", "Intended use"), ("limitations", "Limitations"), ("license", "License"),
                        ("consent", "Consent"), ("retention_notes", "Retention")):
        out += [f"## {title}", "", card.fields[name] or "_Not written yet._", ""]
    if card.retention:
        r = card.retention
        out += [f"Retention policy: items whose `{r['field']}` is `{r['equals']}` keep their raw text for "
                f"{r['after_days']} days, then only a redacted copy ({r['mode']}) is kept.", ""]
    out += ["## Contents", ""]
    out += md_table(["figure", "value"], [
        ["items", items], ["messages", card.counts.get("messages", 0)],
        ["candidate responses", card.counts.get("responses", 0)],
        ["items with tool calls", f"{card.counts.get('with_tool_calls', 0)} ({_pct(card.counts.get('with_tool_calls', 0), items)})"],
        ["items with context documents", f"{card.counts.get('with_context', 0)} ({_pct(card.counts.get('with_context', 0), items)})"]])
    out += ["", "Sources: " + (", ".join(f"{k} {v} ({_pct(v, items)})" for k, v in card.sources.items()) or "none"),
            "", "Languages: " + (", ".join(f"{k} {v}" for k, v in card.languages.items()) or "not recorded"), ""]
    out += ["## Lineage", ""]
    out += md_table(["version", "operation", "items", "by", "at", "parents", "parameters"],
                    [[v["ref"], v["operation"], v["items"], v["actor"], v["created_at"][:16].replace("T", " "), ", ".join(v["parents"]) or "—",
                      ", ".join(f"{k}={val}" for k, val in sorted(v["parameters"].items())) or "—"] for v in card.lineage])
    out += ["", "## Labels and agreement", ""]
    if card.figures_updating and card.figures_as_of is not None:
        out += [f"_Label figures as of {card.figures_as_of:%Y-%m-%d %H:%M:%S} UTC, updating: labels arrived "
                "since, and new figures are being computed._", ""]
    if not card.labels:
        out.append("No annotation queue uses this dataset.")
    for queue in card.labels:
        out.append(f"Queue `{queue['queue']}`: {queue['labels']} live labels kept (not returned for rework) "
                   "on this dataset's items.")
        if queue["agreement"]:
            out += [""] + md_table(["question", "coefficient", "value", "95% interval", "units"], [
                [a["question"], a["coefficient"], _num(a["value"]), _interval(a), a["n"]] for a in queue["agreement"]])
        out.append("")
    out += ["", "## Checks", ""]
    out += _pii_section(card.checks["pii"]) + [""] + _dedup_section(card.checks["dedup"], items) + [""]
    out += _contamination_section(card.checks["contamination"])
    return "\n".join(out).rstrip() + "\n"


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(a: dict[str, Any]) -> str:
    return "n/a" if a.get("low") is None else f"[{a['low']:.3f}, {a['high']:.3f}]"


def _when(check: dict[str, Any]) -> str:
    return f"(run {check['created_at'][:16]} by {check['actor']})"


def _pii_section(check: dict[str, Any] | None) -> list[str]:
    if check is None:
        return ["**PII scan:** not run (`honing dataset card check DATASET`)."]
    result = check["result"]
    entities = result.get("entities") or {}
    if not entities:
        return [f"**PII scan** {_when(check)}: no personal data found in {result.get('items_scanned', 'the')} items."]
    lines = [f"**PII scan** {_when(check)}: {result.get('items_with_pii', '?')} of "
             f"{result.get('items_scanned', '?')} items contain personal data.", ""]
    lines += md_table(["entity", "items", "occurrences", "examples (masked)"], [
        [name, e.get("items", ""), e.get("spans", e.get("count", "")), "; ".join(e.get("examples", [])[:3])]
        for name, e in sorted(entities.items())])
    return lines


# How a card says which text of an item the duplicates check compared.
_FIELD_WORDS = {"user": "user turns", "messages": "conversation without system prompts",
                "responses": "responses", "all": "all text with system prompts"}


def _dedup_section(check: dict[str, Any] | None, items: int) -> list[str]:
    if check is None:
        return ["**Duplicates:** not checked."]
    result = check["result"]
    return [f"**Duplicates** {_when(check)}: {result.get('exact_clusters', 0)} exact and "
            f"{result.get('near_clusters', 0)} near-duplicate clusters (threshold "
            f"{check['parameters'].get('threshold', '?')}, {_FIELD_WORDS.get(check['parameters'].get('field'), 'text')} "
            f"compared); {result.get('redundant_items', 0)} of {items} items "
            "would go in a deduplicated version."]


def _contamination_section(check: dict[str, Any] | None) -> list[str]:
    if check is None:
        return ["**Contamination:** not checked against evaluation suites."]
    result = check["result"]
    suites = ", ".join(check["parameters"].get("suites") or []) or "no suite (the workspace has no held-out suite)"
    found = result.get("contaminated_items", 0)
    verdict = "clean" if not found else f"{found} items match evaluation scenarios and are refused by training exports"
    return [f"**Contamination** {_when(check)} against {suites}: {verdict}."]
