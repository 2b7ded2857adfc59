"""Labeled queues with a known truth, and synthetic judges (`python:judge_fixtures:NAME`
targets) whose agreement with the humans is known by construction.

Every response of a queue item has a latent quality q (1..5). Raters rate q with noise
(HUMAN_NOISE); the response text carries `[q=Q c=C]`, its latent quality and the
humans' consensus, which only the synthetic judges read. Response lengths are drawn
independently of q, so neither humans nor unbiased judges have a length preference.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import statistics
from pathlib import Path
from typing import Any

from sqlalchemy import select

from conftest import OPERATOR
from honing import accounts, annotate, ingest
from honing.annotate import QueuePolicy
from honing.rubrics import parse_rubric, swap_responses
from honing.storage import Database, QueueItem
from records import write_jsonl

RUBRIC = """\
name: judge-calibration
title: Rate two responses, then compare them
instructions: Rate each response on its own, then say which one is better.
questions:
  - id: quality
    type: likert
    per_response: true
    prompt: How good is the response?
    scale:
      - {value: 1, anchor: useless}
      - {value: 2, anchor: poor}
      - {value: 3, anchor: fair}
      - {value: 4, anchor: good}
      - {value: 5, anchor: excellent}
  - id: overall
    type: likert
    required: false
    prompt: How good is the exchange as a whole?
    scale:
      - {value: 1, anchor: poor}
      - {value: 2, anchor: fair}
      - {value: 3, anchor: good}
  - id: preference
    type: pairwise
    prompt: Which response is better?
  - id: topic
    type: label
    required: false
    prompt: What is it about?
    options:
      - {value: vpn, label: VPN}
      - {value: other, label: Other}
"""
PARSED_RUBRIC = parse_rubric(RUBRIC)

# Rater noise on the latent quality: -1, 0, +1 with these probabilities (clipped to 1..5).
HUMAN_NOISE = {-1: 0.2, 0: 0.6, 1: 0.2}
# The noisy judge's noise: -2..+2 with these probabilities (clipped to 1..5).
JUDGE_NOISE = {-2: 0.05, -1: 0.2, 0: 0.5, 1: 0.2, 2: 0.05}
_MARK = re.compile(r"\[q=(\d) c=(\d)\]")


def clip(value: int) -> int:
    return min(5, max(1, value))


def _draw(rng: random.Random, noise: dict[int, float]) -> int:
    return rng.choices(list(noise), weights=list(noise.values()))[0]


def _strength(a: int, b: int) -> str:
    diff = a - b
    return "A>>B" if diff >= 2 else "A>B" if diff == 1 else "tie" if diff == 0 else \
        "B>A" if diff == -1 else "B>>A"


def build_items(count: int, *, raters: int, seed: int, human_noise: dict[int, float] | None = None
                ) -> list[dict[str, Any]]:
    """Records (interchange shape) whose metadata holds each rater's canonical answers."""
    rng = random.Random(seed)
    noise = HUMAN_NOISE if human_noise is None else human_noise
    records = []
    for i in range(count):
        quality = {letter: rng.randint(1, 5) for letter in "AB"}
        ratings = [{letter: clip(q + _draw(rng, noise)) for letter, q in quality.items()}
                   for _ in range(raters)]
        consensus = {letter: int(statistics.median(r[letter] for r in ratings)) for letter in "AB"}
        responses = [{"model": "assistant", "model_version": f"v{n}", "content":
                      f"Response {letter} to request {i}. [q={quality[letter]} c={consensus[letter]}] "
                      + "Restart the client and try again. " * rng.randint(0, 12)}
                     for n, letter in enumerate("AB", start=1)]
        answers = [{"quality": r, "overall": 2, "preference": _strength(r["A"], r["B"])} for r in ratings]
        records.append({"id": f"jc-{seed}-{i:04d}",
                        "messages": [{"role": "user", "content": f"Request {i}: my VPN drops every hour."}],
                        "responses": responses, "metadata": {"answers": answers}})
    return records


