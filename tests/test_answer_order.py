"""Answers keep their meaning on every trip through the API (decision 0014).

A rater answers in the order their assignment showed the two responses; labels are stored
and exported in the dataset's order. The property: claim, submit, read the feedback, send
its answers back unchanged as a rework, and the stored label and the training exports are
exactly what they were, whatever the left/right swap and whatever the question type.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import honing.annotate._claim as claim_module
from conftest import make_user
from honing import accounts, export, ingest
from honing.accounts import Role
from honing.api import create_app
from honing.export import TrainingOptions
from honing.rubrics import PAIRWISE_VALUES, QUESTION_TYPES, parse_rubric
from records import record, write_jsonl

# Every question type, and every per-response variant, in one rubric.
RUBRIC = """
name: every-type
title: Every question type
instructions: Compare the two responses.
questions:
  - {id: helpfulness, type: likert, per_response: true, prompt: "Helpful",
     scale: [{value: 1, anchor: "not"}, {value: 2, anchor: "somewhat"}, {value: 3, anchor: "very"}]}
  - {id: overall, type: likert, prompt: "Overall",
     scale: [{value: 1, anchor: "poor"}, {value: 2, anchor: "good"}]}
  - {id: safety, type: label, per_response: true, prompt: "Safe",
     options: [{value: safe, label: Safe}, {value: unsafe, label: Unsafe}]}
  - {id: tone, type: label, prompt: "Tone of the conversation",
     options: [{value: calm, label: Calm}, {value: tense, label: Tense}]}
  - {id: failure_modes, type: multi_label, per_response: true, required: false, prompt: "Failures",
     options: [{value: verbose, label: Verbose}, {value: wrong, label: Wrong}, {value: rude, label: Rude}]}
  - {id: preference, type: pairwise, prompt: "Which is better"}
  - {id: order, type: ranking, prompt: "Rank them"}
  - {id: rationale, type: text, prompt: "Why"}
  - {id: ideal, type: response_edit, required: false, start_from: A, prompt: "Edit the better one"}
  - {id: pii, type: span, labels: [email, phone], prompt: "Mark personal data"}
"""
LETTERS = ("A", "B")
REASON = "Please check the preference against KB-1."


def test_the_rubric_covers_every_question_type():
    assert {q.type for q in parse_rubric(RUBRIC).questions} == set(QUESTION_TYPES)


def _per_response(values):
    return st.fixed_dictionaries({letter: values for letter in LETTERS})


def _span():
    return st.builds(lambda target, start, length, label: {
        "target": target, "start": start, "end": start + length, "label": label},
        st.sampled_from(["response:A", "response:B", "message:1"]), st.integers(0, 10),
        st.integers(1, 12), st.sampled_from(["email", "phone"]))


# Answers as the rater gives them: about the responses in the order they were shown. The
# response_edit answer is drawn as a recipe and made once the shown texts are known.
ANSWERS = st.fixed_dictionaries({
    "helpfulness": _per_response(st.integers(1, 3)),
    "overall": st.integers(1, 2),
    "safety": _per_response(st.sampled_from(["safe", "unsafe"])),
    "tone": st.sampled_from(["calm", "tense"]),
    "preference": st.sampled_from(PAIRWISE_VALUES),
    "order": st.permutations(list(LETTERS)),
    "rationale": st.text("abcd AB", min_size=1, max_size=12).filter(str.strip),
}, optional={
    "failure_modes": _per_response(st.lists(st.sampled_from(["verbose", "wrong", "rude"]),
                                            unique=True, max_size=3)),
    "pii": st.lists(_span(), max_size=3),
})
EDITS = st.one_of(st.none(), st.tuples(st.just("edited"), st.sampled_from(["A", "B", "blank"])),
                  st.tuples(st.just("kept"), st.sampled_from(LETTERS)))


def _edit(recipe, shown_texts: dict[str, str]):
    if recipe is None:
        return None
    kind, letter = recipe
    if kind == "kept":  # the rater keeps the shown response unchanged, and says so
        return {"text": shown_texts[letter], "start_from": letter, "accepted_as_is": True}
    base = shown_texts.get(letter, "")
    return {"text": f"{base} Then sign in again.".strip(), "start_from": letter}


class _Swap:
    """Stands in for the claim's random draws: the next lease is shown swapped or not."""

    swapped = False

    def random(self) -> float:
        return 0.0 if self.swapped else 0.99


@pytest.fixture
def loop(db, settings, workspace, tmp_path, monkeypatch):
    tokens = {"lead": make_user(db, "lee", Role.lead), "reviewer": make_user(db, "rev", Role.reviewer),
              "rater": make_user(db, "ann", Role.rater)}
    ingest.import_file(db, write_jsonl(tmp_path / "items.jsonl", [record(i) for i in range(3)]),
                       workspace="helpdesk", dataset="items", actor="cli:test")
    swap = _Swap()
    monkeypatch.setattr(claim_module, "_random", swap)
    with TestClient(create_app(db, settings)) as client:
        pushed = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC},
                             headers=_h(tokens["lead"]))
        assert pushed.status_code == 201, pushed.text
        yield client, tokens, swap, pushed.json()["ref"]


def _h(token):
    return {"Authorization": f"Bearer {token}"}


