"""`honing quality` on the demo workspace, as a lead runs it after `honing demo --no-serve`:
agreement per question, rater and cohort scorecards, and the weekly report files."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

from browser_fixtures import demo_env

QUEUE = ["--queue", "helpdesk-review", "--workspace", "helpdesk-assistant"]


def honing(home, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "honing", *args], env=demo_env(home),
                          capture_output=True, text=True, timeout=300)


def test_agreement_per_question_on_the_demo(demo_home):
    home, _ = demo_home
    done = honing(home, "quality", "agreement", *QUEUE, "--resamples", "300", "--json")
    assert done.returncode == 0, done.stderr
    rows = {(r["question"], r["coefficient"]): r for r in json.loads(done.stdout)}
    helpfulness = rows[("helpfulness", "alpha (ordinal)")]
    # The demo's three raters label every live item it simulated; the careless one adds
    # noise, so agreement is real but far from perfect.
    assert helpfulness["n"] > 50 and helpfulness["raters"] == 3
    assert 0.2 < helpfulness["value"] < 0.95
    assert helpfulness["low"] < helpfulness["value"] < helpfulness["high"]
    assert ("preference", "alpha (ordinal, strength)") in rows
    assert ("safety", "alpha (nominal)") in rows
    assert any(q.startswith("failure_modes:") for q, _ in rows)
    # Text and edit questions have no coefficient rather than a made-up one.
    assert not any(q in ("rationale", "ideal_response") for q, _ in rows)
    # Every figure is a number with an interval, or null with the reason.
    for row in rows.values():
        assert (row["value"] is None) == (row["reason"] is not None)

    table = honing(home, "quality", "agreement", *QUEUE, "--resamples", "0")
    assert table.returncode == 0 and "helpfulness" in table.stdout and "alpha (ordinal)" in table.stdout


def test_rater_and_cohort_scorecards_on_the_demo(demo_home):
    home, _ = demo_home
    done = honing(home, "quality", "raters", *QUEUE, "--json")
    assert done.returncode == 0, done.stderr
    cards = {c["name"]: c for c in json.loads(done.stdout)}
    assert set(cards) == {"rater1", "rater2", "rater3"}
    careful, careless = cards["rater1"], cards["rater3"]
    # The careless rater fails gold items and agrees less with the others; the careful one
    # is slower. Each figure comes with its n.
    assert careful["gold_accuracy"]["n"] > 0 and careless["gold_accuracy"]["n"] > 0
    assert careful["gold_accuracy"]["value"] > careless["gold_accuracy"]["value"]
    assert careful["consensus_agreement"]["value"] > careless["consensus_agreement"]["value"]
    # Pairwise kappa, against the other raters and per partner, each with an interval over
    # items; the careless rater agrees least.
    assert careful["pairwise_kappa"]["value"] > careless["pairwise_kappa"]["value"]
    for card in cards.values():
        assert card["pairwise_kappa"]["low"] < card["pairwise_kappa"]["value"] < card["pairwise_kappa"]["high"]
        assert {p["partner"] for p in card["pairwise"]} == set(cards) - {card["name"]}
        assert card["gold_accuracy"]["unit"] == "items"
    assert careful["median_active_s"] > careless["median_active_s"]
    assert all(c["labels"] > 0 and c["active_days"] > 0 for c in cards.values())
    assert any(c["rework_rate"]["value"] > 0 for c in cards.values())  # the demo returned labels

    cohorts = json.loads(honing(home, "quality", "raters", *QUEUE, "--by", "cohort", "--json").stdout)
    by_name = {c["name"]: c for c in cohorts}
    assert set(by_name) == {"in-house", "vendor-acme"}
    assert by_name["in-house"]["raters"] == ["rater1", "rater2"]
    assert by_name["in-house"]["labels"] == cards["rater1"]["labels"] + cards["rater2"]["labels"]


def test_weekly_report_files(demo_home, tmp_path):
    home, _ = demo_home
    out = tmp_path / "report"
    done = honing(home, "quality", "report", *QUEUE, "--period", "7d", "--out", str(out),
                  "--resamples", "300")
    assert done.returncode == 0, done.stderr
    markdown = (out / "report.md").read_text()
    for kpi in ("Gold set accuracy", "Audit pass rate", "First-pass QA score", "Rework rate",
                "Throughput", "Backlog age", "On-time rate", "Escalations",
                "Inter-annotator agreement: helpfulness"):
        assert kpi in markdown
    assert "## Top disagreements" in markdown and "disagreement" in markdown
    figures = json.loads((out / "report.json").read_text())
    assert figures["period"]["text"] == "7d"
    queue = figures["queue_figures"]
    assert queue["labels"] > 0 and len(queue["days"]) >= 7  # calendar days the 7 x 24 h touch
    assert queue["on_time_rate"]["n"] > 0  # the demo queue has a turnaround
    assert not list(out.glob(".*.partial"))
    html = (out / "report.html").read_text()
    # Self-contained: no script and nothing fetched (the SVG namespace URI is only a name).
    assert "<script" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(""", html)

    bad = honing(home, "quality", "report", *QUEUE, "--period", "a week", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "is not a period" in bad.stderr
    unknown = honing(home, "quality", "raters", "--queue", "nope", "--workspace", "helpdesk-assistant")
    assert unknown.returncode != 0 and "nope" in unknown.stderr


def test_report_values_match_the_scorecards(demo_home, tmp_path):
    """The report's figures are the scorecards' figures, not a second computation."""
    home, _ = demo_home
    out = tmp_path / "all"
    assert honing(home, "quality", "report", *QUEUE, "--period", "all", "--out", str(out),
                  "--resamples", "0").returncode == 0
    report = json.loads((out / "report.json").read_text())
    cards = json.loads(honing(home, "quality", "raters", *QUEUE, "--resamples", "0", "--json").stdout)
    # Drift windows end when each command ran; everything else is the same figure.
    assert [{**c, "drift": None} for c in report["raters"]] == [{**c, "drift": None} for c in cards]
    gold = report["queue_figures"]["gold_accuracy"]
    # n counts gold items: the queue's pools every rater's answers to an item into one
    # cluster, so it is at most the raters' item counts added up; the answers add up.
    assert not math.isnan(gold["value"]) and 0 < gold["n"] <= sum(c["gold_accuracy"]["n"] for c in cards)
    assert report["queue_figures"]["gold_answers"] == sum(c["gold_accuracy"]["answers"] for c in cards)
    assert all(c["gold_accuracy"]["unit"] == "items" and c["gold_accuracy"]["answers"] > c["gold_accuracy"]["n"]
               for c in cards)
    markdown = (out / "report.md").read_text()
    kpi = next(line for line in markdown.splitlines() if line.startswith("| Gold set accuracy"))
    assert f"| {gold['n']} items ({report['queue_figures']['gold_answers']} answers) |" in kpi
