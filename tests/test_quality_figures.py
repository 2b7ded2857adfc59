"""Rater scorecards, queue figures, consensus and drift on hand-made labels, against values
worked out by hand in the comments."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from honing.annotate import QueuePolicy
from honing.quality import (
    LabelRow,
    Period,
    QueueData,
    ReviewRow,
    answer_matrix,
    consensus_matches,
    drift_change,
    gold_accuracy,
    parse_period,
    queue_figures,
    scorecards,
    two_proportion_p,
)
from honing.quality._drift import Window
from honing.rubrics import parse_rubric
from honing.stats import Estimate, clustered_proportion, proportion

RUBRIC = parse_rubric("""
name: tiny
title: Tiny
instructions: Judge the response.
questions:
  - id: score
    type: likert
    prompt: How good?
    scale:
      - {value: 1, anchor: bad}
      - {value: 2, anchor: poor}
      - {value: 3, anchor: fair}
      - {value: 4, anchor: good}
      - {value: 5, anchor: great}
  - id: verdict
    type: label
    prompt: Usable?
    options:
      - {value: "yes", label: "Yes"}
      - {value: "no", label: "No"}
  - id: pref
    type: pairwise
    prompt: Which is better?
""")
START = datetime(2026, 11, 30, tzinfo=UTC)
RATERS = {"ann": (1, "in-house"), "bob": (2, "in-house"), "cy": (3, "vendor")}


def label(lid: int, item: int, rater: str, answers: dict, *, day: float = 0, kind: str = "live",
          status: str = "submitted", rework: int = 0, gold: tuple[int, int] | None = None,
          active_s: float = 60) -> LabelRow:
    rater_id, cohort = RATERS[rater]
    return LabelRow(lid, item, 1000 + item, rater_id, rater, cohort, kind, answers, status, rework,
                    False, gold[0] if gold else None, gold[1] if gold else None, int(active_s * 1000),
                    START + timedelta(days=day))


def data(labels, *, reviews=(), live_items=4, overlap=3, turnaround=None, period=None) -> QueueData:
    return QueueData(workspace="w", queue="q", queue_id=1, created_at=START,
                     policy=QueuePolicy(overlap=overlap, turnaround_hours=turnaround), rubric=RUBRIC,
                     rubric_ref="tiny@1", period=period or Period(None, START + timedelta(days=10)),
                     live_items=live_items, labels=list(labels), reviews=list(reviews), escalations=[])


# Items 1 and 2 have three labels each; item 3 has one; gold item 9 is scored.
LABELS = [
    label(1, 1, "ann", {"score": 4, "verdict": "yes", "pref": "A>B"}, day=0.1, active_s=30),
    label(2, 1, "bob", {"score": 5, "verdict": "yes", "pref": "A>>B"}, day=0.2, active_s=50),
    label(3, 1, "cy", {"score": 1, "verdict": "no", "pref": "B>A"}, day=0.3, active_s=10),
    label(4, 2, "ann", {"score": 2, "verdict": "no", "pref": "tie"}, day=1.1, active_s=40),
    label(5, 2, "bob", {"score": 2, "verdict": "yes", "pref": "tie"}, day=1.2, rework=1,
          status="reworked", active_s=70),
    label(6, 2, "cy", {"score": 3, "verdict": "no", "pref": "A>B"}, day=1.3, active_s=20),
    label(7, 3, "ann", {"score": 3, "verdict": "yes", "pref": "A>B"}, day=2.1, active_s=90),
    label(8, 9, "cy", {"score": 3, "verdict": "no", "pref": "B>A"}, day=2.2, kind="gold", gold=(1, 3)),
    label(9, 9, "ann", {"score": 4, "verdict": "yes", "pref": "A>B"}, day=2.3, kind="gold", gold=(3, 3)),
]


def test_consensus_is_leave_one_out():
    matches = consensus_matches(RUBRIC, LABELS)
    # Item 1. score: others of ann are 5, 1 (median 3): |4-3| <= 1 agrees; bob: others 4, 1
    # (median 2.5): |5-2.5| > 1 no; cy: others 4, 5 (median 4.5): no.
    # verdict: ann's others yes/no split: not compared; bob's the same; cy: others yes, yes: no.
    # pref direction: ann's others A, B: split; bob's split; cy's others A, A: cy says B: no.
    assert matches[1] == (1, 1)
    assert matches[2] == (0, 1)
    assert matches[3] == (0, 3)
    # Item 2. score: ann others 2, 3 (2.5) agrees; bob others 2, 3 agrees; cy others 2, 2 (2) agrees.
    # verdict: ann others yes/no split; bob others no, no: says yes: no; cy others no/yes split.
    # pref direction: ann others tie, A: split; bob others tie, A: split; cy others tie, tie: says A: no.
    assert matches[4] == (1, 1)
    assert matches[5] == (1, 2)
    assert matches[6] == (1, 2)
    # Item 3 has one label and gold labels are never compared.
    assert 7 not in matches and 8 not in matches and 9 not in matches


def test_rater_scorecards():
    cards = {card.name: card for card in scorecards(data(LABELS))}
    assert set(cards) == {"ann", "bob", "cy"}
    ann, bob, cy = cards["ann"], cards["bob"], cards["cy"]
    assert ann.labels == 4 and bob.labels == 2 and cy.labels == 3
    # Consensus: ann 1/1 + 1/1 = 2/2; bob 0/1 + 1/2 = 1/3; cy 0/3 + 1/2 = 1/5, each over
    # items 1 and 2: n counts items, the answers compared beside it.
    assert (ann.consensus_agreement.value, ann.consensus_agreement.n, ann.consensus_answers) == (1.0, 2, 2)
    assert (bob.consensus_agreement.value, bob.consensus_agreement.n, bob.consensus_answers) == (
        pytest.approx(1 / 3), 2, 3)
    assert (cy.consensus_agreement.value, cy.consensus_agreement.n, cy.consensus_answers) == (
        pytest.approx(1 / 5), 2, 5)
    # Gold: ann 3/3, cy 1/3 on one item each (n counts items, the answers beside it), bob
    # none: NaN with a reason, not 0.
    assert (ann.gold_accuracy.value, ann.gold_accuracy.n, ann.gold_answers) == (1.0, 1, 3)
    assert cy.gold_accuracy.value == pytest.approx(1 / 3) and cy.gold_items == 1
    assert math.isnan(bob.gold_accuracy.value) and bob.gold_accuracy.reason
    # Rework: bob 1 of 2 live labels.
    assert (bob.rework_rate.value, bob.rework_rate.n) == (0.5, 2)
    assert ann.rework_rate.value == 0.0
    # Throughput: ann worked on days 0, 1 and 2 (4 labels): 4/3 per active day.
    assert ann.active_days == 3 and ann.per_active_day == pytest.approx(4 / 3)
    # Median active time: ann 30, 40, 90, 60 (gold) -> 50 s.
    assert ann.median_active_s == pytest.approx(50)
    # No reviews at all: the audit pass rate is undefined, not 0 or 1.
    assert math.isnan(ann.audit_pass_rate.value) and ann.audit_pass_rate.n == 0
    # The interval is clustered by item, as gold accuracy's is.
    clustered = clustered_proportion([0, 1], [1, 2])
    assert (bob.consensus_agreement.low, bob.consensus_agreement.high) == pytest.approx(
        (clustered.low, clustered.high))
    assert bob.consensus_agreement.high - bob.consensus_agreement.low > proportion(1, 3).high - proportion(1, 3).low


def test_cohort_scorecards_pool_their_raters():
    cohorts = {card.name: card for card in scorecards(data(LABELS), by="cohort")}
    assert set(cohorts) == {"in-house", "vendor"}
    house = cohorts["in-house"]
    assert house.raters == ["ann", "bob"] and house.labels == 6
    # ann 2/2 and bob 1/3 pooled: 3/5, over the two items both compared on.
    assert (house.consensus_agreement.value, house.consensus_agreement.n, house.consensus_answers) == (
        pytest.approx(0.6), 2, 5)
    assert (cohorts["vendor"].gold_accuracy.value, cohorts["vendor"].gold_accuracy.n) == (pytest.approx(1 / 3), 1)


def test_queue_figures():
    reviews = [ReviewRow(2, "accept", None, START + timedelta(days=3)),
               ReviewRow(5, "return", "verdict contradicts score", START + timedelta(days=3)),
               ReviewRow(5, "accept", None, START + timedelta(days=4))]
    figures = queue_figures(data(LABELS, reviews=reviews, turnaround=30,
                                 period=Period(None, START + timedelta(days=5))))
    # Items 1 and 2 are complete (3 kept labels each), completed at 0.3 and 1.3 days.
    assert figures.complete_items == 2 and figures.backlog == 2
    assert figures.backlog_median_age_days == pytest.approx(5.0)
    # Turnaround 30 h: item 1 (7.2 h) on time, item 2 (31.2 h) late; two open items are overdue.
    assert (figures.on_time_rate.value, figures.on_time_rate.n) == (pytest.approx(1 / 4), 4)
    # First verdicts: label 2 accept, label 5 return -> audit pass 1/2; gold fully right: 1 of 2.
    assert (figures.audit_pass_rate.value, figures.audit_pass_rate.n) == (0.5, 2)
    assert (figures.first_pass_qa.value, figures.first_pass_qa.n) == (0.5, 4)
    # Gold: ann and cy answered the same gold item: one cluster of 6 answers.
    assert (figures.gold_accuracy.value, figures.gold_accuracy.n, figures.gold_answers) == (pytest.approx(4 / 6), 1, 6)
    assert (figures.rework_rate.value, figures.rework_rate.n) == (pytest.approx(1 / 7), 7)
    # Days 0..4: labels 3, 3, 3, 0, 0; completions on days 0 and 1.
    assert [d.labels for d in figures.days] == [3, 3, 3, 0, 0]
    assert [d.completed for d in figures.days] == [1, 1, 0, 0, 0]
    assert [d.backlog for d in figures.days] == [3, 2, 2, 2, 2]
    assert figures.labels_per_day == pytest.approx(9 / 5)
    # Answers pooled: score 1,2,2,3,3 and 4,5 among live labels.
    assert figures.distributions["score"] == {"1": 1, "2": 2, "3": 2, "4": 1, "5": 1}
    assert figures.distributions["pref"] == {"A>>B": 1, "A>B": 3, "tie": 2, "B>A": 1, "B>>A": 0}
    # Of the two items with several labels, item 1 disagrees by >= 0.5 (score: mean pairwise
    # difference (1 + 3 + 4) / 3 over a range of 4 = 0.67); item 2 at most 0.33 (verdict).
    assert (figures.disputed_items.value, figures.disputed_items.n) == (0.5, 2)
    # No calibration pack: undefined.
    assert math.isnan(figures.calibration_pass_rate.value)


def test_on_time_needs_a_turnaround():
    figures = queue_figures(data(LABELS))
    assert math.isnan(figures.on_time_rate.value)
    assert "turnaround" in figures.on_time_rate.reason


def test_answer_matrix_makes_one_unit_per_item_and_leaves_returned_labels_out():
    rows = [*LABELS[:3], label(10, 1, "ann", {"score": 1}, status="returned")]
    matrix = answer_matrix(RUBRIC.question("score"), rows)
    assert matrix.rows == [[4, 5, 1]] and matrix.raters == 3 and matrix.labels == 3


def test_two_proportion_p_matches_statsmodels():
    from statsmodels.stats.proportion import proportions_ztest

    for k1, n1, k2, n2 in [(10, 40, 30, 50), (45, 50, 60, 100), (3, 20, 3, 25)]:
        _, expected = proportions_ztest([k1, k2], [n1, n2])
        assert two_proportion_p(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-9)
    assert math.isnan(two_proportion_p(0, 0, 3, 4))


def test_drift_flags_a_real_change_and_not_noise():
    def window(day: int, k: int, n: int) -> Window:
        # n items of one compared answer each: the effective n is n.
        return Window(START + timedelta(days=day), START + timedelta(days=day + 1), n,
                      proportion(k, n), Estimate(math.nan, math.nan, math.nan, 0), consensus_effective_n=n)

    steady = [window(0, 40, 50), window(1, 41, 50), window(2, 39, 50)]
    assert drift_change(steady) is None
    fell = [window(0, 45, 50), window(1, 44, 50), window(2, 20, 50)]
    flag = drift_change(fell)
    assert flag is not None and "consensus agreement fell from 0.89" in flag and "to 0.40" in flag
    # Too few comparisons in the latest window: no flag, however far it moved.
    assert drift_change([window(0, 45, 50), window(1, 0, 5)]) is None


def test_gold_accuracy_counts_questions():
    assert gold_accuracy([LABELS[7], LABELS[8]]).value == pytest.approx(4 / 6)


def test_periods():
    end = datetime(2026, 12, 5, tzinfo=UTC)
    assert parse_period("7d", end=end).start == end - timedelta(days=7)
    assert parse_period("2w", end=end).start == end - timedelta(days=14)
    assert parse_period("36h", end=end).start == end - timedelta(hours=36)
    assert parse_period("all", end=end).start is None
    for bad in ("7", "0d", "-1d", "7y", "lots"):
        with pytest.raises(Exception, match="is not a period"):
            parse_period(bad, end=end)
