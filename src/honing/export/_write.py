"""Where rows go: a JSONL file per split, or a Hugging Face `datasets` dataset on disk.

Rows are written as they are made (memory stays flat). Files appear only complete: each
is written beside its final name and renamed at the end. The `hf` container is built from
those JSONL files by `datasets` itself, so what `save_to_disk` holds is exactly what
`load_dataset("json")` would read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson

from honing._errors import HoningError


def validation_path(out: Path) -> Path:
    """The sibling validation file: dpo.jsonl -> dpo.validation.jsonl."""
    return out.with_name(f"{out.stem}.validation{out.suffix or '.jsonl'}")


class JsonlSplits:
    """Train rows to `train`, validation rows to `validation` (created only when used)."""

    def __init__(self, train: Path, validation: Path | None):
        self.paths = {"train": train, "validation": validation}
        self.counts = {"train": 0, "validation": 0}
        self._handles: dict[str, Any] = {}

    def write(self, split: str, row: dict[str, Any]) -> None:
        handle = self._handles.get(split)
        if handle is None:
            path = self.paths[split]
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._handles[split] = path.with_name(path.name + ".partial").open("wb")
        handle.write(orjson.dumps(row) + b"\n")
        self.counts[split] += 1

    def finish(self) -> dict[str, Path]:
        """Close and publish; the train file exists even when empty."""
        if "train" not in self._handles:
            self._open_empty("train")
        written = {}
        for split, handle in self._handles.items():
            handle.close()
            path = self.paths[split]
            os.replace(handle.name, path)
            written[split] = path
        return written

    def _open_empty(self, split: str) -> None:
        path = self.paths[split]
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handles[split] = path.with_name(path.name + ".partial").open("wb")

    def abort(self) -> None:
        for handle in self._handles.values():
            handle.close()
            Path(handle.name).unlink(missing_ok=True)


def export_section(summary: dict[str, Any]) -> list[str]:
    """What an export holds, in Markdown: format, source, rows per split, exclusions."""
    rows = summary["rows"]
    excluded = summary["excluded"]
    return [
        f"Training data in TRL's **{summary['format']}** format "
        f"({'standard text' if summary['standard'] else 'conversational'}), exported by Honing from "
        f"{summary['source']}.",
        "",
        "| split | rows |",
        "|---|---|",
        *(f"| {split} | {n} |" for split, n in rows.items()),
        "",
        "Excluded: " + (", ".join(f"{reason} {n}" for reason, n in sorted(excluded.items())) or "none") + ".",
        "",
        *pii_section(summary.get("pii") or {}),
        f"Rubric version: {summary.get('rubric_version') or 'n/a'}. Every row names its item_id, "
        "raters, their agreement and whether a lead adjudicated it." if summary["provenance"] else
        f"Rubric version: {summary.get('rubric_version') or 'n/a'}.",
        "",
    ]


_PII_POLICY = {"left out": "left out (`--redact-pii MODE` writes them redacted, `--allow-pii` keeps them)",
               "redacted": "written redacted ({mode})", "kept": "written unchanged (`--allow-pii`)"}


def pii_section(pii: dict[str, Any]) -> list[str]:
    """Which items' rows held PII or secrets and what became of them: ids and entity types,
    never the text found."""
    if not pii:
        return []
    if not pii["items"]:
        return ["PII: no row holds PII or secrets the detectors find.", ""]
    policy = _PII_POLICY[pii["action"]].format(mode=pii.get("mode"))
    return [f"PII: {pii['rows']} rows of {len(pii['items'])} items held PII or secrets and were {policy}.",
            "", "| item | entity types | rows |", "|---|---|---|",
            *(f"| {f['item_id']} | {', '.join(f['entities'])} | {f['rows']} |" for f in pii["items"]), ""]


def hf_features(datasets: Any, columns: dict[str, str], provenance: bool) -> Any:
    """Explicit column types. Inferred ones differ between splits (a split whose messages
    happen to carry no tool calls infers a narrower struct) and then refuse to load
    together; messages as JSON values keep every key, tool calls included. Tool schemas
    stay JSON text (see `_rows`), which TRL decodes."""
    kinds = {"messages": datasets.List(datasets.Json()), "text": datasets.Value("string"),
             "bool": datasets.Value("bool"), "tools": datasets.Value("string")}
    features = {name: kinds[kind] for name, kind in columns.items()}
    if provenance:
        features.update(item_id=datasets.Value("int64"), rubric_version=datasets.Value("string"),
                        raters=datasets.List(datasets.Value("string")),
                        agreement=datasets.Value("float64"), adjudicated=datasets.Value("bool"))
    return datasets.Features(features)


def training_features(fmt: str, *, standard: bool = False, provenance: bool = True) -> Any:
    """The `datasets.Features` of a format's rows: pass them to `load_dataset("json", ...)`
    when loading train and validation files together."""
    import datasets

    from honing.export._rows import row_columns

    return hf_features(datasets, row_columns(fmt, standard=standard), provenance)


def save_hf_dataset(files: dict[str, Path], out: Path, columns: dict[str, str], card: str, *,
                    provenance: bool) -> None:
    """Convert the split files to a `datasets` Dataset (one split) or DatasetDict (train
    and validation) saved at `out`, with `card` as its README.md."""
    try:
        import datasets
    except ImportError:
        raise HoningError("the hf format needs the `datasets` package",
                          hint="pip install 'honing[train]'") from None
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    # The CLI prints its own summary; the library's progress bars would only interleave.
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        with tempfile.TemporaryDirectory(prefix="honing-hf-") as cache:
            loaded = datasets.load_dataset("json", data_files={s: str(p) for s, p in files.items()},
                                           features=hf_features(datasets, columns, provenance),
                                           cache_dir=cache)
            dataset = loaded if len(files) > 1 else loaded["train"]
            dataset.save_to_disk(str(partial))
    finally:
        if bars:
            datasets.enable_progress_bars()
    (partial / "README.md").write_text(card, encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(partial, out)