def labeled_queue(db: Database, workspace: str, tmp_path: Path, *, name: str, items: int,
                  raters: int = 3, seed: int = 1, human_noise: dict[int, float] | None = None,
                  records: list[dict] | None = None) -> str:
    """A queue NAME over `items` new items (or the given `records` of `build_items`), every
    item labeled by `raters` raters through the annotate service (claim, then submit, as the
    rater workbench does). Returns NAME."""
    if records is None:
        records = build_items(items, raters=raters, seed=seed, human_noise=human_noise)
    ingest.import_file(db, write_jsonl(tmp_path / f"{name}.jsonl", records), workspace=workspace,
                       dataset=name, actor="cli:test")
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        pushed = annotate.push_rubric(session, ws, RUBRIC, source="judge-calibration.yaml", actor="cli:test")
        annotate.create_queue(session, ws, name=name, dataset_ref=name, rubric_ref=pushed.ref,
                              policy=QueuePolicy(overlap=raters), actor="cli:test")
        people = []
        for k in range(raters):
            user = accounts.create_user(session, OPERATOR, f"{name}-r{k}", "correct horse battery")
            accounts.set_role(session, OPERATOR, workspace, user.username, "rater")
            people.append(user.id)
    answers_of = {r["id"]: r["metadata"]["answers"] for r in records}
    for k, rater_id in enumerate(people):
        while _label_one(db, workspace, name, rater_id, k, answers_of):
            pass
    return name


def _label_one(db: Database, workspace: str, queue_name: str, rater_id: int, k: int,
               answers_of: dict[str, list[dict[str, Any]]]) -> bool:
    from honing import datasets

    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        queue = annotate.get_queue(session, ws, queue_name)
        claim = annotate.claim_next(session, queue, rater_id, actor="cli:test", workspace=workspace)
        if claim.assignment is None:
            return False
        item_id = session.scalar(select(QueueItem.item_id).where(QueueItem.id == claim.assignment.queue_item_id))
        stored = datasets.load_item(session, item_id)
        canonical = answers_of[stored.item.external_id][k]
        # The rater sees the responses in the order shown; the service puts them back.
        shown = swap_responses(PARSED_RUBRIC, canonical) if claim.assignment.swapped else canonical
        annotate.submit(session, queue, claim.assignment, shown, actor="cli:test", workspace=workspace)
    return True


# --- synthetic judges (python targets: (messages, tools, scenario) -> reply text) ----------

def _section(messages: list[dict[str, Any]], tag: str) -> str:
    found = re.search(rf"<{tag}>\n(.*?)\n</{tag}>", messages[-1]["content"], re.S)
    assert found is not None, f"no <{tag}> section in the judge prompt"
    return found.group(1)


def _marks(text: str) -> tuple[int, int]:
    found = _MARK.search(text)
    assert found is not None, "no quality mark in the response"
    return int(found.group(1)), int(found.group(2))


def _rng(text: str, salt: str) -> random.Random:
    return random.Random(hashlib.sha256(f"{salt}|{text}".encode()).hexdigest())


def _score(score: int, reasoning: str = "graded against the rubric") -> str:
    return json.dumps({"reasoning": reasoning, "score": score})


def noisy(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Latent quality plus JUDGE_NOISE, drawn independently of the raters' noise."""
    text = _section(messages, "response")
    quality, _ = _marks(text)
    return _score(clip(quality + _draw(_rng(text, "noisy"), JUDGE_NOISE)))


def perfect(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Exactly the humans' consensus."""
    return _score(_marks(_section(messages, "response"))[1])


def coin(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """A score that has nothing to do with the response's quality."""
    return _score(_rng(_section(messages, "response"), "coin").randint(1, 5))


def verbose(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Latent quality, plus a point for every 150 characters: a judge swayed by length."""
    text = _section(messages, "response")
    return _score(clip(_marks(text)[0] + len(text) // 150))


def garbled(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Unreadable for responses of latent quality 1 (no JSON) or 2 (a score off the scale)."""
    quality, _ = _marks(_section(messages, "response"))
    if quality == 1:
        return "I would rather not say."
    return _score(9 if quality == 2 else quality)


def first_shown(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Always prefers the response shown first."""
    return json.dumps({"reasoning": "the first one reads better", "verdict": "A"})


def fair(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """Prefers the response of higher latent quality, whichever order they come in."""
    a, b = (_marks(_section(messages, tag))[0] for tag in ("response_a", "response_b"))
    return json.dumps({"reasoning": "compared both", "verdict": "A" if a > b else "B" if b > a else "tie"})


def marked_answer(messages: list[dict[str, Any]], tools: list[Any], scenario: Any) -> str:
    """A target whose answers carry the mark the synthetic judges read (quality 4)."""
    return "Restart the VPN client. [q=4 c=4]"
