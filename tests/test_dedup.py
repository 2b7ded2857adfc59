"""Duplicates: normalization, MinHash against datasketch and exact Jaccard, LSH clusters,
and the dataset-level report, deduplicated version, audit and CLI."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from honing import accounts, audit, datasets, ingest
from honing._errors import Conflict, InvalidInput
from honing.cli import app
from honing.datasets.dedup import (
    FIELDS,
    MinHasher,
    clusters_of,
    dedup_version,
    estimate_jaccard,
    item_text,
    jaccard,
    near_duplicates,
    normalize_text,
    shingle_texts,
    write_deduplicated,
)
from records import record, write_jsonl

VOCAB = [f"{a}{b}" for a in ("vpn", "mail", "print", "badge", "wifi", "disk", "team", "lic", "cert", "sso")
         for b in ("", "s", "ed", "ing", "er", "box", "node", "desk", "port", "gate", "-7", "-12")]


def text(rng: random.Random, words: int = 60) -> list[str]:
    return [rng.choice(VOCAB) for _ in range(words)]


def edit(rng: random.Random, words: list[str], edits: int) -> list[str]:
    out = list(words)
    for _ in range(edits):
        out[rng.randrange(len(out))] = f"new{rng.randrange(10**6)}"
    return out


def shingle_set(t: str, size: int) -> set[tuple[str, ...]]:
    words = normalize_text(t).split()
    return {tuple(words[i:i + size]) for i in range(max(len(words) - size + 1, 1))} if words else set()


def exact_jaccard(a: str, b: str, size: int = 5) -> float:
    x, y = shingle_set(a, size), shingle_set(b, size)
    return len(x & y) / len(x | y)


# -- normalization and exact duplicates ---------------------------------------------------------

def test_normalization_folds_form_case_punctuation_and_space():
    assert normalize_text("  Ｈｅｌｌｏ,\tWORLD!!  ﬁne\n“quoted” Straße e-mail ") == \
        "hello world fine quoted strasse email"
    assert normalize_text("") == normalize_text(" ... !? ") == ""
    assert normalize_text("a\u2028b\u3000c\x85d\x01e é") == "a b c d e é"
    assert normalize_text("a\x01b\x7fc") == "a b c"


def test_texts_equal_after_normalization_are_exact_duplicates():
    found = near_duplicates(["Reset my VPN password, please.", "reset   my vpn PASSWORD please",
                             "Ｒｅｓｅｔ my VPN password — please!", "Reset my VPN token, please."])
    assert [(p.first, p.second, p.kind, p.similarity) for p in found.pairs] == [
        (0, 1, "exact", 1.0), (0, 2, "exact", 1.0)]
    assert [(c.members, c.kind) for c in found.clusters] == [((0, 1, 2), "exact")]
    assert found.redundant == 2


def test_a_nul_inside_a_text_does_not_split_it_into_two_documents():
    found = near_duplicates(["alpha beta\x00gamma", "alpha beta gamma", "delta"], threshold=0.5)
    assert found.documents == 3 and [(c.members, c.kind) for c in found.clusters] == [((0, 1), "exact")]


# -- shingles, MinHash and Jaccard against independent computations ------------------------------

def test_shingle_counts_match_python_sets():
    rng = random.Random(3)
    texts = [" ".join(text(rng, n)) for n in (0, 1, 3, 4, 5, 6, 40, 200)]
    batch = shingle_texts(texts, 5)
    assert batch.counts.tolist() == [len(shingle_set(t, 5)) for t in texts]
    for d in range(len(texts)):
        assert np.all(np.diff(batch.of(d).astype(np.int64)) > 0)  # sorted and unique


def test_exact_jaccard_of_hashes_equals_jaccard_of_word_shingles():
    rng = random.Random(4)
    for _ in range(50):
        base = text(rng, rng.randint(5, 120))
        a, b = " ".join(base), " ".join(edit(rng, base, rng.randint(0, 20)))
        batch = shingle_texts([a, b], 5)
        assert jaccard(batch.of(0), batch.of(1)) == pytest.approx(exact_jaccard(a, b), abs=1e-12)
    assert jaccard(np.empty(0, np.uint32), np.empty(0, np.uint32)) == 0.0


def test_minhash_estimates_agree_with_datasketch_and_exact_jaccard():
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(5)
    hasher = MinHasher(128, seed=7)
    ours, theirs, exact = [], [], []
    for _ in range(150):
        base = text(rng, 150)
        a, b = " ".join(base), " ".join(edit(rng, base, rng.randint(0, 40)))
        batch = shingle_texts([a, b], 5)
        signatures = hasher.signatures(batch)
        ours.append(estimate_jaccard(signatures[0], signatures[1]))
        # datasketch hashes the same shingles (as the words they are made of) its own way.
        m1, m2 = datasketch.MinHash(num_perm=128, seed=1), datasketch.MinHash(num_perm=128, seed=1)
        m1.update_batch([" ".join(s).encode() for s in shingle_set(a, 5)])
        m2.update_batch([" ".join(s).encode() for s in shingle_set(b, 5)])
        theirs.append(m1.jaccard(m2))
        exact.append(exact_jaccard(a, b))
    ours_a, theirs_a, exact_a = map(np.array, (ours, theirs, exact))
    sigma = np.sqrt(exact_a * (1 - exact_a) / 128) + 1e-9
    # Each estimate within 4 standard errors of the truth; no bias beyond sampling error.
    assert np.all(np.abs(ours_a - exact_a) <= 4 * sigma + 1 / 128)
    assert np.all(np.abs(theirs_a - exact_a) <= 4 * sigma + 1 / 128)
    assert abs((ours_a - exact_a).mean()) < 3 * sigma.mean() / np.sqrt(len(exact))
    assert abs((ours_a - theirs_a).mean()) < 0.01
    assert np.abs(ours_a - exact_a).mean() == pytest.approx(np.abs(theirs_a - exact_a).mean(), abs=0.01)


def test_signatures_of_empty_text_are_the_maximum_and_seeds_repeat():
    batch = shingle_texts(["", "alpha beta"], 5)
    first, second = MinHasher(16, seed=3).signatures(batch), MinHasher(16, seed=3).signatures(batch)
    assert np.array_equal(first, second)
    assert np.all(first[0] == np.iinfo(np.uint32).max) and np.all(first[1] < np.iinfo(np.uint32).max)


# -- near duplicates and clusters ------------------------------------------------------------------

def test_near_duplicates_find_every_pair_above_the_threshold_and_none_below():
    rng = random.Random(6)
    texts, expected = [], set()
    for _ in range(40):
        base = text(rng, 150)
        members = [len(texts)]
        texts.append(" ".join(base))
        for _ in range(rng.randint(0, 3)):
            members.append(len(texts))
            texts.append(" ".join(edit(rng, base, rng.randint(0, 12))))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if exact_jaccard(texts[a], texts[b]) >= 0.8:
                    expected.add((a, b))
    found = near_duplicates(texts, threshold=0.8)
    reported = {(p.first, p.second) for p in found.pairs}
    # Copies of one text pair with its first occurrence only.
    first = {t: i for i, t in reversed(list(enumerate(texts)))}
    assert reported == {(a, b) for a, b in expected if texts[a] != texts[b] or first[texts[b]] == a}
    assert any(texts[a] == texts[b] for a, b in expected)  # the case above occurs
    for pair in found.pairs:
        assert pair.similarity == pytest.approx(exact_jaccard(texts[pair.first], texts[pair.second]))


def test_transitive_pairs_form_one_cluster():
    rng = random.Random(8)
    a = text(rng, 100)
    b = edit(random.Random(1), a, 2)
    c = edit(random.Random(2), b, 2)
    texts = [" ".join(a), " ".join(text(rng, 100)), " ".join(b), " ".join(c)]
    assert exact_jaccard(texts[0], texts[3]) < 0.8 < exact_jaccard(texts[0], texts[2])
    found = near_duplicates(texts, threshold=0.8)
    assert (0, 3) not in {(p.first, p.second) for p in found.pairs}
    assert [(c.members, c.kind) for c in found.clusters] == [((0, 2, 3), "near")]


def test_an_exact_group_joined_by_a_near_pair_is_a_near_cluster():
    pairs = near_duplicates(["x"]).pairs  # none
    assert pairs == []
    from honing.datasets.dedup import DuplicatePair
    clusters = clusters_of([DuplicatePair(0, 4, 1.0, "exact"), DuplicatePair(4, 7, 0.9, "near"),
                            DuplicatePair(2, 3, 1.0, "exact")])
    assert [(c.members, c.kind) for c in clusters] == [((0, 4, 7), "near"), ((2, 3), "exact")]


def test_threshold_is_inclusive():
    # With single-word shingles: 8 shared words of 10 in all, Jaccard exactly 0.8.
    a = "alpha bravo charlie delta echo foxtrot golf hotel india"
    b = "alpha bravo charlie delta echo foxtrot golf hotel juliet"
    assert exact_jaccard(a, b, 1) == 0.8
    at = near_duplicates([a, b], threshold=0.8, shingle=1, num_perm=128)
    assert [(p.first, p.second, p.similarity) for p in at.pairs] == [(0, 1, 0.8)]
    assert near_duplicates([a, b], threshold=0.81, shingle=1, num_perm=128).pairs == []


@pytest.mark.parametrize("texts", [[], [""], ["one lonely document"], ["", "", "  "]])
def test_empty_and_single_inputs_have_no_duplicates(texts):
    found = near_duplicates(iter(texts))
    assert found.documents == len(texts) and found.pairs == [] and found.clusters == []
    assert found.empty == sum(1 for t in texts if not t.strip())


def test_bad_parameters_are_refused():
    for bad in (0.0, 1.5, -1):
        with pytest.raises(ValueError, match="threshold"):
            near_duplicates(["a"], threshold=bad)
    with pytest.raises(ValueError, match="divide"):
        near_duplicates(["a b c d e f"], num_perm=64, bands=5)
    with pytest.raises(ValueError, match="shingle"):
        near_duplicates(["a b c"], shingle=0)


def test_batches_do_not_change_the_result(monkeypatch):
    from honing.datasets.dedup import _near

    rng = random.Random(9)
    base = [text(rng, 80) for _ in range(30)]
    texts = [" ".join(b) for b in base] + [" ".join(edit(rng, b, 1)) for b in base[:10]] + [" ".join(base[3])]
    whole = near_duplicates(texts)
    monkeypatch.setattr(_near, "BATCH", 7)
    assert near_duplicates(texts) == whole and len(whole.clusters) == 10


# -- a dataset version ----------------------------------------------------------------------------

def _records(rng: random.Random) -> list[dict]:
    bodies = [" ".join(text(rng, 70)) for _ in range(12)]
    rows = [record(i, messages=[{"role": "user", "content": body}]) for i, body in enumerate(bodies)]
    rows.append(record(12, messages=[{"role": "user", "content": bodies[2].upper() + "!"}]))  # exact
    rows.append(record(13, messages=[{"role": "user", "content": " ".join(edit(rng, bodies[5].split(), 1))}]))
    rows.append(record(14, messages=[{"role": "user", "content": bodies[5]}], responses=[]))  # exact
    return rows


def _import(db, tmp_path, rows, dataset="tickets"):
    return ingest.import_file(db, write_jsonl(tmp_path / f"{dataset}.jsonl", rows), workspace="helpdesk",
                              dataset=dataset, actor="cli:test")


def test_dedup_report_and_deduplicated_version_with_lineage_and_audit(db, workspace, tmp_path):
    _import(db, tmp_path, _records(random.Random(10)))
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        ids = list(datasets.version_item_ids(session, datasets.resolve_version(
            session, datasets.get_dataset(session, ws, "tickets"), None)))
        calls = []
        report = dedup_version(session, ws, "tickets", threshold=0.8, progress=lambda *a: calls.append(a))
    assert calls == [("comparing", 15, 15)]
    assert report.ref == "tickets@1" and report.items == 15 and report.empty == 0
    assert [(c.kind, c.positions) for c in report.clusters] == [("exact", [2, 12]), ("near", [5, 13, 14])]
    assert report.clusters[1].item_ids == [ids[5], ids[13], ids[14]] and report.removable == 3
    # and by the ids the records were imported with, which is how their owner knows them
    assert report.clusters[1].record_ids == ["t-00005", "t-00013", "t-00014"]
    assert report.as_dict()["clusters"][0]["keep_record_id"] == "t-00002"
    kept, copy = report.clusters[0].previews
    assert copy.lower().startswith(kept[:60]) and copy != kept  # the upper-cased copy
    assert all(len(p) <= 80 for c in report.clusters for p in c.previews)
    body = report.as_dict()
    assert body["exact_clusters"] == 1 and body["near_clusters"] == 1 and body["sizes"] == {"2": 1, "3": 1}

    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        written = write_deduplicated(session, ws, "tickets@1", report, actor="cli:test")
    assert written.ref == "tickets@2" and written.item_count == 12
    assert written.operation == "dedup" and written.parents == ["tickets@1"]
    assert written.parameters["removed"] == 3 and written.parameters["field"] == "user"
    assert written.parameters["threshold"] == 0.8 and written.parameters["shingle"] == 5
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v2 = datasets.resolve_version(session, datasets.get_dataset(session, ws, "tickets"), "2")
        assert list(datasets.version_item_ids(session, v2)) == [i for p, i in enumerate(ids) if p not in (12, 13, 14)]
        assert dedup_version(session, ws, "tickets@2").clusters == []
        event = audit.recent(session)[0]
    assert event.action == "dataset.dedup" and event.target == "dataset:tickets@2"
    assert event.details["removed"] == 3 and event.details["source"] == "tickets@1"


def test_field_selects_the_text_compared(db, workspace, tmp_path):
    rows = [record(i, messages=[{"role": "user", "content": f"question number {i} " * 3}],
                   responses=[{"content": "The same canned answer for every question, word for word."}])
            for i in range(4)]
    _import(db, tmp_path, rows)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        by_messages = dedup_version(session, ws, "tickets", field="messages")
        by_responses = dedup_version(session, ws, "tickets", field="responses")
        both = dedup_version(session, ws, "tickets", field="all")
    assert by_messages.clusters == [] and both.clusters == []
    assert [c.positions for c in by_responses.clusters] == [[0, 1, 2, 3]]
    item = ingest.to_item(rows[0], file="x", line=1, row=None)
    assert item_text(item, "responses").startswith("The same") and "question" in item_text(item, "all")


# A travel-booking assistant: one long system prompt, tools, and users asking different things.
TRAVEL_SYSTEM = (
    "You are Wayfarer, the booking assistant of Northwind Travel. You help customers search, book, "
    "change and cancel flights, hotels and rental cars through the tools you are given, and you never "
    "invent prices, seat maps or availability: every figure you quote must come from a tool result in "
    "this conversation. Before booking anything, repeat the itinerary, the total price with taxes and "
    "fees, the fare rules for changes and refunds, and ask the customer to confirm in so many words. "
    "Payment details are collected by the secure payment form, never in the chat; if a customer types "
    "a card number, tell them it was not stored and send the form link instead. Loyalty members get "
    "free seat selection on partner airlines and a late checkout at partner hotels when available. "
    "Travellers under eighteen need a guardian on the same booking. For visas, health requirements and "
    "travel advisories, link the official government pages rather than summarizing them. When a tool "
    "fails or times out, apologise once, retry a single time, and then offer to hand over to a human "
    "agent with the reference number. Keep answers short, friendly and in the customer's language, use "
    "the twenty-four hour clock and local airport times, and never promise upgrades or compensation."
)
TRAVEL_REQUESTS = [
    "Find me the cheapest direct flight from Lisbon to Oslo next Tuesday, hand luggage only.",
    "My flight to Nairobi got cancelled, can you rebook me on anything leaving tonight?",
    "I need a hotel near the old town in Riga for three nights with breakfast and parking.",
    "Can I push my return from Lima back by two days without paying a change fee?",
    "We are two adults and a toddler flying to Osaka in May; can we sit together?",
    "Cancel the rental car I picked for Denver and tell me what refund I get.",
    "Is there a train and flight combination that gets me to Tunis before noon on Friday?",
    "Add a second checked bag to my booking for the Perth leg, how much is it?",
    "Which lounge can I use in Quito with my gold card?",
    "Upgrade me to premium economy on the Hanoi flight if it costs under 300 euros.",
    "Do I need a visa for Georgia with an Irish passport for a three week stay?",
    "Book an airport shuttle from Split to the Harbour Hotel for five people on Sunday morning.",
    "What is the baggage allowance for a surfboard on the Dakar route?",
    "My passport expires in four months, can I still travel to Thailand in June?",
    "I want to use my loyalty points for a weekend in Calgary, what is available?",
    "The hotel in Cork charged me twice for the same night, please sort this out.",
    "Could you find a pet friendly apartment in Tbilisi for a month starting August first?",
    "Is the 7am departure from Oslo on time? My app shows nothing.",
    "Change the name on ticket 4471 from Jon to Jonathan, it was a typo.",
    "Which of your hotels in Lisbon have an accessible room with a roll in shower?",
    "I missed my connection in Frankfurt because the first leg was late; what now?",
    "Price a family holiday for four to Crete in the autumn half term, all inclusive.",
    "Can my daughter who is sixteen fly alone from Perth to Sydney?",
    "Where do I find the electronic receipt for my business trip to Milan?",
    "Split my booking so my colleague can return a day earlier than me.",
    "Are there vegetarian meals on long haul flights, and how do I request one?",
    "I left my laptop on the plane from Denver yesterday, who do I contact?",
    "Suggest a quiet beach resort within three hours flying from Vienna.",
    "Book a table for the hotel restaurant in Hanoi on our anniversary, Saturday at eight.",
    "What happens to my deposit if the cruise leaving Barcelona is cancelled by the operator?",
    "My card was declined on the payment form twice; is something wrong on your side?",
    "Do you offer travel insurance that covers skiing accidents in Austria?",
    "I booked the wrong dates for Quito, the trip is in March not May. Fix it please.",
    "Which terminal does the Nairobi flight leave from at Heathrow?",
    "Get me a one way car rental from Seattle to Portland with unlimited mileage.",
    "How early should I arrive for an international departure from Lima on a holiday weekend?",
    "Can I bring my grandmother's wheelchair as extra luggage for free?",
    "The Osaka hotel photos look nothing like the room we got. I want compensation.",
    "Is there a direct night train between Vienna and Venice this winter?",
    "Combine my two separate bookings to Tunis into one so we check in together.",
    "What is the cancellation deadline for the Riga apartment without a penalty?",
    "We want to see the northern lights; plan five days around Tromso in February.",
    "Does the Calgary hotel have an airport shuttle and how often does it run?",
    "Email me the itinerary for reference KX93PL again, the first one never arrived.",
    "Find two seats with extra legroom on any Dakar flight next month under 900 euros each.",
    "My son is flying as an unaccompanied minor from Cork; what documents does he need?",
]


def travel_conversations() -> list[dict]:
    rows = []
    for i, user in enumerate(TRAVEL_REQUESTS):
        call = {"id": f"call_{i}", "type": "function",
                "function": {"name": "search_trips", "arguments": json.dumps({"query": user[:40]})}}
        rows.append({"id": f"trip-{i:03d}", "messages": [
            {"role": "system", "content": TRAVEL_SYSTEM},
            {"role": "user", "content": user},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": json.dumps({"results": i % 7, "ref": f"Q{i:06d}"})}],
            "responses": [{"model": "wayfarer", "model_version": v, "content": f"Option {i}: I found {i % 7} trips."}
                          for v in ("v1", "v2")]})
    return rows


def test_a_shared_system_prompt_does_not_make_distinct_requests_duplicates(db, workspace, tmp_path):
    """Issue 16, defect 9: at 0.5, 35 of 46 conversations became one cluster, because the
    compared text was dominated by the system prompt they all share."""
    _import(db, tmp_path, travel_conversations())
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        default = dedup_version(session, ws, "tickets", threshold=0.5)
        messages = dedup_version(session, ws, "tickets", threshold=0.5, field="messages")
        everything = dedup_version(session, ws, "tickets", threshold=0.5, field="all")
    assert default.clusters == [] and messages.clusters == []
    assert default.field == "user" and default.items == 46 and default.empty == 0
    # Comparing everything, system prompt included (what `messages` compared before), they are one.
    assert [(c.kind, c.size) for c in everything.clusters] == [("near", 46)]


def test_cli_field_option_and_the_field_in_the_lineage(db, database_url, workspace, tmp_path):
    _import(db, tmp_path, travel_conversations())
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200", "HONING_ACTOR": "ana"}
    default = runner.invoke(app, ["dedup", "tickets", "-w", workspace, "--threshold", "0.5", "--json"], env=env)
    assert default.exit_code == 0, default.output
    report = json.loads(default.output)
    assert (report["field"], report["items"], report["clusters_total"]) == ("user", 46, 0)
    written = runner.invoke(app, ["dedup", "tickets", "-w", workspace, "--threshold", "0.5", "--field", "all",
                                  "--write", "--json"], env=env)
    assert written.exit_code == 0, written.output
    body = json.loads(written.output)
    assert body["field"] == "all" and body["clusters_total"] == 1 and body["removable"] == 45
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        v2 = datasets.list_versions(session, datasets.get_dataset(session, ws, "tickets"))[-1]
    assert v2.operation == "dedup" and v2.item_count == 1
    assert v2.parameters["field"] == "all" and v2.parameters["threshold"] == 0.5
    shown = runner.invoke(app, ["dedup", "tickets@1", "-w", workspace, "--field", "messages"], env=env)
    assert shown.exit_code == 0 and "46 items (messages), 0 clusters" in shown.output


def test_each_field_reads_its_part_of_the_item():
    from honing.domain import Item

    item = Item.model_validate({"messages": [
        {"role": "system", "content": "SYSTEM rules"}, {"role": "developer", "content": "DEVELOPER notes"},
        {"role": "user", "content": "USER asks"}, {"role": "assistant", "content": "ASSISTANT answers"},
        {"role": "user", "content": [{"type": "text", "text": "USER again"}]}],
        "responses": [{"content": "RESPONSE one"}]})
    words = {field: [w for w in item_text(item, field).split() if w.isupper()] for field in FIELDS}
    assert words == {"user": ["USER", "USER"],
                     "messages": ["USER", "ASSISTANT", "USER"],
                     "responses": ["RESPONSE"],
                     "all": ["SYSTEM", "DEVELOPER", "USER", "ASSISTANT", "USER", "RESPONSE"]}
    with pytest.raises(InvalidInput, match="user: the user's turns"):
        item_text(item, "system")  # type: ignore[arg-type]


def test_a_stale_or_clean_report_writes_nothing(db, workspace, tmp_path):
    rows = _records(random.Random(11))
    _import(db, tmp_path, rows)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = dedup_version(session, ws, "tickets")
    _import(db, tmp_path, rows[:5])  # tickets@2: no duplicates
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        with pytest.raises(Conflict):
            write_deduplicated(session, ws, "tickets", report, actor="cli:test")
        clean = dedup_version(session, ws, "tickets")
        with pytest.raises(InvalidInput, match="no duplicates"):
            write_deduplicated(session, ws, "tickets", clean, actor="cli:test")
        with pytest.raises(InvalidInput):
            dedup_version(session, ws, "tickets", field="context")  # type: ignore[arg-type]


def test_cli_dedup_reports_and_writes(db, database_url, workspace, tmp_path):
    _import(db, tmp_path, _records(random.Random(12)))
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200", "HONING_ACTOR": "ana"}
    shown = runner.invoke(app, ["dedup", "tickets", "-w", workspace], env=env)
    assert shown.exit_code == 0, shown.output
    assert "2 clusters (1 exact, 1 near), 3 items removable" in shown.output
    assert "cluster sizes: 2: 1, 3: 1" in shown.output
    assert "t-00005, t-00013, t-00014" in shown.output and "record ids" in shown.output

    written = runner.invoke(app, ["dedup", "tickets@1", "-w", workspace, "--write", "--json"], env=env)
    assert written.exit_code == 0, written.output
    body = json.loads(written.output)
    assert body["removable"] == 3 and body["written"]["ref"] == "tickets@2"
    assert body["written"]["lineage"]["operation"] == "dedup" and body["written"]["lineage"]["actor"] == "cli:ana"
    again = runner.invoke(app, ["dedup", "tickets", "-w", workspace, "--write"], env=env)
    assert again.exit_code == 0 and "no duplicates: no new version" in again.output

    bad = runner.invoke(app, ["dedup", "tickets", "-w", workspace, "--field", "context"], env=env)
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["dedup", "nope", "-w", workspace], env=env)
    assert missing.exit_code != 0 and missing.exception is not None


def test_words_longer_than_eight_bytes_are_hashed_whole():
    from honing.datasets.dedup import batch_words

    words = ["configuration", "configurations", "configuratiom", "c", "cc", "conf", "12345678",
             "123456789", "1234567890123456", "12345678901234567", "ünïcödé-wörd",
             "x" * 64, "x" * 65, "x" * 63 + "y", "QUJD" * 50_000, "QUJD" * 49_999 + "QUJE"]
    flat, lengths = batch_words([" ".join(words), " ".join(reversed(words))])
    assert lengths.tolist() == [len(words)] * 2
    assert len(set(flat[:len(words)].tolist())) == len(words)
    assert flat[:len(words)].tolist() == flat[len(words):].tolist()[::-1]
    assert near_duplicates([" ".join(words)] * 2).pairs[0].kind == "exact"
