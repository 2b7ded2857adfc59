"""`export_training`: a queue's labels (or a dataset's conversations) as TRL training data.

Labels of a queue are small and read at once; items are read in batches and each row is
written as soon as it is made. Gold items are left out by default (they measure raters;
training on them leaks the answer key into the model), so are items found in an
evaluation suite (training on them inflates every later evaluation), and so are rows that
hold PII or secrets (`_pii`), unless they are to be written redacted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import InvalidInput
from honing.datasets.pii import workspace_backends
from honing.export._lineage import carried_items
from honing.export._options import (
    TrainingOptions,
    edit_question,
    preference_question,
    rating_question,
)
from honing.export._pii import RowScreen
from honing.export._rows import MissingResponse, render_row, row_columns
from honing.export._select import (
    Example,
    Selection,
    counted_labels,
    ideal_responses,
    preference_pairs,
    rated_responses,
    rating_pairs,
)
from honing.export._source import Source, contaminated_items, dataset_item_ids, resolve_source
from honing.export._split import stratum_of, validation_items
from honing.export._write import (
    JsonlSplits,
    export_section,
    save_hf_dataset,
    validation_path,
)
from honing.storage import Workspace

_BATCH = 200
_NOT_TRAINING = {"gold", "qualification"}


@dataclass
class TrainingExport:
    """What an export wrote and what it left out, and why."""

    source: str
    format: str
    out: Path
    files: dict[str, Path]
    rows: dict[str, int]
    excluded: Counter[str] = field(default_factory=Counter)
    question: str | None = None
    rubric_version: str | None = None
    warnings: list[str] = field(default_factory=list)
    # the policy and the items whose rows held PII (ids and entity types, never the text)
    pii: dict[str, Any] = field(default_factory=dict)
    labels_from: str | None = None  # the labeled version, when labels carried over (--as-version)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "out": str(self.out),
                "files": {k: str(v) for k, v in self.files.items()}, "rows": self.rows,
                "excluded": dict(self.excluded), "question": self.question,
                "rubric_version": self.rubric_version, "pii": self.pii,
                "labels_from": self.labels_from, "warnings": self.warnings}


def select_examples(source: Source, options: TrainingOptions) -> tuple[Selection, str]:
    """The examples a queue's labels give for the format, and the question they came from."""
    assert source.data is not None
    rubric, fmt = source.data.rubric, options.format
    by_item = counted_labels(source.data.labels, include_gold=not options.exclude_gold)
    excluded: Counter[str] = Counter()
    if options.exclude_gold:
        excluded["gold"] += len({lb.queue_item_id for lb in source.data.labels if lb.kind == "gold"})
        for qi in [qi for qi, labels in by_item.items()
                   if source.item_kinds.get(labels[0].item_id, set()) & _NOT_TRAINING]:
            del by_item[qi]
            excluded["gold"] += 1
    adjudications = source.adjudications
    if fmt in ("dpo", "reward"):
        if options.from_ratings:
            q = rating_question(rubric, options.from_ratings)
            selection = rating_pairs(by_item, adjudications, q.id, min_gap=options.min_gap,
                                     min_agreement=options.min_agreement)
        else:
            q = preference_question(rubric, options.question)
            selection = preference_pairs(by_item, adjudications, q.id, min_strength=options.min_strength,
                                         min_agreement=options.min_agreement)
    elif fmt == "kto":
        q = rating_question(rubric, options.from_ratings or options.question,
                            "--from-ratings" if options.from_ratings else "--question")
        desirable = options.min_rating if options.min_rating is not None else q.high - 1
        undesirable = options.max_rating if options.max_rating is not None else q.low + 1
        if undesirable >= desirable:
            raise InvalidInput(f"--max-rating {undesirable} must be below --min-rating {desirable}",
                               hint="ratings in between are left out as neutral")
        selection = rated_responses(by_item, adjudications, q.id, desirable=desirable,
                                    undesirable=undesirable, min_agreement=options.min_agreement)
    elif options.from_ratings:
        q = rating_question(rubric, options.from_ratings)
        selection = rated_responses(by_item, adjudications, q.id,
                                    desirable=options.min_rating if options.min_rating is not None else q.high - 1,
                                    undesirable=None, min_agreement=options.min_agreement)
    else:
        q = edit_question(rubric, options.question)
        selection = ideal_responses(by_item, adjudications, q.id)
    selection.excluded.update(excluded)
    return selection, q.id


def dataset_card_text(session: Session, workspace: Workspace, dataset_ref: str, summary: dict[str, Any]) -> str:
    """The source dataset version's card, then what this export holds."""
    card = datasets.render_card_markdown(datasets.build_card(session, workspace, dataset_ref))
    return card + "\n## This export\n\n" + "\n".join(export_section(summary))


