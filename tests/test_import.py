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


# -- column mappings: a mapping the file cannot honour is an error, never an empty field ---------

def _tickets_csv(path, rows=(("How do I reset my password?", "Use the portal.", "m"),
                             ("VPN is down", "Restart it.", "m"))):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["prompt", "answer", "model"])
        writer.writerows(rows)
    return path


def _tickets_parquet(path, answers=("Use the portal.", "Restart it.")):
    pq.write_table(pa.table({"prompt": ["How do I reset my password?", "VPN is down"],
                             "answer": list(answers), "model": ["m", "m"]}), path)
    return path


@pytest.mark.parametrize("write", [_tickets_csv, _tickets_parquet], ids=["csv", "parquet"])
def test_a_mapped_column_the_file_lacks_is_an_error_naming_it_and_the_columns(db, workspace, tmp_path, write):
    path = write(tmp_path / f"tickets.{'csv' if write is _tickets_csv else 'parquet'}")
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="tickets", actor="cli:test",
                           mapping={"response": "nonexistent_col"})
    assert caught.value.message == (f"--map response=nonexistent_col: {path.name} has no column "
                                    "'nonexistent_col'; its columns are: prompt, answer, model")
    assert counts(db) == (0, 0)
    with pytest.raises(InvalidInput, match="did you mean 'answer'"):
        ingest.validate_file(path, mapping={"response": "Answer"})
    imported = ingest.import_file(db, path, workspace=workspace, dataset="tickets", actor="cli:test",
                                  mapping={"response": "answer"})
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v = datasets.resolve_version(session, datasets.get_dataset(session, ws, "tickets"), None)
        items = [s.item for _, s in datasets.item_page(session, v).items]
    assert imported.version.item_count == 2 and [i.responses[0].content for i in items] == [
        "Use the portal.", "Restart it."]


def test_jsonl_mapped_keys_must_appear_in_some_record(db, workspace, tmp_path):
    path = write_jsonl(tmp_path / "logs.jsonl", [{"question": "a?", "answer": "A"},
                                                 {"question": "b?", "answer": "B", "team": "it"}])
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test",
                           mapping={"prompt": "question", "response": "reply"})
    assert caught.value.message == ("--map response=reply: logs.jsonl has no column 'reply'; "
                                    "its records' keys are: question, answer, team")
    assert counts(db) == (0, 0)


def test_unknown_fields_and_fields_mapped_twice_are_refused():
    with pytest.raises(InvalidInput) as caught:
        ingest.parse_mapping(["respnse=answer"])
    assert "--map respnse=answer: 'respnse' is not a field Honing imports" in caught.value.message
    assert "did you mean 'response'" in caught.value.hint and "metadata.KEY" in caught.value.hint
    with pytest.raises(InvalidInput, match="two columns to the field 'prompt'"):
        ingest.parse_mapping(["prompt=q1", "prompt=q2"])
    with pytest.raises(InvalidInput, match="not a field"):  # the library checks dict mappings too
        ingest.validate_file("unused.csv", mapping={"metadata.": "team"})
    assert ingest.parse_mapping(["id=ticket", "metadata.team=team"]) == {"id": "ticket", "metadata.team": "team"}
    assert set(ingest.MAPPABLE_FIELDS) >= {"id", "prompt", "response", "messages", "responses", "metadata"}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_mapped_column_empty_in_every_row_is_an_error(db, workspace, tmp_path, fmt):
    path = (_tickets_csv(tmp_path / "t.csv", rows=(("a?", "", "m"), ("b?", " ", "m"))) if fmt == "csv"
            else _tickets_parquet(tmp_path / "t.parquet", answers=(None, None)))
    with pytest.raises(InvalidInput) as caught:
        ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test",
                           mapping={"response": "answer"})
    assert caught.value.message.startswith(f"--map response=answer: column 'answer' of {path.name} "
                                           "is empty in every row")
    assert counts(db) == (0, 0)
    # Empty in some rows only is ordinary: those items have no response.
    partly = (_tickets_csv(tmp_path / "p.csv", rows=(("a?", "", "m"), ("b?", "B", "m"))) if fmt == "csv"
              else _tickets_parquet(tmp_path / "p.parquet", answers=(None, "B")))
    assert ingest.validate_file(partly, mapping={"response": "answer"}) == 2


def test_a_mapping_may_not_overwrite_an_unmapped_column_but_may_swap_or_share(db, workspace, tmp_path):
    path = _tickets_csv(tmp_path / "t.csv")
    with pytest.raises(InvalidInput, match="t.csv also has a column 'prompt', which this mapping would overwrite"):
        ingest.validate_file(path, mapping={"prompt": "answer"})
    ingest.import_file(db, path, workspace=workspace, dataset="d", actor="cli:test",
                       mapping={"prompt": "answer", "response": "prompt", "metadata.source_model": "model"})
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v = datasets.resolve_version(session, datasets.get_dataset(session, ws, "d"), None)
        first = datasets.item_page(session, v).items[0][1].item
    assert first.messages[0].content == "Use the portal."
    assert first.responses[0].content == "How do I reset my password?"
    assert first.metadata == {"source_model": "m"}


def test_the_cli_exits_2_and_the_api_answers_422_for_an_unknown_column(db, database_url, settings, workspace,
                                                                         tmp_path):
    from fastapi.testclient import TestClient

    from conftest import make_user
    from honing.accounts import Role
    from honing.api import create_app
    from test_audit import run_cli

    path = _tickets_csv(tmp_path / "tickets.csv")
    result = run_cli(database_url, "import", str(path), "-w", workspace, "-d", "tickets",
                     "--map", "response=nonexistent_col")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert ("--map response=nonexistent_col: tickets.csv has no column 'nonexistent_col'; "
            "its columns are: prompt, answer, model") in " ".join(result.stderr.split())
    token = make_user(db, "lee", Role.lead)
    with TestClient(create_app(db, settings)) as client:
        response = client.post(f"/api/workspaces/{workspace}/datasets/tickets/imports",
                               headers={"Authorization": f"Bearer {token}"},
                               files={"file": ("tickets.csv", path.read_bytes())},
                               data={"mapping": ["response=nonexistent_col"]})
    assert response.status_code == 422
    assert "has no column 'nonexistent_col'" in response.json()["message"]
    assert counts(db) == (0, 0)
