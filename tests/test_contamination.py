"""Contamination: training items that overlap evaluation scenarios are found (paraphrases
included), clean items are not, and the CLI exits 1 / 0 / 2 accordingly."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from honing import accounts, ingest
from honing._errors import InvalidInput, NotFound
from honing.cli import app
from honing.datasets.contamination import ReferenceIndex, find_contamination
from honing.evaluate import push_suite
from records import record, write_jsonl

SCENARIOS = {
    "vpn-token": "My VPN disconnects every few minutes since the update yesterday, and the "
                 "authenticator app keeps asking for a new token. How do I fix this?",
    "printer-duplex": "The printer on the third floor jams whenever I print double sided pages "
                      "from Excel, but single sided printing works fine. What should I do?",
    "mailbox-full": "Outlook says my mailbox is full and I cannot send any email, even after I "
                    "deleted old messages from the inbox. Can you increase my quota?",
    "laptop-battery": "My new laptop battery drains from full to empty in about two hours while "
                      "I am only using Teams and the browser. Is the battery faulty?",
    "badge-access": "My badge stopped opening the server room door this morning although I had "
                    "access last week. Who can restore my access?",
    "password-expired": "I was on holiday and my password expired, so now I cannot log in to my "
                        "laptop or reset it from home. How can I get back in?",
}

# Paraphrases: reordered clauses, a few synonyms and small edits; never exact copies.
PARAPHRASES = {
    "vpn-token": "Since the update yesterday my VPN disconnects every few minutes, and the "
                 "authenticator app keeps asking me for a new code. How can I fix this?",
    "printer-duplex": "Whenever I print double sided pages from Excel the printer on the third "
                      "floor jams, but single sided printing works fine. What can I do?",
    "mailbox-full": "Outlook tells me my mailbox is full and I can't send any email, even after "
                    "I removed old messages from the inbox. Could you increase my quota?",
    "laptop-battery": "The battery of my new laptop drains from full to empty in about two hours "
                      "while I am just using Teams and the browser. Is the battery broken?",
    "badge-access": "This morning my badge stopped opening the server room door although I had "
                    "access last week. Who can give me my access back?",
    "password-expired": "My password expired while I was on holiday, so now I cannot log in to my "
                        "laptop or reset it from home. How do I get back in?",
}

CLEAN = [
    "My VPN works at home but not from the hotel wifi. Is a port blocked there?",
    "Can you install Visio on my laptop? My manager approved the license request.",
    "The printer in the lobby prints everything in grey even when I choose colour.",
    "How do I share my calendar with an assistant so she can accept meetings for me?",
    "Teams shows me as away all day although I am at my desk and active.",
    "I need access to the finance SharePoint site for the quarterly report.",
    "My second monitor flickers when the laptop is on the docking station.",
    "Please reset the password of the shared training account for the new hires.",
    "Outlook crashes every time I open an email with a large PDF attachment.",
    "The authenticator app was on my old phone. How do I move it to my new phone?",
    "My laptop battery is swollen and the touchpad does not click anymore.",
    "Who can give my new colleague a badge for the second floor and the car park?",
    "The mailbox of a colleague who left should be forwarded to her manager.",
    "Excel freezes for a minute whenever I open the shared budget workbook.",
    "The VPN client asks for an update but I do not have admin rights to install it.",
    "My password is about to expire; what are the rules for the new one?",
]


def _suite(tmp_path, scenarios, name="helpdesk-eval"):
    directory = tmp_path / name
    directory.mkdir(parents=True, exist_ok=True)
    rows = [{"id": sid, "input": text} if i % 2 else
            {"id": sid, "input": [{"role": "system", "content": "You are the IT helpdesk."},
                                  {"role": "user", "content": text}]}
            for i, (sid, text) in enumerate(scenarios.items())]
    (directory / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (directory / "suite.yaml").write_text(yaml.safe_dump({"name": name, "scenario_files": ["cases.jsonl"]}))
    return directory / "suite.yaml"


def _push(db, workspace, path):
    with db.writing() as session:
        return push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test").ref


def _conversation(i, user):
    return record(i, messages=[{"role": "system", "content": "You are the IT helpdesk assistant."},
                               {"role": "user", "content": user}],
                  responses=[{"model": "helpdesk", "content": "Let me look into that for you."}])


def _train(db, tmp_path, rows, dataset="train"):
    return ingest.import_file(db, write_jsonl(tmp_path / f"{dataset}.jsonl", rows), workspace="helpdesk",
                              dataset=dataset, actor="cli:test")


def _seeded(db, workspace, tmp_path):
    """A suite, and a training set: clean items with every paraphrase seeded among them,
    plus one item that quotes a scenario inside a longer answer (an n-gram match)."""
    _push(db, workspace, _suite(tmp_path, SCENARIOS))
    rows = [_conversation(i, text) for i, text in enumerate(CLEAN)]
    seeded = {}
    for offset, (sid, text) in enumerate(PARAPHRASES.items()):
        seeded[len(rows)] = sid
        rows.insert(len(rows) - offset * 2, _conversation(100 + offset, text))
    positions = {}
    for position, row in enumerate(rows):
        user = row["messages"][1]["content"]
        if user in PARAPHRASES.values():
            positions[position] = next(s for s, t in PARAPHRASES.items() if t == user)
    quoted = record(200, messages=[{"role": "user", "content": "Summarize this ticket for me."}],
                    responses=[{"content": "The customer wrote: " + SCENARIOS["badge-access"].lower()
                                + " I escalated it to facilities."}])
    positions[len(rows)] = "badge-access"
    rows.append(quoted)
    _train(db, tmp_path, rows)
    return positions


def test_every_seeded_paraphrase_is_found_and_no_clean_item(db, workspace, tmp_path):
    expected = _seeded(db, workspace, tmp_path)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = find_contamination(session, ws, "train")
    assert report.train == "train@1" and report.suites == ["helpdesk-eval@1"]
    assert report.items == len(CLEAN) + len(PARAPHRASES) + 1 and report.scenarios == len(SCENARIOS)
    found = {m.position: m.scenario_id for m in report.matches}
    assert found == expected  # every paraphrase, the quote, and nothing clean
    assert len(report.item_ids) == len(expected) and report.contaminated
    near = [m for m in report.matches if m.kind == "near_duplicate"]
    assert {m.scenario_id for m in near} == set(PARAPHRASES) and all(0.5 <= m.score < 1 for m in near)
    quote = [m for m in report.matches if m.position == report.items - 1]
    assert [(m.scenario_id, m.kind) for m in quote] == [("badge-access", "ngram")] and quote[0].score == 1.0
    # A paraphrase that keeps 13 words in a row shares too few of the scenario's 13-grams to
    # be an n-gram match: it is found as a near duplicate.
    assert {m.scenario_id for m in report.matches if m.kind == "ngram"} == {"badge-access"}
    assert quote[0].snippet == "my badge stopped opening the server room door this morning although i had"
    body = report.as_dict()
    assert body["contaminated"] and sorted(body["item_ids"]) == sorted(report.item_ids)
    assert set(body["matches"][0]) == {"item_id", "position", "suite", "scenario_id", "kind", "score", "snippet"}


def test_the_ngram_check_needs_a_whole_shared_ngram():
    scenario = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen")
    index = ReferenceIndex([scenario], ["unrelated words here"], ngram=13)
    twelve = "zero " + " ".join(scenario.split()[:12]) + " stop"
    thirteen = "zero " + " ".join(scenario.split()[1:14]) + " stop"
    assert index.match([twelve], [""]) == []
    [match] = index.match([thirteen, twelve], ["", ""])
    assert (match.text, match.reference, match.kind, match.score) == (0, 0, "ngram", 0.5)


def test_a_stock_phrase_is_not_overlap_but_most_of_a_scenario_is():
    """Assistants repeat stock questions: one shared 13-gram in a long conversation is not
    a copy of it; holding at least `min_overlap` of its 13-grams is."""
    stock = "Happy to help with that. Could you share your employee ID so I can look up your account?"
    scenario = (f"My laptop will not connect to the office wifi since this morning. {stock} "
                "It is E10442. Thanks, I see the laptop in our inventory and the wifi certificate expired.")
    other = (f"The printer on the second floor prints blank pages every time I send a PDF. {stock} "
             "Sure, E20931. Thanks, the printer queue shows a stuck job from yesterday evening.")
    index = ReferenceIndex([scenario], [""])
    total = len(scenario.split()) - 12  # the scenario's 13-grams (no word repeats in it)
    assert index.match([other], [""]) == []
    words = scenario.split()
    half = " ".join(words[: total // 2 + 12])  # the first half of its 13-grams
    less = " ".join(words[: total // 2 + 11])  # one 13-gram fewer
    copy = "Ticket text: " + " ".join(words) + " Closed."
    matches = index.match([half, less, copy], ["", "", ""])
    assert [(m.text, m.kind) for m in matches] == [(0, "ngram"), (2, "ngram")]
    assert matches[0].score == 0.5 and matches[1].score == 1.0
    # The single-shared-n-gram rule is a setting away: the stock phrase is then enough.
    [single] = ReferenceIndex([scenario], [""], min_overlap=1 / total).match([other], [""])
    assert single.snippet.startswith("happy to help with that could you share your employee id")
    with pytest.raises(ValueError, match="min_overlap"):
        ReferenceIndex([scenario], [""], min_overlap=0)


def test_a_short_reference_matches_when_quoted_whole():
    short = "Where is the VPN installer for Linux laptops?"  # 8 words
    index = ReferenceIndex([short, "Too short to quote"], ["", ""])
    quoted = "The user asked: where is the VPN installer for Linux laptops? I sent the link."
    partial = "The user asked where the VPN installer for Linux laptops is."
    [match] = index.match([quoted, partial, "too short to quote"], ["", "", ""])
    assert (match.text, match.reference, match.kind, match.score) == (0, 0, "ngram", 1.0)
    assert match.snippet == "where is the vpn installer for linux laptops"


def test_near_duplicate_threshold_is_inclusive():
    reference = "alpha bravo charlie delta echo foxtrot golf hotel"
    # Words and word pairs: 10 shared of 20 in all (6 + 4 of 10 + 10), Jaccard 0.5.
    text = "alpha bravo charlie yankee kilo foxtrot golf hotel"
    index = ReferenceIndex([reference], [reference], threshold=0.5, num_perm=128)
    [match] = index.match([text], [text])
    assert match.kind == "near_duplicate" and match.score == 0.5
    stricter = ReferenceIndex([reference], [reference], threshold=0.51, num_perm=128)
    assert stricter.match([text], [text]) == []


LONG_SYSTEM = ("You are the IT helpdesk assistant of Contoso. Answer in the user's language, look up the "
               "asset inventory before suggesting a fix, never ask for passwords, open a ticket for anything "
               "you cannot solve in three steps, escalate security incidents to the on-call engineer at "
               "once, and close every conversation by asking whether the problem is solved. ") * 3


def test_the_field_chooses_the_near_duplicate_text_and_is_reported(db, workspace, tmp_path):
    """The near-duplicate check compares the item's `field` text, the user's turns by
    default, as `honing dedup` does: a long shared system prompt dilutes a paraphrase."""
    _push(db, workspace, _suite(tmp_path, SCENARIOS))
    rows = [record(i, messages=[{"role": "system", "content": LONG_SYSTEM}, {"role": "user", "content": text}],
                   responses=[{"content": "Let me look into that for you."}])
            for i, text in enumerate([*CLEAN[:4], PARAPHRASES["vpn-token"]])]
    _train(db, tmp_path, rows)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        default = find_contamination(session, ws, "train")
        everything = find_contamination(session, ws, "train", field="all")
        with pytest.raises(InvalidInput, match="'system' is not one of: user, messages, responses, all"):
            find_contamination(session, ws, "train", field="system")  # type: ignore[arg-type]
    assert default.field == "user" and default.as_dict()["field"] == "user" and everything.field == "all"
    assert [(m.position, m.scenario_id, m.kind) for m in default.matches] == [(4, "vpn-token", "near_duplicate")]
    assert everything.matches == []


def test_a_scenario_quoted_in_the_system_prompt_is_not_overlap(db, workspace, tmp_path):
    """Suites hold no system prompt either (evaluation supplies its own), and a system prompt
    quoting an example request would otherwise flag every item that carries it."""
    _push(db, workspace, _suite(tmp_path, SCENARIOS))
    system = "Example of a request you will see: " + SCENARIOS["printer-duplex"]
    rows = [record(i, messages=[{"role": "system", "content": system}, {"role": "user", "content": text}])
            for i, text in enumerate(CLEAN[:5])]
    rows.append(record(9, messages=[{"role": "user", "content": "Please summarize my ticket."}],
                       responses=[{"content": "You wrote: " + SCENARIOS["printer-duplex"]}]))
    _train(db, tmp_path, rows)
    with db.reading() as session:
        report = find_contamination(session, accounts.get_workspace(session, workspace), "train")
    assert [(m.position, m.scenario_id, m.kind) for m in report.matches] == [(5, "printer-duplex", "ngram")]


def test_named_suites_versions_and_clean_data(db, workspace, tmp_path):
    _seeded(db, workspace, tmp_path)
    _push(db, workspace, _suite(tmp_path, {"other": "Completely different question about parking permits."},
                                name="parking"))
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        parking = find_contamination(session, ws, "train@1", ["parking"])
        assert parking.suites == ["parking@1"] and not parking.contaminated and parking.item_ids == set()
        both = find_contamination(session, ws, "train", None)
        assert both.suites == ["helpdesk-eval@1", "parking@1"]
        assert both.item_ids == find_contamination(session, ws, "train", ["helpdesk-eval@1"]).item_ids
        with pytest.raises(NotFound):
            find_contamination(session, ws, "train", ["missing"])
        with pytest.raises(InvalidInput):
            find_contamination(session, ws, "train", threshold=0)
        with pytest.raises(InvalidInput, match="min_overlap"):
            find_contamination(session, ws, "train", min_overlap=1.5)
        with pytest.raises(NotFound):
            find_contamination(session, ws, "nope")


def test_a_workspace_without_suites_is_clean(db, workspace, tmp_path):
    _train(db, tmp_path, [_conversation(i, t) for i, t in enumerate(CLEAN)])
    with db.reading() as session:
        calls = []
        report = find_contamination(session, accounts.get_workspace(session, workspace), "train",
                                    progress=lambda *a: calls.append(a))
    assert calls == [("checking", len(CLEAN), len(CLEAN))]
    assert report.suites == [] and report.scenarios == 0 and report.items == len(CLEAN)
    assert not report.contaminated


def test_cli_exit_codes(db, database_url, workspace, tmp_path):
    _seeded(db, workspace, tmp_path)
    _push(db, workspace, _suite(tmp_path, {"other": "Completely different question about parking permits."},
                                name="parking"))
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200"}
    found = runner.invoke(app, ["contamination", "check", "--train", "train", "-w", workspace], env=env)
    assert found.exit_code == 1, found.output
    assert "contaminated" in found.output and "badge-access" in found.output
    as_json = runner.invoke(app, ["contamination", "check", "--train", "train@1", "--suite", "helpdesk-eval",
                                  "-w", workspace, "--json"], env=env)
    assert as_json.exit_code == 1 and len(json.loads(as_json.output)["item_ids"]) == len(PARAPHRASES) + 1
    assert json.loads(as_json.output)["field"] == "user"
    responses = runner.invoke(app, ["contamination", "check", "--train", "train", "--suite", "helpdesk-eval",
                                    "-w", workspace, "--field", "responses", "--json"], env=env)
    # Only the answer quoting a scenario is left: the paraphrases are in user turns.
    by_responses = json.loads(responses.output)
    assert responses.exit_code == 1 and by_responses["field"] == "responses"
    assert len(by_responses["item_ids"]) == 1 and {m["scenario_id"] for m in by_responses["matches"]} == {"badge-access"}
    wrong = runner.invoke(app, ["contamination", "check", "--train", "train", "-w", workspace, "--field", "system"],
                          env=env)
    assert wrong.exit_code == 2 and "use one of: user, messages, responses, all" in wrong.output
    clean = runner.invoke(app, ["contamination", "check", "--train", "train", "--suite", "parking@1",
                                "-w", workspace], env=env)
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output
    bad = runner.invoke(app, ["contamination", "check", "--train", "train", "-w", workspace,
                              "--threshold", "2"], env=env)
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["contamination", "check", "--train", "train", "--suite", "nope",
                                  "-w", workspace], env=env)
    assert isinstance(missing.exception, NotFound)  # main() turns it into exit code 2