def export_training(session: Session, workspace: Workspace, source_text: str, out: Path | str,
                    options: TrainingOptions, *, actor: str,
                    ) -> TrainingExport:
    """Write `source_text` (queue, dataset, `queue:NAME` or `dataset:REF`) in a TRL format,
    with the source dataset's card beside the data (README.md of an hf dataset, else
    NAME.card.md beside the JSONL file)."""
    options.check()
    out = Path(out)
    columns = row_columns(options.format, standard=options.standard)
    # The workspace's NER backends (if any) screen the rows as they screen its dataset scans.
    screen = RowScreen(columns, redact=options.redact_pii, allow=options.allow_pii,
                       backends=workspace_backends(session, workspace))
    source = resolve_source(session, workspace, source_text)
    if options.as_version and source.kind != "queue":
        raise InvalidInput(f"--as-version carries a queue's labels over to a redacted version; "
                           f"{source.describe()} is a dataset", hint=f"export {options.as_version} itself")
    result = TrainingExport(source=source.describe(), format=options.format, out=out, files={}, rows={},
                            rubric_version=source.rubric_ref)
    if source.kind == "queue":
        selection, result.question = select_examples(source, options)
        examples: dict[int, list[Example]] = {}
        for example in selection.examples:
            examples.setdefault(example.item_id, []).append(example)
        result.excluded.update(selection.excluded)
        item_ids: list[int] | None = list(examples)
    else:
        if options.format not in ("sft", "prompt-completion"):
            raise InvalidInput(f"{options.format} needs human judgments, and dataset {source.name!r} has none",
                               hint="export the queue that labeled it instead: queue:NAME")
        examples, item_ids = {}, None

    skip: set[int] = set()
    if not options.allow_contaminated:
        skip = contaminated_items(session, workspace, source, list(options.suites) if options.suites else None)
    if options.as_version:
        # Contamination was judged on the labeled text; the redacted rows inherit it.
        examples, skip = _carry_over(session, workspace, source, options.as_version, examples, skip, result)
        item_ids = list(examples)

    def ids() -> Iterator[int]:
        return iter(item_ids) if item_ids is not None else dataset_item_ids(session, source)

    def rows_of(stored: datasets.StoredItem) -> list[Example | None]:
        return list(examples.get(stored.id, [])) if source.kind == "queue" else [None]

    def keep(item_id: int) -> bool:
        if item_id in skip:
            result.excluded["contaminated"] += len(examples.get(item_id, [None]))
            return False
        if source.kind == "dataset" and options.exclude_gold and \
                source.item_kinds.get(item_id, set()) & _NOT_TRAINING:
            result.excluded["gold"] += 1
            return False
        return True

    validation: set[int] = set()
    if options.validation > 0:
        if options.stratify_by:
            strata = ((s.id, stratum_of(s.item.metadata, options.stratify_by))
                      for s in datasets.iter_loaded(session, ids(), batch=_BATCH) if s.id not in skip)
        else:
            strata = ((i, "") for i in ids() if i not in skip)
        validation = validation_items(strata, options.validation, options.seed)

    jsonl_out = out if options.container == "jsonl" else out.with_name(out.name + ".rows") / "train.jsonl"
    sink = JsonlSplits(jsonl_out, validation_path(jsonl_out) if validation else None)
    try:
        for stored in datasets.iter_loaded(session, (i for i in ids() if keep(i)), batch=_BATCH):
            split = "validation" if stored.id in validation else "train"
            for example in rows_of(stored):
                try:
                    row = render_row(options.format, stored, example, standard=options.standard,
                                     provenance=options.provenance, rubric_ref=source.rubric_ref)
                except MissingResponse:
                    result.excluded["missing answers"] += 1
                    continue
                screened = screen.screen(stored.id, row)
                if screened is None:
                    result.excluded["pii"] += 1
                    continue
                sink.write(split, screened)
        files = sink.finish()
    except BaseException:
        sink.abort()
        raise
    result.rows = dict(sink.counts) if validation else {"train": sink.counts["train"]}
    if result.excluded["contaminated"]:
        result.warnings.append(
            f"{result.excluded['contaminated']} rows left out: their items appear in an evaluation "
            "suite, and training on them would inflate its results (--allow-contaminated keeps them)")
    result.pii = screen.summary()
    if warning := screen.warning():
        result.warnings.append(warning)
    summary = _summary(result, options)
    card = dataset_card_text(session, workspace, source.dataset_ref, summary)
    if options.container == "hf":
        try:
            save_hf_dataset(files, out, columns, card, provenance=options.provenance)
        finally:
            for path in files.values():
                path.unlink(missing_ok=True)
            jsonl_out.parent.rmdir()
        result.files = {"dataset": out}
    else:
        card_file = out.with_name(out.stem + ".card.md")
        card_file.write_text(card, encoding="utf-8")
        result.files = {**files, "card": card_file}
    audit.record(session, actor=actor, action="dataset.export_training", target=source.describe(),
                 workspace=workspace.name,
                 details={"format": options.format, "container": options.container, "rows": result.rows,
                          "excluded": dict(result.excluded), "file": out.name,
                          "pii": {k: v for k, v in result.pii.items() if k != "items"}
                          | {"item_ids": [f["item_id"] for f in result.pii["items"]]}})
    return result


def _carry_over(session: Session, workspace: Workspace, source: Source, target_ref: str,
                examples: dict[int, list[Example]], skip: set[int], result: TrainingExport,
                ) -> tuple[dict[int, list[Example]], set[int]]:
    """The examples and contaminated ids keyed by the items' counterparts in `target_ref`;
    the source then describes that version, whose text the rows carry."""
    version, mapping = carried_items(session, workspace, source.dataset_ref, target_ref, set(examples) | skip)
    carried: dict[int, list[Example]] = {}
    for item_id, item_examples in examples.items():
        if item_id in mapping:
            carried.setdefault(mapping[item_id], []).extend(item_examples)
        else:
            result.excluded[f"not in {target_ref}"] += len(item_examples)
    result.labels_from = source.dataset_ref
    source.version = version
    source.dataset_ref = f"{datasets.parse_ref(target_ref)[0]}@{version.number}"
    result.source = source.describe() + f", labels of {result.labels_from}"
    return carried, {mapping[i] for i in skip if i in mapping}


def _summary(result: TrainingExport, options: TrainingOptions) -> dict[str, Any]:
    return {"name": result.out.name, "format": options.format, "standard": options.standard,
            "source": result.source, "rows": result.rows, "excluded": dict(result.excluded),
            "rubric_version": result.rubric_version, "provenance": options.provenance, "pii": result.pii}
