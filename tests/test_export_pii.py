"""PII and secrets in training exports: rows that hold them are left out and listed by
default, written redacted with --redact-pii MODE, kept with --allow-pii; a queue's labels
carry over to a redacted version through its lineage. On hand-made rows, on a labeled
queue in SQLite and PostgreSQL, and on the demo through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from honing import accounts, datasets, export, ingest
from honing._errors import HoningError
from honing.datasets import pii
from honing.domain import Item
from honing.export import RowScreen, TrainingOptions, render_row
from judge_fixtures import build_items, labeled_queue
from records import write_jsonl
from test_training_export import honing_demo, read, run

CARD = "4111 1111 1111 1111"  # a published test card: Luhn-valid, never issued
EMAIL = "anna.schmidt@example.com"


def found_in(rows: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """(item id, entity, value) for every PII span in the rows' user content, found
    independently of the export's own walk: message texts, tool call arguments, plain text."""
    hits = []
    for row in rows:
        texts: list[str] = []
        for column, value in row.items():
            if column in ("tools", "raters", "rubric_version"):
                continue
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                for m in value:
                    if isinstance(m, dict):
                        texts.append(m.get("content") or "")
                        texts += [c["function"]["arguments"] for c in m.get("tool_calls") or []]
        for text in texts:
            hits += [(row.get("item_id"), s.entity, text[s.start:s.end]) for s in pii.detect(text)]
    return hits


# --- one row ---------------------------------------------------------------------------------

def pii_item() -> datasets.StoredItem:
    item = Item.model_validate({
        "messages": [
            {"role": "user", "content": f"The card {CARD} was charged twice."},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "find_user", "arguments": json.dumps({"email": EMAIL})}}]},
            {"role": "tool", "tool_call_id": "c1", "content": '{"found": true}'}],
        "responses": [{"content": f"I refunded the charge on {CARD}."}, {"content": "Please call your bank."}]})
    return datasets.StoredItem(9, item.content_hash(), item, [])


def dpo_row(stored: datasets.StoredItem) -> dict[str, Any]:
    pair = export.Example(9, 1, chosen="A", rejected="B", raters=("ann",), agreement=1.0)
    return render_row("dpo", stored, pair, standard=False, provenance=True, rubric_ref=None)


COLUMNS = export.row_columns("dpo", standard=False)


def test_a_row_with_pii_is_left_out_by_default_and_listed_without_its_text():
    row = dpo_row(pii_item())
    screen = RowScreen(COLUMNS)
    assert screen.screen(9, row) is None
    summary = screen.summary()
    assert summary == {"action": "left out", "mode": None, "rows": 1,
                       "items": [{"item_id": 9, "entities": ["CREDIT_CARD", "EMAIL"], "rows": 1,
                                  "action": "left out"}]}
    assert CARD not in json.dumps(summary) and "--redact-pii" in screen.warning()
    clean = dpo_row(datasets.StoredItem(10, "h", Item.model_validate(
        {"messages": [{"role": "user", "content": "Hi"}], "responses": [{"content": "a"}, {"content": "b"}]}), []))
    assert screen.screen(10, clean) is clean and screen.rows == 1


def test_redacted_rows_share_placeholders_within_an_item_and_keep_tool_calls_json():
    row = dpo_row(pii_item())
    written = RowScreen(COLUMNS, redact="placeholder").screen(9, row)
    assert written is not None and not found_in([written])
    assert written["prompt"][0]["content"] == "The card <CREDIT_CARD_1> was charged twice."
    assert written["chosen"][0]["content"] == "I refunded the charge on <CREDIT_CARD_1>."  # the same card
    arguments = json.loads(written["prompt"][1]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"email": "<EMAIL_1>"}
    assert row["prompt"][0]["content"].endswith(f"{CARD} was charged twice.")  # the input is not mutated
    masked = RowScreen(COLUMNS, redact="mask").screen(9, dpo_row(pii_item()))
    assert masked is not None and "[CREDIT_CARD]" in masked["prompt"][0]["content"]
    kept = RowScreen(COLUMNS, allow=True)
    assert kept.screen(9, row) == row and "--allow-pii" in kept.warning()