_queues = itertools.count()


def _exports(db, queue: str, out: Path) -> dict[str, list[dict]]:
    """The queue's training rows in the formats that read answers about responses."""
    rows = {}
    for fmt, options in {"sft": {"question": "ideal"}, "dpo": {"question": "preference"},
                         "kto": {"from_ratings": "helpfulness", "min_rating": 3, "max_rating": 1}}.items():
        path = out / f"{queue}-{fmt}.jsonl"
        with db.writing() as session:
            ws = accounts.get_workspace(session, "helpdesk")
            export.export_training(session, ws, f"queue:{queue}", path,
                                   TrainingOptions(format=fmt, **options), actor="cli:test")
        rows[fmt] = [json.loads(line) for line in path.read_text().splitlines()]
    return rows


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(swapped=st.booleans(), drawn=ANSWERS, edit=EDITS)
def test_feedback_answers_sent_back_as_a_rework_change_nothing(loop, db, tmp_path, swapped, drawn, edit):
    client, t, swap, rubric = loop
    api = "/api/workspaces/helpdesk"
    queue = f"order-{next(_queues)}"
    created = client.post(f"{api}/queues", headers=_h(t["lead"]), json={
        "name": queue, "dataset": "items", "rubric": rubric, "policy": {"overlap": 1, "audit_rate": 1.0}})
    assert created.status_code == 201, created.text

    swap.swapped = swapped
    task = client.post(f"{api}/queues/{queue}/claim", headers=_h(t["rater"])).json()["assignment"]
    shown_texts = {r["label"]: r["content"] for r in task["item"]["responses"]}
    assert (shown_texts["A"] != "Please restart the VPN client.") == swapped  # record(): v1 first
    given_answers = {**drawn, **({"ideal": _edit(edit, shown_texts)} if edit else {})}
    submitted = client.post(f"{api}/assignments/{task['assignment_id']}/submit",
                            json={"answers": given_answers}, headers=_h(t["rater"]))
    assert submitted.status_code == 200, submitted.text
    label_id = submitted.json()["id"]

    def stored() -> dict:
        [label] = [lb for lb in client.get(f"{api}/queues/{queue}/labels", headers=_h(t["lead"])).json()
                   if lb["id"] == label_id]
        return label["answers"]

    before, exported = stored(), _exports(db, queue, tmp_path)

    returned = client.post(f"{api}/queues/{queue}/labels/{label_id}/review", headers=_h(t["reviewer"]),
                           json={"verdict": "return", "reason": REASON})
    assert returned.status_code == 200, returned.text
    [feedback] = [lb for lb in client.get(f"{api}/queues/{queue}/feedback", headers=_h(t["rater"])).json()
                  if lb["id"] == label_id]
    reworked = client.put(f"{api}/queues/{queue}/labels/{label_id}/rework",
                          json={"answers": feedback["answers"]}, headers=_h(t["rater"]))
    assert reworked.status_code == 200, reworked.text

    assert stored() == before
    assert _exports(db, queue, tmp_path) == exported
    # The rater saw their answers exactly as they gave them, at every step.
    assert feedback["answers"] == given_answers == submitted.json()["answers"] == reworked.json()["answers"]
    assert {feedback["order"], submitted.json()["order"], reworked.json()["order"]} == {"shown"}


def test_three_responses_are_never_shown_or_stored_swapped(loop, db, tmp_path):
    """Only a pair is shown swapped; a lease's swap flag must not reorder a trio's answers."""
    client, t, swap, _ = loop
    api = "/api/workspaces/helpdesk"
    trio = [{"model": "m", "model_version": v, "content": f"Answer from {v}."} for v in ("v1", "v2", "v3")]
    ingest.import_file(db, write_jsonl(tmp_path / "trio.jsonl", [record(9, responses=trio)]),
                       workspace="helpdesk", dataset="trio", actor="cli:test")
    rubric = client.post(f"{api}/rubrics", headers=_h(t["lead"]), json={"yaml": """
name: rank-three
title: Rank three
instructions: Rank the responses.
questions:
  - {id: order, type: ranking, prompt: "Rank them"}
  - {id: helpfulness, type: likert, per_response: true, prompt: "Helpful",
     scale: [{value: 1, anchor: "not"}, {value: 2, anchor: "very"}]}
"""}).json()["ref"]
    assert client.post(f"{api}/queues", headers=_h(t["lead"]), json={
        "name": "trio", "dataset": "trio", "rubric": rubric}).status_code == 201
    swap.swapped = True
    task = client.post(f"{api}/queues/trio/claim", headers=_h(t["rater"])).json()["assignment"]
    assert [r["content"] for r in task["item"]["responses"]] == [r["content"] for r in trio]
    given_answers = {"order": ["C", "A", "B"], "helpfulness": {"A": 2, "B": 1, "C": 1}}
    submitted = client.post(f"{api}/assignments/{task['assignment_id']}/submit",
                            json={"answers": given_answers}, headers=_h(t["rater"]))
    assert submitted.status_code == 200, submitted.text
    [stored] = client.get(f"{api}/queues/trio/labels", headers=_h(t["lead"])).json()
    assert stored["answers"] == given_answers == submitted.json()["answers"]
