"""Training exports in TRL's formats: selection rules on hand-made labels, the rows each
format writes (columns, types, roles, provenance), the split, the hf container, bad input,
and the demo queue exported by the CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from browser_fixtures import demo_env
from honing import accounts, annotate, datasets, export, ingest
from honing._errors import HoningError
from honing.annotate import GoldRecord
from honing.domain import Item
from honing.export import (
    TrainingOptions,
    counted_labels,
    ideal_responses,
    preference_pairs,
    rated_responses,
    rating_pairs,
    render_row,
    validation_items,
)
from honing.quality import LabelRow
from honing.storage import QueueItem
from judge_fixtures import labeled_queue
from records import record, write_jsonl

START = datetime(2026, 11, 30, tzinfo=UTC)
ROLES = {"system", "user", "assistant", "tool"}
PROVENANCE = ["item_id", "rubric_version", "raters", "agreement", "adjudicated"]


def lab(lid: int, qi: int, rater: str, answers: dict, *, status: str = "submitted",
        kind: str = "live", day: float = 0) -> LabelRow:
    return LabelRow(lid, qi, qi * 10, ord(rater[0]), rater, "c", kind, answers, status, 0, False,
                    None, None, 0, START + timedelta(days=day))


def prefs(qi: int, *verdicts: str, first_id: int = 0) -> list[LabelRow]:
    return [lab(first_id + n, qi, f"r{n}", {"pref": v}) for n, v in enumerate(verdicts)]


def by_example(selection):
    return {e.queue_item_id: e for e in selection.examples}


# --- selection rules (pure) ------------------------------------------------------------------

def test_preference_pairs_follow_the_majority_and_leave_ties_out():
    labels = [*prefs(1, "A>B", "A>>B", "B>A"), *prefs(2, "A>B", "B>A", first_id=10),
              *prefs(3, "tie", "tie", "A>B", first_id=20), *prefs(4, "B>>A", "B>>A", "B>>A", first_id=30),
              *prefs(5, "A>B", "B>A", "B>A", first_id=40),
              lab(50, 6, "r0", {"pref": "A>>B"}, status="returned"), lab(51, 6, "r1", {"pref": "B>A"})]
    by_item = counted_labels(labels)
    adjudicated = {(5, "pref"): "A>>B"}
    got = preference_pairs(by_item, adjudicated, "pref")
    pairs = by_example(got)
    assert (pairs[1].chosen, pairs[1].rejected, pairs[1].agreement) == ("A", "B", pytest.approx(2 / 3))
    assert pairs[1].raters == ("r0", "r1", "r2") and not pairs[1].adjudicated
    assert (pairs[4].chosen, pairs[4].agreement) == ("B", 1.0)
    # The lead's decision beats the raters' B majority, and is exempt from the agreement floor.
    assert (pairs[5].chosen, pairs[5].adjudicated, pairs[5].agreement) == ("A", True, pytest.approx(1 / 3))
    # A label returned for rework does not vote.
    assert (pairs[6].chosen, pairs[6].raters) == ("B", ("r1",))
    assert got.excluded == Counter({"tie": 2})  # item 2 drawn A/B, item 3 a tie majority

    strict = preference_pairs(by_item, adjudicated, "pref", min_agreement=0.67)
    assert set(by_example(strict)) == {4, 5, 6} and strict.excluded["low agreement"] == 1
    strong = preference_pairs(by_item, adjudicated, "pref", min_strength=2)
    # Item 1's winners said A>B and A>>B: median strength 1.5 < 2; item 6's B>A is weak too.
    assert set(by_example(strong)) == {4, 5} and strong.excluded["weak preference"] == 2


def test_rating_gap_pairs():
    labels = [lab(1, 1, "ann", {"q": {"A": 5, "B": 2}}), lab(2, 1, "bob", {"q": {"A": 4, "B": 3}}),
              lab(3, 2, "ann", {"q": {"A": 3, "B": 3}}), lab(4, 2, "bob", {"q": {"A": 4, "B": 3}}),
              lab(5, 3, "ann", {"q": {"A": 2, "B": 4}}), lab(6, 3, "bob", {"q": {"A": 4, "B": 3}}),
              lab(7, 3, "cy", {"q": {"A": 1, "B": 5}})]
    got = rating_pairs(counted_labels(labels), {}, "q", min_gap=1)
    pairs = by_example(got)
    assert (pairs[1].chosen, pairs[1].rejected, pairs[1].agreement) == ("A", "B", 1.0)
    # means A 2.33, B 4.0: B wins; bob ordered them the other way.
    assert (pairs[3].chosen, pairs[3].agreement) == ("B", pytest.approx(2 / 3))
    assert got.excluded == Counter({"small gap": 1})  # item 2: 3.5 vs 3.0
    assert set(by_example(rating_pairs(counted_labels(labels), {}, "q", min_gap=2))) == {1}
    overruled = rating_pairs(counted_labels(labels), {(2, "q"): {"A": 1, "B": 5}}, "q")
    assert by_example(overruled)[2].chosen == "B" and by_example(overruled)[2].adjudicated


def test_kto_labels_from_rating_thresholds_leave_the_middle_out():
    labels = [lab(1, 1, "ann", {"q": {"A": 5, "B": 1}}), lab(2, 1, "bob", {"q": {"A": 4, "B": 2}}),
              lab(3, 2, "ann", {"q": {"A": 3, "B": 3}})]
    got = rated_responses(counted_labels(labels), {}, "q", desirable=4, undesirable=2)
    labelled = {(e.queue_item_id, e.chosen): e.label for e in got.examples}
    assert labelled == {(1, "A"): True, (1, "B"): False}
    assert all(type(e.label) is bool for e in got.examples)
    assert got.excluded == Counter({"neutral rating": 2})
    accepted = rated_responses(counted_labels(labels), {}, "q", desirable=4, undesirable=None)
    assert [(e.queue_item_id, e.chosen, e.label) for e in accepted.examples] == [(1, "A", None)]
    assert accepted.excluded["below min rating"] == 3


def test_ideal_responses_prefer_adjudicated_then_accepted_edits():
    labels = [lab(1, 1, "ann", {"edit": "accepted text"}, status="accepted", day=0),
              lab(2, 1, "bob", {"edit": {"text": "newer text", "start_from": "A"}}, day=1),
              lab(3, 2, "ann", {"edit": "a rater's text"}),
              lab(4, 3, "ann", {"edit": "   "})]
    got = by_example(ideal_responses(counted_labels(labels), {(2, "edit"): "the lead's text"}, "edit"))
    assert (got[1].text, got[1].raters) == ("accepted text", ("ann",))
    assert (got[2].text, got[2].adjudicated) == ("the lead's text", True)
    assert 3 not in got


def test_stratified_split_keeps_each_strata_share_and_is_seeded():
    strata = [(i, "vpn") for i in range(100)] + [(i, "password") for i in range(100, 120)]
    chosen = validation_items(strata, 0.1, seed=0)
    assert len([i for i in chosen if i < 100]) == 10 and len([i for i in chosen if i >= 100]) == 2
    assert chosen == validation_items(list(reversed(strata)), 0.1, seed=0)
    assert chosen != validation_items(strata, 0.1, seed=1)
    assert validation_items(strata, 0, seed=0) == set()
    with pytest.raises(HoningError, match="not in"):
        validation_items(strata, 1.0, seed=0)


def test_rows_use_trl_roles_and_columns():
    item = Item.model_validate({**{k: v for k, v in record(1).items() if k != "id"},
                                "messages": [{"role": "developer", "content": "Be brief."},
                                             *record(1)["messages"][1:]]})
    stored = datasets.StoredItem(7, item.content_hash(), item, [1, 2])
    pair = export.Example(7, 1, chosen="B", rejected="A", raters=("ann",), agreement=1.0)
    dpo = render_row("dpo", stored, pair, standard=False, provenance=True, rubric_ref="r@1")
    assert list(dpo) == ["prompt", "chosen", "rejected", "tools", *PROVENANCE]
    assert dpo["tools"] is None  # this item defines no tools
    assert {m["role"] for m in dpo["prompt"]} <= ROLES and dpo["prompt"][0]["role"] == "system"
    assert "Retrieved passages" in dpo["prompt"][0]["content"]  # the context the assistant saw
    assert dpo["chosen"] == [{"role": "assistant", "content": "The VPN is degraded; retry later."}]
    tool = next(m for m in dpo["prompt"] if m["role"] == "tool")
    assert tool["tool_call_id"] == "call_1"
    reward = render_row("reward", stored, pair, standard=False, provenance=False, rubric_ref=None)
    assert list(reward) == ["chosen", "rejected", "tools"]
    assert reward["chosen"][:-1] == dpo["prompt"] and reward["chosen"][-1] == dpo["chosen"][0]
    text = render_row("dpo", stored, pair, standard=True, provenance=False, rubric_ref=None)
    assert all(isinstance(text[k], str) for k in ("prompt", "chosen", "rejected")) and "tools" not in text
    assert text["prompt"].endswith("Assistant:")
    single = export.Example(7, 1, chosen="A", label=False, raters=("ann",))
    for fmt in export.ROW_FORMATS:
        for standard in (False, True):
            example = single if fmt in ("sft", "prompt-completion", "kto") else pair
            row = render_row(fmt, stored, example, standard=standard, provenance=True, rubric_ref=None)
            assert list(row) == [*export.row_columns(fmt, standard=standard), *PROVENANCE]


TOOLS = [{"type": "function", "function": {"name": "check_service_status", "description": "Status of a service.",
                                          "parameters": {"type": "object", "properties": {"service": {"type": "string"}},
                                                         "required": ["service"]}}},
         {"type": "function", "function": {"name": "reset_password", "parameters": {
             "type": "object", "properties": {"user": {"type": "string"}, "notify": {"type": "boolean"}}}}}]


def test_rows_carry_the_items_tool_schemas_for_the_chat_template():
    """TRL passes a row's `tools` to apply_chat_template; without it a model fine-tuned on
    tool calls never sees the schemas it was calling."""
    item = Item.model_validate({**{k: v for k, v in record(1).items() if k != "id"}, "tools": TOOLS})
    stored = datasets.StoredItem(7, item.content_hash(), item, [1, 2])
    pair = export.Example(7, 1, chosen="B", rejected="A", raters=("ann",), agreement=1.0)
    single = export.Example(7, 1, chosen="A", label=True, raters=("ann",))
    for fmt in export.ROW_FORMATS:
        example = single if fmt in ("sft", "prompt-completion", "kto") else pair
        row = render_row(fmt, stored, example, standard=False, provenance=False, rubric_ref=None)
        # JSON text, each schema exactly as defined (a nested column would merge them all)
        assert isinstance(row["tools"], str) and json.loads(row["tools"]) == TOOLS, fmt
        # plain-text rows have no chat template to render tools with
        assert "tools" not in render_row(fmt, stored, example, standard=True, provenance=False, rubric_ref=None)


# --- against a database: a labeled queue -----------------------------------------------------

def run(db, workspace: str, source: str, out: Path, **options) -> export.TrainingExport:
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        return export.export_training(session, ws, source, out, TrainingOptions(**options), actor="cli:test")


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def is_messages(value) -> bool:
    return isinstance(value, list) and all(isinstance(m, dict) and m["role"] in ROLES for m in value)


def test_each_format_from_a_labeled_queue(db, workspace, tmp_path):
    queue = labeled_queue(db, workspace, tmp_path, name="jc", items=12)
    columns = {"dpo": ["prompt", "chosen", "rejected", "tools"], "reward": ["chosen", "rejected", "tools"],
               "kto": ["prompt", "completion", "label", "tools"], "sft": ["messages", "tools"],
               "prompt-completion": ["prompt", "completion", "tools"]}
    for fmt, names in columns.items():
        ratings = {"from_ratings": "quality"} if fmt in ("sft", "prompt-completion") else {}
        done = run(db, workspace, f"queue:{queue}", tmp_path / f"{fmt}.jsonl", format=fmt, **ratings)
        rows = read(tmp_path / f"{fmt}.jsonl")
        assert rows and done.rows == {"train": len(rows)}, fmt
        for row in rows:
            assert list(row) == [*names, *PROVENANCE], fmt
            assert all(is_messages(row[c]) for c in names if c not in ("label", "tools")), fmt
            assert row["rubric_version"] == "judge-calibration@1" and row["adjudicated"] is False
            assert isinstance(row["item_id"], int) and len(row["raters"]) == 3
            assert row["agreement"] is None or 0 <= row["agreement"] <= 1
        if fmt == "kto":
            assert {type(r["label"]) for r in rows} == {bool} and {r["label"] for r in rows} == {True, False}
        if fmt == "sft":
            assert all(r["messages"][-1]["role"] == "assistant" for r in rows)
        if fmt in ("dpo", "reward"):
            assert sum(done.excluded.values()) + len(rows) == 12  # every item accounted for
    standard = run(db, workspace, f"queue:{queue}", tmp_path / "std.jsonl", format="dpo", standard=True,
                   provenance=False)
    assert standard.rows["train"] > 0
    assert all(list(r) == ["prompt", "chosen", "rejected"] and isinstance(r["chosen"], str)
               for r in read(tmp_path / "std.jsonl"))


def test_adjudication_gold_and_agreement_in_the_database(db, workspace, tmp_path):
    queue = labeled_queue(db, workspace, tmp_path, name="adj", items=8)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        q = annotate.get_queue(session, ws, queue)
        first, second = session.execute(select(QueueItem.id, QueueItem.item_id).where(
            QueueItem.queue_id == q.id).order_by(QueueItem.position).limit(2)).all()
        answers = {lbl.answers["preference"] for lbl, _ in annotate.labels_side_by_side(session, q, first.id)}
        # Overrule whatever the raters said with a strong preference for B.
        annotate.adjudicate(session, q, first.id, "preference", "B>>A", "B cites the KB",
                            actor_id=None, actor="cli:test", workspace=workspace)
        gold_item = datasets.load_item(session, second.item_id).item
        annotate.add_reference_items(session, ws, q, "gold", [GoldRecord(gold_item, {"preference": "A>B"}, {})],
                                     actor="cli:test")
    assert answers  # the raters did answer
    rows = {r["item_id"]: r for r in read_after(run(db, workspace, f"queue:{queue}", tmp_path / "a.jsonl",
                                                     format="dpo"))}
    assert rows[first.item_id]["adjudicated"] is True
    assert rows[first.item_id]["chosen"][0]["content"].startswith("Response B")
    assert second.item_id not in rows
    with_gold = run(db, workspace, f"queue:{queue}", tmp_path / "g.jsonl", format="dpo", exclude_gold=False)
    assert with_gold.excluded["gold"] == 0
    strict = run(db, workspace, f"queue:{queue}", tmp_path / "s.jsonl", format="dpo", min_agreement=1.0)
    assert all(r["agreement"] == 1.0 or r["adjudicated"] for r in read(tmp_path / "s.jsonl"))
    assert strict.rows["train"] <= len(rows)


def read_after(result: export.TrainingExport) -> list[dict]:
    assert result.excluded["gold"] == 1
    return read(result.files["train"])


def test_bad_input_gives_clear_errors(db, workspace, tmp_path):
    queue = labeled_queue(db, workspace, tmp_path, name="bad", items=2)
    out = tmp_path / "x.jsonl"
    with pytest.raises(HoningError, match="neither a queue nor a dataset"):
        run(db, workspace, "nothing", out, format="dpo")
    # labeled_queue names the queue after its dataset: a bare name is ambiguous.
    with pytest.raises(HoningError, match="names both queue 'bad' and dataset 'bad'") as error:
        run(db, workspace, queue, out, format="dpo")
    assert "queue:bad" in str(error.value)
    with pytest.raises(HoningError, match="'nope' is not a question"):
        run(db, workspace, "queue:bad", out, format="dpo", question="nope")
    with pytest.raises(HoningError, match="'topic' is a label question"):
        run(db, workspace, "queue:bad", out, format="dpo", question="topic")
    with pytest.raises(HoningError, match="'overall' is a likert question for the whole item"):
        run(db, workspace, "queue:bad", out, format="kto", from_ratings="overall")
    with pytest.raises(HoningError, match="no response_edit question"):
        run(db, workspace, "queue:bad", out, format="sft")
    with pytest.raises(HoningError, match="needs human judgments"):
        run(db, workspace, "dataset:bad", out, format="dpo")
    with pytest.raises(HoningError, match="format 'ppo' is not supported"):
        run(db, workspace, "queue:bad", out, format="ppo")
    assert not out.exists()


def test_dataset_conversations_with_a_stratified_split(db, workspace, tmp_path):
    records = [{**record(i), "responses": record(i)["responses"][:1]} for i in range(30)]
    ingest.import_file(db, write_jsonl(tmp_path / "convs.jsonl", records), workspace=workspace,
                       dataset="convs", actor="cli:test")
    done = run(db, workspace, "convs", tmp_path / "sft.jsonl", format="sft", validation=0.2, seed=3,
               stratify_by="intent")
    train, valid = read(tmp_path / "sft.jsonl"), read(tmp_path / "sft.validation.jsonl")
    assert done.rows == {"train": 24, "validation": 6} and len(train) + len(valid) == 30
    with db.reading() as session:
        intents = Counter(s.item.metadata["intent"] for s in datasets.load_items(
            session, [r["item_id"] for r in valid]))
    # record(i): every third item is a password reset (10 of 30): each intent keeps its 20%.
    assert intents == {"password_reset": 2, "vpn_issue": 4}
    assert all(is_messages(r["messages"]) for r in train + valid)
    again = run(db, workspace, "dataset:convs", tmp_path / "again.jsonl", format="sft", validation=0.2,
                seed=3, stratify_by="intent")
    assert read(tmp_path / "again.validation.jsonl") == valid and again.rows == done.rows


def needs_datasets() -> None:
    if importlib.util.find_spec("datasets") is None:
        if os.environ.get("CI"):
            pytest.fail("the train extra (datasets) is not installed in CI")
        pytest.skip("needs the train extra: pip install -e '.[train]'")


def test_hf_container_loads_back(db, workspace, tmp_path):
    needs_datasets()
    from datasets import DatasetDict, load_from_disk

    queue = labeled_queue(db, workspace, tmp_path, name="hf", items=10)
    out = tmp_path / "dpo-hf"
    done = run(db, workspace, f"queue:{queue}", out, format="kto", container="hf", validation=0.3)
    loaded = load_from_disk(str(out))
    assert isinstance(loaded, DatasetDict) and set(loaded) == {"train", "validation"}
    assert len(loaded["train"]) == done.rows["train"] and len(loaded["validation"]) == done.rows["validation"]
    assert loaded["train"].features["label"].dtype == "bool"
    assert loaded["train"].column_names == ["prompt", "completion", "label", "tools", *PROVENANCE]
    card = (out / "README.md").read_text()
    assert "kto" in card and f"queue {queue}" in card and str(done.rows["train"]) in card
    assert f"# Dataset card: {queue}@1" in card and "## Lineage" in card  # the source's card leads
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob("*.rows"))


# --- the demo, through the CLI ---------------------------------------------------------------

def honing_demo(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "honing", *args, "--workspace", "helpdesk-assistant"],
                          env=demo_env(home), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fmt", ["sft", "dpo", "kto", "reward"])
def test_demo_queue_exports(demo_home, tmp_path, fmt):
    home, _ = demo_home
    out = tmp_path / f"{fmt}.jsonl"
    # Which conversations the simulated raters reach depends on the day the demo is built, and
    # they write only a handful of ideal responses; SFT takes the accepted responses instead.
    extra = ["--from-ratings", "helpfulness", "--min-rating", "4"] if fmt == "sft" else []
    done = honing_demo(home, "export", "helpdesk-review", "--format", fmt, "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    rows = read(out)
    assert rows and f"wrote {len(rows)} train {fmt} rows from queue helpdesk-review" in done.stdout
    # The demo suite holds the queue's labeling batch out, so no exported conversation is a
    # scenario; labeled ones that near-duplicate a scenario (users repeat their requests)
    # are left out, as the contamination check finds them, and the command says so.
    exported = {r["item_id"] for r in rows}
    scenarios = [json.loads(line) for line in (home / "suites" / "helpdesk-regression.jsonl").open()]
    assert not exported & {int(s["provenance"]["ref"].rpartition("#")[2]) for s in scenarios}
    check = honing_demo(home, "contamination", "check", "--train", "support-conversations", "--json")
    assert check.returncode == 1, check.stderr
    contaminated = set(json.loads(check.stdout)["item_ids"])
    assert not exported & contaminated
    allowed = tmp_path / f"{fmt}-all.jsonl"
    assert honing_demo(home, "export", "helpdesk-review", "--format", fmt, "--out", str(allowed),
                       "--allow-contaminated", *extra).returncode == 0
    kept = {r["item_id"] for r in read(allowed)} - exported
    assert kept == {r["item_id"] for r in read(allowed)} & contaminated
    if fmt == "kto":  # one row per rated response: the format with the most rows to lose
        assert kept and "contaminated" in done.stdout and "--allow-contaminated" in done.stderr
    assert "excluded:" in done.stdout and "gold" in done.stdout  # the demo queue has gold items
    assert all(r["rubric_version"] == "helpdesk-compare@1" for r in rows)
    # The source dataset's card goes beside the data, with what this export holds.
    card = (tmp_path / f"{fmt}.card.md").read_text()
    assert card.startswith("---\n") and "# Dataset card: support-conversations@2" in card
    assert "**PII scan** (run" in card and "## This export" in card and f"**{fmt}** format" in card


def test_demo_dataset_export_is_unchanged(demo_home, tmp_path):
    home, _ = demo_home
    out = tmp_path / "items.jsonl"
    done = honing_demo(home, "export", "support-conversations", "--format", "jsonl", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and read(out)[0]["messages"]
    ambiguous = honing_demo(home, "export", "nope", "--format", "dpo", "--out", str(tmp_path / "n.jsonl"))
    assert ambiguous.returncode == 2 and "neither a queue nor a dataset" in ambiguous.stderr + ambiguous.stdout


def test_contaminated_items_are_refused_unless_allowed(db, workspace, tmp_path):
    """An evaluation scenario that paraphrases a labeled conversation: the export leaves
    that item out by default and says why; --allow-contaminated keeps it."""
    queue = labeled_queue(db, workspace, tmp_path, name="cont", items=6)
    everything = read(run(db, workspace, f"queue:{queue}", tmp_path / "all.jsonl", format="kto",
                          allow_contaminated=True).files["train"])
    leaked = everything[0]["item_id"]
    with db.reading() as session:
        prompt = next(m.text for m in datasets.load_items(session, [leaked])[0].item.messages if m.role == "user")
    words = prompt.split()
    paraphrase = " ".join(["Hello,", *words[:-2], "- please", "help,", *words[-2:]])  # a few words added
    (tmp_path / "suite.yaml").write_text(json.dumps({"name": "held-out", "scenarios": [
        {"id": "leak", "input": paraphrase}, {"id": "other", "input": "Printer on floor 3 jams on every job."}]}))
    from honing import evaluate

    with db.writing() as session:
        evaluate.push_suite(session, accounts.get_workspace(session, workspace), tmp_path / "suite.yaml",
                            actor="cli:test")
    done = run(db, workspace, f"queue:{queue}", tmp_path / "clean.jsonl", format="kto")
    rows = read(tmp_path / "clean.jsonl")
    assert leaked not in {r["item_id"] for r in rows}
    assert {r["item_id"] for r in rows} == {r["item_id"] for r in everything} - {leaked}
    assert any("appear in an evaluation suite" in w for w in done.warnings)
    assert done.excluded["contaminated"] == sum(r["item_id"] == leaked for r in everything)
    allowed = run(db, workspace, f"queue:{queue}", tmp_path / "allowed.jsonl", format="kto",
                  allow_contaminated=True)
    assert allowed.rows["train"] == len(everything)


def test_demo_hf_export_with_a_stratified_split_through_the_cli(demo_home, tmp_path):
    needs_datasets()
    from datasets import load_from_disk

    home, _ = demo_home
    out = tmp_path / "prefs"
    done = honing_demo(home, "export", "queue:helpdesk-review", "--format", "hf", "--rows", "dpo",
                       "--validation", "0.2", "--stratify-by", "language", "--min-agreement", "0.6", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    loaded = load_from_disk(str(out))
    assert summary["rows"] == {"train": len(loaded["train"]), "validation": len(loaded["validation"])}
    assert loaded["validation"].num_rows > 0 and summary["excluded"]["tie"] > 0
    # Adjudicated pairs are the lead's decision: the raters' agreement floor does not apply.
    assert all(r["agreement"] >= 0.6 or r["adjudicated"] for r in loaded["train"])
    assert (out / "README.md").exists()
    # Tool schemas of different shapes in one JSON text column, each decoding exactly.
    assert loaded["train"].features["tools"].dtype == "string"
    names = {t["function"]["name"] for t in json.loads(loaded["train"][0]["tools"])}
    assert "search_kb" in names and all(set(t) == {"type", "function"} for t in json.loads(loaded["train"][0]["tools"]))
    # The JSONL splits load together once given the format's column types (inferred ones
    # differ when only one split has tool calls in its responses).
    files = tmp_path / "prefs.jsonl"
    again = honing_demo(home, "export", "queue:helpdesk-review", "--format", "dpo", "--validation", "0.2", "--stratify-by", "language", "--out", str(files))
    assert again.returncode == 0, again.stderr
    from datasets import load_dataset

    both = load_dataset("json", data_files={"train": str(files), "validation": str(export.validation_path(files))},
                        features=export.training_features("dpo"), cache_dir=str(tmp_path / "cache"))
    assert both.num_rows == {"train": len(loaded["train"]), "validation": len(loaded["validation"])}
