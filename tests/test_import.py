"""Import: validation with precise errors, all-or-nothing writes, versions and lineage."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from honing import accounts, datasets, ingest
from honing._errors import InvalidInput
from honing.storage import DatasetVersion, ItemRow
from records import record, write_jsonl


def counts(db) -> tuple[int, int]:
    with db.reading() as session:
        return (session.scalar(select(func.count()).select_from(ItemRow)),
                session.scalar(select(func.count()).select_from(DatasetVersion)))


def versions(db, workspace: str, name: str):
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        return datasets.list_versions(session, datasets.get_dataset(session, ws, name))


def test_bad_record_on_line_998_rejects_the_whole_file(db, workspace, tmp_path):
    rows = [record(i) for i in range(1000)]
    rows[997]["messages"][1] = {"role": "user", "content": 42}  # line 998: content must be text
    path = write_jsonl(tmp_path / "logs.jsonl", rows)
    before = counts(db)

    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="logs", actor="cli:test")

    problems = caught.value.problems
    assert [(p.file, p.line, p.field) for p in problems] == [("logs.jsonl", 998, "messages[1].content")]
    assert "line 998" in str(caught.value) and "messages[1].content" in str(caught.value)
    assert counts(db) == before == (0, 0)


def test_invalid_json_and_wrong_shapes_are_named(db, workspace, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(record(1))
    path.write_text("\n".join([
        good,
        "{not json",
        "[1, 2]",
        json.dumps({"messages": [{"role": "tool", "content": "x", "tool_call_id": "nope"}]}),
        json.dumps({"metadata": {"a": 1}}),
        json.dumps({"messages": [{"role": "wizard", "content": "hi"}]}),
    ]) + "\n")
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test")
    by_line = {p.line: p for p in caught.value.problems}
    assert set(by_line) == {2, 3, 4, 5, 6}
    assert "not valid JSON" in by_line[2].message
    assert "expected a JSON object" in by_line[3].message
    assert "no earlier assistant message called" in by_line[4].message
    assert by_line[5].field == "messages"
    assert by_line[6].field == "messages[0].role"
    assert counts(db) == (0, 0)


def test_identical_reimport_creates_no_version_and_change_names_parent(db, workspace, tmp_path):
    rows = [record(i) for i in range(20)]
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    first = ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test")
    again = ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test")
    assert first.created and not again.created
    assert again.version.ref == first.version.ref == "d@1"
    assert len(versions(db, workspace, "d")) == 1

    rows[5]["responses"][1]["content"] = "Fixed answer."
    changed = ingest.import_file(db, write_jsonl(tmp_path / "b.jsonl", rows),
                                 workspace=workspace, dataset="d", actor="cli:alice")
    assert changed.created and changed.new_items == 1
    v2 = versions(db, workspace, "d")[-1]
    assert v2.ref == "d@2" and v2.parents == ["d@1"]
    assert v2.operation == "import" and v2.actor == "cli:alice"
    assert v2.parameters["file"] == "b.jsonl" and v2.content_hash != first.version.content_hash
    # Unchanged items are shared between the versions, not copied.
    assert counts(db)[0] == 21


def test_append_mode_keeps_parent_items(db, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", [record(i) for i in range(3)]),
                       workspace=workspace, dataset="d", actor="cli:test")
    result = ingest.import_file(db, write_jsonl(tmp_path / "b.jsonl", [record(9)]),
                                workspace=workspace, dataset="d", actor="cli:test", mode="append")
    assert result.version.item_count == 4 and result.version.parents == ["d@1"]
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v = datasets.resolve_version(session, datasets.get_dataset(session, ws, "d"), None)
        ids = [s.item.external_id for _, s in datasets.item_page(session, v).items]
    assert ids == ["t-00000", "t-00001", "t-00002", "t-00009"]


def test_csv_with_column_mapping(db, workspace, tmp_path):
    path = tmp_path / "tickets.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket", "question", "answer", "model", "team"])
        writer.writerow(["T-1", "How do I reset my password?", "Use the portal.", "m", "it"])
        writer.writerow(["T-2", "VPN, again, is down", "Restart it.", "m", "net"])
    result = ingest.import_file(db, path, workspace=workspace, dataset="tickets", actor="cli:test",
                                mapping={"id": "ticket", "prompt": "question", "response": "answer"})
    assert result.version.item_count == 2
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v = datasets.resolve_version(session, datasets.get_dataset(session, ws, "tickets"), None)
        first = datasets.item_page(session, v).items[1][1].item
    assert first.external_id == "T-2"
    assert first.messages[0].content == "VPN, again, is down"
    assert first.responses[0].content == "Restart it." and first.responses[0].model == "m"
    assert first.metadata == {"team": "net"}


def test_csv_errors_name_row_and_column(db, workspace, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("prompt,messages\nhello,\n,\"[{\"\"role\"\": 1}]\"\n,not json\n")
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test")
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert (2, "messages[0].role") in problems
    assert (3, "messages") in problems
    assert counts(db) == (0, 0)


def test_parquet_import_and_roundtrip_through_export(db, workspace, tmp_path):
    rows = [record(i) for i in range(30)]
    rows[0]["messages"][1]["content"] = [{"type": "text", "text": "multi-part"}]
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", rows), workspace=workspace,
                       dataset="d", actor="cli:test")
    out = tmp_path / "d.parquet"
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v = datasets.resolve_version(session, datasets.get_dataset(session, ws, "d"), None)
        assert datasets.export_version(session, v, "parquet", out) == 30
    table = pq.read_table(out)
    assert table.num_rows == 30
    assert pa.types.is_list(table.schema.field("messages").type)  # real nested structs
    assert table.column("messages")[3].as_py()[2]["tool_calls"][0]["function"]["name"] == "check_service_status"
    # Re-importing our own export into another dataset reproduces the version exactly.
    again = ingest.import_file(db, out, workspace=workspace, dataset="copy", actor="cli:test")
    assert again.version.content_hash == v.content_hash and again.new_items == 0


def test_parquet_from_another_tool_with_flat_columns(db, workspace, tmp_path):
    path = tmp_path / "flat.parquet"
    pq.write_table(pa.table({"prompt": ["a?", "b?"], "response": ["A", "B"],
                             "score": [1.5, 2.0]}), path)
    result = ingest.import_file(db, path, workspace=workspace, dataset="flat", actor="cli:test")
    assert result.version.item_count == 2
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"question": ["a?"]}), bad)
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, bad, workspace=workspace, dataset="flat", actor="cli:test")
    assert caught.value.problems[0].row == 1 and caught.value.problems[0].field == "messages"


def test_not_parquet_and_unknown_format(db, workspace, tmp_path):
    fake = tmp_path / "x.parquet"
    fake.write_text("hello")
    with pytest.raises(InvalidInput, match="not a readable Parquet file"):
        ingest.import_file(db, fake, workspace=workspace, dataset="d", actor="cli:test")
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        ingest.import_file(db, tmp_path / "x.xlsx", workspace=workspace, dataset="d", actor="cli:test")
    empty = tmp_path / "e.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(InvalidInput, match="holds no records"):
        ingest.import_file(db, empty, workspace=workspace, dataset="d", actor="cli:test")
    assert counts(db) == (0, 0)


def test_hostile_names_are_refused(db, workspace, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(1)])
    for name in ["../etc", "Robert'); DROP TABLE item;--", "", "x" * 65, "ümlaut"]:
        with pytest.raises(InvalidInput):
            ingest.import_file(db, path, workspace=workspace, dataset=name, actor="cli:test")
    assert counts(db) == (0, 0)


def test_nul_characters_are_refused_on_every_backend(db, workspace, tmp_path):
    rows = [record(1), record(2)]
    rows[1]["messages"][1]["content"] = "before\u0000after"
    rows[1]["metadata"]["note"] = "x"
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, write_jsonl(tmp_path / "nul.jsonl", rows), workspace=workspace,
                           dataset="d", actor="cli:test")
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (2, "messages[1].content")
    assert "NUL" in problem.message
    assert counts(db) == (0, 0)