def test_pii_options_are_checked_before_anything_is_written(monkeypatch):
    with pytest.raises(HoningError, match="--redact-pii and --allow-pii exclude each other"):
        TrainingOptions(redact_pii="mask", allow_pii=True).check()
    with pytest.raises(HoningError, match="--redact-pii 'blur' is not a redaction mode"):
        TrainingOptions(redact_pii="blur").check()
    monkeypatch.delenv(pii.KEY_VARIABLE, raising=False)
    with pytest.raises(HoningError, match=pii.KEY_VARIABLE):
        RowScreen(COLUMNS, redact="hash")
    monkeypatch.setenv(pii.KEY_VARIABLE, "k" * 32)
    hashed = RowScreen(COLUMNS, redact="hash").screen(9, dpo_row(pii_item()))
    assert hashed is not None and "<CREDIT_CARD:" in hashed["prompt"][0]["content"]


# --- a labeled queue in the database ---------------------------------------------------------

def labeled_queue_with_pii(db, workspace: str, tmp_path: Path, name: str, items: int = 9) -> str:
    """A labeled queue (three raters) whose every third conversation holds a card number."""
    records = build_items(items, raters=3, seed=2)
    for i, record in enumerate(records):
        if i % 3 == 0:
            record["messages"][0]["content"] += f" My card {CARD} was charged for it."
    return labeled_queue(db, workspace, tmp_path, name=name, items=items, records=records)


def test_queue_export_leaves_pii_out_redacts_or_keeps_it(db, workspace, tmp_path):
    queue = labeled_queue_with_pii(db, workspace, tmp_path, "pq")
    kept = run(db, workspace, f"queue:{queue}", tmp_path / "kept.jsonl", format="kto", allow_pii=True)
    kept_rows = read(kept.files["train"])
    holding = {item_id for item_id, _, _ in found_in(kept_rows)}
    assert holding and kept.pii["action"] == "kept" and any("--allow-pii" in w for w in kept.warnings)
    rows_with_pii = sum(r["item_id"] in holding for r in kept_rows)

    default = run(db, workspace, f"queue:{queue}", tmp_path / "out.jsonl", format="kto")
    rows = read(default.files["train"])
    assert not found_in(rows)
    assert default.excluded["pii"] == rows_with_pii and len(rows) == len(kept_rows) - rows_with_pii
    assert {f["item_id"] for f in default.pii["items"]} == holding
    assert all(f["entities"] == ["CREDIT_CARD"] for f in default.pii["items"])
    card = default.files["card"].read_text()
    assert f"PII: {rows_with_pii} rows of {len(holding)} items held PII or secrets and were left out" in card
    assert all(f"| {i} | CREDIT_CARD |" in card for i in holding) and CARD not in card

    redacted = run(db, workspace, f"queue:{queue}", tmp_path / "red.jsonl", format="kto", redact_pii="placeholder")
    red_rows = read(redacted.files["train"])
    assert len(red_rows) == len(kept_rows) and not found_in(red_rows) and "pii" not in redacted.excluded
    assert sum("<CREDIT_CARD_1>" in r["prompt"][0]["content"] for r in red_rows) == rows_with_pii
    assert "were written redacted (placeholder)" in redacted.files["card"].read_text()


