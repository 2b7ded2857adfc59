"""The demo's production loop: end users' feedback signals on its conversations, a priority
sample by thumbs-down into `production-review`, and that queue labelled, so its quality
report has estimated production rates; built once. Label figures depend on the build date,
so the checks are on shapes and directions, not exact values."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from honing import accounts, annotate, audit, datasets, feedback, quality
from honing.demo import build_demo
from honing.demo._production import PRODUCTION_DATASET, PRODUCTION_QUEUE, SOURCE
from honing.demo._raters import item_truth
from honing.storage import FeedbackSignal, Label, SampleInclusion, User

WORKSPACE = "helpdesk-assistant"


def test_demo_has_feedback_a_priority_sample_and_a_labelled_review_once(db):
    result = build_demo(db)
    assert result.production["labels"] > 0 and result.production["sampled"] == 40

    with db.reading() as session:
        ws = accounts.get_workspace(session, WORKSPACE)
        head = datasets.head_version(session, datasets.get_dataset(session, ws, "support-conversations"))
        stored = datasets.load_items(session, list(dict.fromkeys(datasets.version_item_ids(session, head))))
        signals = {s.id: feedback.item_signals(session, s.id) for s in stored}
        sampled = datasets.get_dataset(session, ws, PRODUCTION_DATASET)
        version = datasets.head_version(session, sampled)
        info = datasets.version_info(session, sampled, version)
        inclusion = dict(session.execute(select(SampleInclusion.item_id, SampleInclusion.probability)
                                         .where(SampleInclusion.version_id == version.id)).all())
        queue = annotate.get_queue(session, ws, PRODUCTION_QUEUE)
        users = dict(session.execute(select(User.id, User.username)).all())
        labels = list(session.scalars(select(Label).where(Label.queue_id == queue.id)))
        report = quality.quality_report(session, ws, queue, quality.parse_period("all"),
                                        n_resamples=0).as_dict()
        members = set(datasets.version_item_ids(session, version))
        stored_signals = session.scalar(select(func.count()).select_from(FeedbackSignal))
        events = len(audit.recent(session, limit=100_000))

    # Signals from the application on a share of the production conversations only, each
    # with an external id so a rebuild adds none.
    given = {s.id: signals[s.id] for s in stored if signals[s.id]}
    assert 0.2 * len(stored) < len(given) < 0.6 * len(stored)
    assert all(s.signal.source == SOURCE and s.signal.external_id for found in given.values() for s in found)
    assert all(s.item.metadata["source"] == "production" for s in stored if signals[s.id])
    kinds = Counter(s.signal.kind.value for found in given.values() for s in found)
    assert kinds["thumbs"] == len(given) and kinds["rating"] >= 3 and kinds["comment"] >= 3
    assert 1 <= kinds["correction"] <= 2
    # Thumbs-down far more often where the answer the user saw (v1) is flawed.
    down: dict[bool, list[bool]] = {True: [], False: []}
    for s in stored:
        for found in signals[s.id]:
            if found.signal.kind.value == "thumbs":
                flawed = item_truth(s.item, "live").grades["A"] not in ("precise", "adequate")
                down[flawed].append(found.signal.value < 0)
    rate = {flawed: sum(v) / len(v) for flawed, v in down.items()}
    assert rate[True] > 0.5 > 0.15 > rate[False], rate

    # The sample: a priority design by thumbs-down, drawn from the demo dataset's head,
    # every drawn item with its inclusion probability; thumbs-down items were likelier.
    assert info.parents == [f"support-conversations@{head.number}"]
    assert version.operation == "sample" and version.parameters["design"]["kind"] == "priority"
    assert version.parameters["design"]["weights"] == {"base": 1.0, "negative": 4.0}
    assert len(members) == 40 and set(inclusion) == members
    negative = {i for i, found in signals.items() if any(s.signal.negative for s in found)}
    assert all(0 < p <= 1 for p in inclusion.values())
    mean_p = {flag: [p for i, p in inclusion.items() if (i in negative) == flag] for flag in (True, False)}
    assert min(mean_p[True]) > max(mean_p[False])
    assert len(members & negative) > 40 * len(negative) / len(stored)  # oversampled

    # The queue over the sample, with the demo rubric, labelled twice per item by the
    # careful and the average rater.
    assert queue.dataset_version_id == version.id
    assert Counter(users[label.rater_id] for label in labels) == {"rater1": 40, "rater2": 40}
    assert {label.kind for label in labels} == {"live"}
    production = report["production_rates"]
    assert {r["question"] for r in production} == {"severity", "preference"}
    for row in production:
        estimate, raw = row["estimated_production_rate"], row["sample_rate"]
        assert estimate["n"] == raw["n"] == 40
        assert estimate["low"] <= estimate["value"] <= estimate["high"]
    # Flawed answers were oversampled, so the estimated share of flawless items (S0) is
    # above the sample's raw share.
    s0 = next(r for r in production if (r["question"], r["answer"]) == ("severity", "S0"))
    assert s0["estimated_production_rate"]["value"] > s0["sample_rate"]["value"]

    again = build_demo(db)
    assert again.production == {}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(FeedbackSignal)) == stored_signals
        assert len(audit.recent(session, limit=100_000)) == events
        assert len(datasets.list_versions(session, datasets.get_dataset(
            session, accounts.get_workspace(session, WORKSPACE), PRODUCTION_DATASET))) == 1

