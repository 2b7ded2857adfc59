"""The demo's regression suite and two replay runs, so evaluation pages (and a later
compare/gate) have data on first start.

`build_demo_evaluation` turns the demo dataset's newest version into the suite
`helpdesk-regression` (one scenario per conversation, with expectations derived from the
item's `metadata.demo_truth`), pushes it, writes what the two assistant versions answered
(responses[0] = v1, responses[1] = v2) as replay files, and runs the suite against both.
v2 is better on average but regresses on some critical items, which the suite shows.

The suite is a held-out split: the demo queue's labeling batch (`_annotation.labeling_batch`)
is left out, since its labels are training data (`honing export`) and a model trained on
a suite's prompts would make the suite useless for it.

Tiers (`demo_tier`), decided from what a conversation is about, never from how well a
candidate answered it, except for a response that endangers security, which is a reason
to guard the conversation more closely:
- critical: account and security intents (password reset, account lockout, MFA enrollment,
  access requests, phishing reports) and any conversation where a candidate answered
  unsafely (unsafe advice, or another employee's data);
- important: the rest where the assistant acts with a tool or reports what a tool did
  (arcs "act" and "resolve");
- nice: the rest (advice on VPN, e-mail, printer and hardware problems).

Expectations (`demo_expectations`): each one is something a correct answer satisfies. The
precise and adequate candidates of every item pass them all (tests check this with the
real scorers); the flawed candidates fail at least one where the flaw is detectable.
- every scenario (suite default): latency within `LATENCY_BUDGET_MS`;
- "act": `tool_calls` with the tool the conversation calls for and its key arguments
  (identifiers and enumerated choices the conversation fixed), in `schema` mode so the
  call must also be valid against the tool's schema (no missing required argument);
  free-text arguments (reason, summary, justification) are the model's own words and are
  not compared. Catches incomplete (asks again), hallucinated (claims done without a call),
  unsafe and wrong-argument answers;
- "resolve": `contains` a distinctive phrase of what to do next (or, when the action
  failed, of the service-desk fallback). Catches incomplete answers and success claimed
  after an error;
- "advise": `all` distinctive phrases of the key steps (the ones an incomplete answer
  leaves out);
- a candidate that was unsafe or hallucinated: `not_contains` the offending sentence (a
  regression test for a known incident);
- where the employee shared personal data: `pii_leak` with `allow_from_input: false` (the
  answer must not repeat it); other critical scenarios: `pii_leak` (no e-mail, phone or
  card number the employee did not give: catches another employee's data).

The phrases are literal fragments of this assistant's wording: right for regression tests
of this assistant's replies, too strict for a different model, which would need a judge.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import make_url

from honing import accounts
from honing._config import Settings
from honing.datasets import StoredItem
from honing.demo import _catalog
from honing.demo._annotation import labeling_batch
from honing.demo._raters import item_truth
from honing.domain import Item, Response
from honing.storage import Database, EvalRun

SUITE = "helpdesk-regression"
# Gate policies shipped with the demo: one v2 fails (the release gate), one it passes.
GATE_POLICIES = ("gate-release.yaml", "gate-improvements.yaml")
VERSIONS = ("v1", "v2")  # responses[0], responses[1]
ACTOR = "cli:demo"
# The slowest precise or adequate candidate of the full demo takes 4.7 s (v1); flawed ones
# are not slower, so latency does not decide pass or fail here but shows in the reports.
LATENCY_BUDGET_MS = 6000
SECURITY_INTENTS = frozenset({"password_reset", "account_lockout", "mfa_enrollment", "access_request",
                              "phishing_report"})
FLAWLESS = ("precise", "adequate")
# Arguments a correct call must get exactly right: ids and choices the conversation fixed.
KEY_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "lookup_user": ("employee_id",),
    "reset_password": ("user_id", "delivery_method"),
    "unlock_account": ("user_id",),
    "send_mfa_enrollment": ("user_id", "method"),
    "request_access": ("user_id", "resource", "role"),
    "install_software": ("user_id", "device_id", "package"),
    "report_phishing": ("user_id", "sender_domain", "clicked_link"),
    "create_ticket": ("user_id", "category"),
    "check_service_status": ("service",),
    "check_printer_status": ("printer_id",),
}
MAX_PHRASE = 48
RUN_CONCURRENCY = 16


def demo_home(db: Database) -> Path:
    """Where the demo keeps files: beside a SQLite database (that is HONING_HOME unless
    HONING_DATABASE_URL says otherwise), else HONING_HOME."""
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    return Settings.from_env().home


def build_demo_evaluation(db: Database, out_dir: Path, *, workspace: str | None = None,
                          dataset: str | None = None) -> dict[str, Any]:
    """Write, push and run the demo suite; idempotent: when the suite is unchanged and both
    runs of its version exist, nothing is created."""
    from honing.demo._build import DATASET, WORKSPACE  # imported here: _build imports this module
    from honing.evaluate._from_dataset import suite_from_dataset
    from honing.evaluate._suites import push_suite

    workspace, dataset = workspace or WORKSPACE, dataset or DATASET
    out_dir.mkdir(parents=True, exist_ok=True)
    replays = {v: out_dir / f"replay-{v}.jsonl" for v in VERSIONS}
    with db.writing() as session, _atomic_files(list(replays.values())) as handles:
        ws = accounts.get_workspace(session, workspace)
        training = labeling_batch(session, ws)

        def adapt(stored: StoredItem, scenario: dict[str, Any]) -> dict[str, Any] | None:
            if "demo_truth" not in stored.item.metadata or len(stored.item.responses) < len(VERSIONS):
                return None  # not a generated conversation: nothing to derive expectations from
            if stored.id in training:
                return None
            for response, handle in zip(stored.item.responses, handles, strict=False):
                handle.write(orjson.dumps(replay_line(scenario["id"], response)) + b"\n")
            return {**scenario, "tier": demo_tier(stored.item), "expect": demo_expectations(stored.item),
                    "tool_mocks": demo_tool_mocks(stored.item)}

        # Held out: it is what the contamination check keeps training exports away from.
        path = suite_from_dataset(session, ws, dataset, out_dir, name=SUITE, tag_fields=["intent", "language"],
                                  expect=[{"type": "latency", "name": "latency budget",
                                           "max_ms": LATENCY_BUDGET_MS}], adapt=adapt, held_out=True)
        pushed = push_suite(session, ws, path, actor=ACTOR)
    runs = {v: _replay_run(db, workspace, pushed.ref, f"replay:{replays[v]}") for v in VERSIONS}
    policies = _write_gate_policies(out_dir)
    return {"suite": pushed.ref, "policies": policies, "scenarios": pushed.scenarios, "tiers": pushed.tiers,
            "suite_created": pushed.created, "runs": {v: run for v, (run, _) in runs.items()},
            "runs_created": sum(created for _, created in runs.values())}


def _write_gate_policies(out_dir: Path) -> dict[str, str]:
    """The demo's gate policies beside its suite, for `honing gate` and `honing report
    release`; written when missing, so edits made to try a rule are kept."""
    written = {}
    for name in GATE_POLICIES:
        path = out_dir / name
        if not path.is_file():
            text = resources.files("honing.demo").joinpath(name.replace("-", "_")).read_text(encoding="utf-8")
            path.write_text(text, encoding="utf-8")
        written[name.removesuffix(".yaml")] = str(path)
    return written


def replay_line(scenario_id: str, response: Response) -> dict[str, Any]:
    """What one candidate answered, in the replay target's line shape."""
    tokens = response.tokens
    return {"scenario_id": scenario_id, "repeat": 0, "content": response.content,
            "tool_calls": [c.model_dump(mode="json") for c in response.tool_calls or ()],
            "latency_ms": response.latency_ms, "prompt_tokens": tokens.prompt if tokens else None,
            "completion_tokens": tokens.completion if tokens else None}


def _replay_run(db: Database, workspace: str, suite_ref: str, target: str) -> tuple[int, bool]:
    """(run id, created): the completed run of this suite version and target, else a new one
    (or the interrupted one, resumed)."""
    from honing.evaluate._runner import RunOptions, execute_run, start_run
    from honing.evaluate._suites import resolve_suite_version

    options = RunOptions(concurrency=RUN_CONCURRENCY, use_cache=False)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        _, version = resolve_suite_version(session, ws, suite_ref)
        existing = session.execute(select(EvalRun.id, EvalRun.status).where(
            EvalRun.workspace_id == ws.id, EvalRun.suite_version_id == version.id, EvalRun.target == target)
            .order_by(EvalRun.id)).all()
    done = next((run_id for run_id, status in existing if status == "completed"), None)
    if done is not None:
        return done, False
    resume = existing[-1][0] if existing else None
    run_id, _, _ = start_run(db, workspace, suite_ref, target, options, actor=ACTOR, resume=resume)
    asyncio.run(execute_run(db, run_id, options))
    return run_id, resume is None


# --- tiers and expectations -------------------------------------------------------------

def demo_tier(item: Item) -> str:
    """critical, important or nice, by the rule in the module docstring."""
    meta, truth = item.metadata, item.metadata["demo_truth"]
    unsafe = "unsafe" in (truth["v1_grade"], truth["v2_grade"])
    if meta["intent"] in SECURITY_INTENTS or unsafe:
        return "critical"
    return "important" if truth["arc"] in ("act", "resolve") else "nice"


def demo_expectations(item: Item) -> list[dict[str, Any]]:
    """The item's own expectations (the latency budget is the suite's default)."""
    meta, truth = item.metadata, item.metadata["demo_truth"]
    text, common = _catalog.text_for(meta["language"], meta["intent"]), _catalog.common_for(meta["language"])
    expect: list[dict[str, Any]] = []
    arc = truth["arc"]
    if arc == "act":
        expect.append(_tool_expectation(item))
    elif arc == "resolve":
        if truth["action_failed"]:
            expect.append({"type": "contains", "name": "offers the service desk fallback",
                           "value": phrase(common.error_fallback)})
        else:
            expect.append({"type": "contains", "name": "says what to do next",
                           "value": phrase(_resolve_next(item, text.resolve_next, common.labels))})
    else:
        steps = list(dict.fromkeys(phrase(text.steps[i]) for i in text.key_steps))
        expect.append({"type": "all", "name": "covers the key steps", "values": steps})
    grades = {"A": truth["v1_grade"], "B": truth["v2_grade"]}
    quotes = item_truth(item, "suite").quotes
    for grade, label in (("unsafe", "no unsafe advice"), ("hallucination", "no invented claim")):
        for quote in dict.fromkeys(_searchable(quotes.get(s)) for s, g in grades.items() if g == grade):
            if quote:
                expect.append({"type": "not_contains", "name": label, "value": quote})
    if truth["pii"]:
        expect.append({"type": "pii_leak", "name": "does not repeat personal data", "allow_from_input": False})
    elif demo_tier(item) == "critical":
        expect.append({"type": "pii_leak", "name": "no personal data"})
    return expect


def demo_tool_mocks(item: Item) -> list[dict[str, Any]]:
    """For "act" items, the expected tool accepts the call made with the right key
    arguments (any other call gets the runner's "no mock" error), so the agent loop goes on
    to the reply's text, as it happened. What the tool returns is not what the suite tests."""
    if item.metadata["demo_truth"]["arc"] != "act":
        return []
    name, arguments = _expected_call(item)
    return [{"tool": name, "when": arguments, "result": {"status": "ok"}}]


def _tool_expectation(item: Item) -> dict[str, Any]:
    name, arguments = _expected_call(item)
    return {"type": "tool_calls", "name": f"calls {name}",
            "expected": [{"name": name, "match": "schema", "arguments": arguments}]}


def _expected_call(item: Item) -> tuple[str, dict[str, Any]]:
    """The call a correct answer makes, with its key arguments: taken from a flawless
    candidate's call (the precise one first), else from the generator's record of it."""
    truth = item.metadata["demo_truth"]
    graded = list(zip((truth["v1_grade"], truth["v2_grade"]), item.responses, strict=False))
    best = next((r for grade in FLAWLESS for g, r in graded if g == grade and r.tool_calls), None)
    if best is not None and best.tool_calls:
        call = best.tool_calls[0].function
        name, arguments = call.name, orjson.loads(call.arguments)
    else:
        name, arguments = truth["expected_tool_call"]["name"], truth["expected_tool_call"]["arguments"]
    keys = KEY_ARGUMENTS.get(name, tuple(arguments))
    return name, {k: arguments[k] for k in keys if k in arguments}


def _resolve_next(item: Item, template: str, labels: dict[str, str]) -> str:
    """The next-step template, with the one placeholder that is a whole sentence resolved:
    after a phishing report it depends on whether the employee clicked the link, which the
    conversation's report_phishing call records."""
    if template.strip() != "{phish_next}":
        return template
    clicked = any(orjson.loads(call.function.arguments).get("clicked_link") is True
                  for message in item.messages for call in message.tool_calls or ()
                  if call.function.name == "report_phishing")
    return labels["phish_next_clicked" if clicked else "phish_next_safe"]


def phrase(template: str) -> str:
    """A distinctive literal part of a phrase template: its longest fragment between
    placeholders (and brackets, colons, semicolons), cut to a few words, so it appears
    verbatim in every reply built from the template."""
    parts = [p.strip(" .,:;!?—-()\"'") for p in re.split(r"\{[^}]*\}|[():;]", template)]
    best = max(parts, key=len)
    if len(best) > MAX_PHRASE:
        cut = best[:MAX_PHRASE]
        best = cut[: cut.rfind(" ")] if " " in cut else cut
    return best.strip(" .,:;!?—-()\"'")


def _searchable(quote: str | None) -> str | None:
    """A quote as a substring of the reply it came from (long quotes end in '...')."""
    if not quote:
        return None
    return quote.removesuffix("...").rstrip() or None


@contextmanager
def _atomic_files(paths: list[Path]) -> Iterator[list[IO[bytes]]]:
    """Files written under temporary names and renamed only when the block succeeds."""
    from honing.evaluate._from_dataset import temporary_name

    handles: list[IO[bytes]] = []
    temps: list[Path] = []
    try:
        for path in paths:
            temps.append(temporary_name(path))
            handles.append(temps[-1].open("xb"))
        yield handles
        for handle in handles:
            handle.close()
        for temp, path in zip(temps, paths, strict=True):
            os.replace(temp, path)
    finally:
        for handle in handles:
            handle.close()
        for temp in temps:
            temp.unlink(missing_ok=True)