def test_labels_carry_over_to_a_redacted_version(db, workspace, tmp_path):
    """Raters label raw v1; `honing pii redact` makes v2; the labels export onto v2's items."""
    queue = labeled_queue_with_pii(db, workspace, tmp_path, "lin")
    raw = read(run(db, workspace, f"queue:{queue}", tmp_path / "raw.jsonl", format="dpo",
                   allow_pii=True).files["train"])
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        made = pii.redact_version(session, ws, f"{queue}@1", "placeholder", actor="cli:test")
    assert made.created and made.version.ref == f"{queue}@2" and made.changed_items == 3
    done = run(db, workspace, f"queue:{queue}", tmp_path / "v2.jsonl", format="dpo", as_version=f"{queue}@2")
    rows = read(done.files["train"])
    assert not found_in(rows) and not done.pii["items"] and "pii" not in done.excluded
    assert done.labels_from == f"{queue}@1" and f"({queue}@2)" in done.source
    assert f"# Dataset card: {queue}@2" in done.files["card"].read_text()
    # Row for row the same labels, each on the redaction of the item that was labeled.
    assert len(rows) == len(raw)
    with db.reading() as session:
        raw_items = {s.id: s.item for s in datasets.load_items(session, [r["item_id"] for r in raw])}
        new_items = {s.id: s for s in datasets.load_items(session, [r["item_id"] for r in rows])}
        v2_ids = set(datasets.version_item_ids(session, datasets.resolve_version(
            session, datasets.get_dataset(session, accounts.get_workspace(session, workspace), queue), "2")))
    for before, after in zip(raw, rows, strict=True):
        expected = pii.redact_item(raw_items[before["item_id"]], pii.Redactor("placeholder"))
        assert new_items[after["item_id"]].content_hash == expected.content_hash()
        assert after["item_id"] in v2_ids
        assert (after["raters"], after["agreement"]) == (before["raters"], before["agreement"])
        assert (after["item_id"] == before["item_id"]) == (expected is raw_items[before["item_id"]])
    holding = {item_id for item_id, _, _ in found_in(raw)}
    moved = [b["item_id"] for r, b in zip(rows, raw, strict=True) if r["item_id"] != b["item_id"]]
    assert holding and moved == [b["item_id"] for b in raw if b["item_id"] in holding]  # the redacted ones


def test_as_version_needs_a_version_redacted_from_the_labeled_one(db, workspace, tmp_path):
    queue = labeled_queue_with_pii(db, workspace, tmp_path, "nolin", items=3)
    ingest.import_file(db, write_jsonl(tmp_path / "other.jsonl", build_items(2, raters=3, seed=9)),
                       workspace=workspace, dataset=queue, actor="cli:test")  # v2: a new import
    with pytest.raises(HoningError, match=rf"{queue}@2 is not derived from {queue}@1 by redaction"):
        run(db, workspace, f"queue:{queue}", tmp_path / "x.jsonl", format="dpo", as_version=f"{queue}@2")
    with pytest.raises(HoningError, match="--as-version carries a queue's labels"):
        run(db, workspace, f"dataset:{queue}", tmp_path / "x.jsonl", format="sft", as_version=f"{queue}@2")
    assert not (tmp_path / "x.jsonl").exists()


# --- the demo, through the CLI ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["sft", "dpo", "kto", "reward"])
def test_demo_export_lists_pii_rows_it_leaves_out_and_redacts_them_on_request(demo_home, tmp_path, fmt):
    home, _ = demo_home
    allowed = tmp_path / "allowed.jsonl"
    assert honing_demo(home, "export", "helpdesk-review", "--format", fmt, "--allow-pii",
                       "--out", str(allowed)).returncode == 0
    hits = found_in(read(allowed))
    holding = {item_id for item_id, _, _ in hits}
    assert holding, "the demo plants PII in its conversations"
    # counted per row: a KTO or reward row may hold PII in its completion while a sibling does not
    rows_with_pii = sum(bool(found_in([r])) for r in read(allowed))

    out = tmp_path / f"{fmt}.jsonl"
    done = honing_demo(home, "export", "helpdesk-review", "--format", fmt, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert not found_in(read(out)) and len(read(out)) == len(read(allowed)) - rows_with_pii
    assert f"pii {rows_with_pii}" in done.stdout and "--redact-pii" in done.stderr
    listed = {int(line.split()[2]) for line in done.stdout.splitlines() if line.startswith("pii: item")}
    assert listed == holding
    card = (tmp_path / f"{fmt}.card.md").read_text()
    assert f"PII: {rows_with_pii} rows of {len(holding)} items held PII or secrets and were left out" in card
    for _, _, value in hits:  # the card and the command name types and ids, never the values
        assert value not in card and value not in done.stdout + done.stderr

    redacted = tmp_path / f"{fmt}-redacted.jsonl"
    again = honing_demo(home, "export", "helpdesk-review", "--format", fmt, "--redact-pii", "placeholder",
                        "--out", str(redacted), "--json")
    assert again.returncode == 0, again.stderr
    rows = read(redacted)
    assert len(rows) == len(read(allowed)) and not found_in(rows)
    summary = json.loads(again.stdout)
    assert summary["pii"]["action"] == "redacted" and {f["item_id"] for f in summary["pii"]["items"]} == holding
    assert summary["rows"]["train"] == len(rows) and "pii" not in summary["excluded"]
