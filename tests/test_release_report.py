"""`honing report release`: the release readiness package of the demo's v2 against v1:
a self-contained HTML report that draws its charts in Chromium from file:// with the
network off, a Markdown summary short enough for a pull-request comment, and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from browser_fixtures import demo_env
from honing import release


@pytest.fixture(scope="module")
def demo_report(demo_home, tmp_path_factory):
    home, _ = demo_home
    out = tmp_path_factory.mktemp("release-report")
    done = subprocess.run([sys.executable, "-m", "honing", "report", "release", "-w", "helpdesk-assistant",
                           "--policy", str(home / "suites" / "gate-release.yaml"), "--run", "2", "--baseline", "1",
                           "--out", str(out)], env=demo_env(home), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" in done.stderr
    return out


def test_the_json_holds_the_decision_the_regressions_and_the_lineage(demo_report):
    report = json.loads((demo_report / "report.json").read_text())
    assert report["decision"] == "fail" and report["exit_code"] == 1
    critical = next(t for t in report["comparison"]["tiers"] if t["name"] == "critical")
    assert critical["regressed"] >= 1 and critical["pairs"] == 148
    regressions = report["comparison"]["regressions"]
    assert regressions[0]["tier"] == "critical" and regressions[0]["status_a"] == "pass"
    assert regressions[0]["output_a"]["text"] != regressions[0]["output_b"]["text"]
    changed = {c["what"] for c in report["changes"] if c["changed"]}
    assert changed == {"target (model, parameters)"}
    suite = report["lineage"]["suites"][0]
    assert suite["suite"] == "helpdesk-regression@1" and suite["scenarios"] == 224  # 96 held out for labels
    assert suite["provenance"] == {"dataset_item": 224}
    assert list(suite["datasets"]) == ["support-conversations@2"]
    assert report["lineage"]["runs"] == [1, 2]
    assert report["risks"], "a failing release has residual risks to list"


def test_the_markdown_summary_fits_a_pull_request_comment(demo_report):
    summary = (demo_report / "summary.md").read_text()
    assert summary.startswith("## Release gate: FAIL (helpdesk-release)")
    assert len(summary) < 8000  # GitHub's limit is 65,536 characters; a comment should be far shorter
    assert "| no critical regressions | <= 0 |" in summary and "**fail**" in summary
    assert "| critical |" in summary and "**Regressions**" in summary
    assert summary.count("\n- `hd-") <= 5


def test_the_html_report_renders_offline_with_its_charts(demo_report, page, tmp_path):
    requested: list[str] = []
    page.context.set_offline(True)
    page.context.route("**/*", lambda route: (requested.append(route.request.url),
                                               route.continue_() if route.request.url.startswith("file:")
                                               else route.abort()))
    page.goto((demo_report / "report.html").as_uri())
    assert requested and all(url.startswith("file:") for url in requested), requested

    assert page.locator("#decision").inner_text() == "FAIL"
    rules = page.locator("#rules tr.rule")
    decisions = {rules.nth(i).locator("td").first.inner_text(): rules.nth(i).locator("td").last.inner_text()
                 for i in range(rules.count())}
    assert decisions["no critical regressions"] == "fail" and decisions["target errors"] == "pass"
    assert page.locator("#regressions details.regression").count() >= 1
    assert "critical" in page.locator("#regressions details.regression").first.inner_text()

    # Every chart is drawn: its points have on-screen boxes and carry their numbers.
    for key in ("tiers", "difference", "outcomes", "latency"):
        drawn = page.evaluate(
            f"[...document.querySelectorAll('#chart-{key} svg .point')].filter(p => {{"
            " const b = p.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length")
        assert drawn > 0, key
    critical = page.locator("#chart-tiers svg .point[data-label='critical · candidate']")
    assert float(critical.get_attribute("data-value")) == pytest.approx(128 / 148, abs=0.01)
    assert critical.get_attribute("data-n") == "148"
    page.screenshot(path=str(tmp_path / "release.png"), full_page=True)
    assert (tmp_path / "release.png").stat().st_size > 30_000


def test_a_report_without_a_baseline(db, workspace, tmp_path):
    from test_release_gate import make_runs

    runs = make_runs(db, workspace, tmp_path, {"b": [("critical", i % 10 != 0, 50.0) for i in range(40)]})
    policy = release.parse_gate_policy("name: p\nrules:\n  - {metric: pass_rate, tier: critical, min: 0.8}\n")
    with db.reading() as session:
        from honing import accounts

        report = release.build_release_report(session, accounts.get_workspace(session, workspace), policy,
                                              runs["b"])
    written = release.write_release_report(report, tmp_path / "out")
    assert sorted(p.name for p in written.values()) == ["report.html", "report.json", "summary.md"]
    assert report.gate.decision == "pass" and report.comparison is None
    html = written["report.html"].read_text()
    assert 'id="chart-tiers"' in html and "<script" not in html
    assert 'src="http' not in html and 'href="http' not in html and "url(http" not in html
    assert "| critical | 90.0%" in written["summary.md"].read_text()


def test_a_failed_write_leaves_no_partial_files(tmp_path, monkeypatch):
    from honing import _reports

    def broken(self, *args, **kwargs):  # the second file cannot be written
        if self.name.startswith(".summary"):
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    original = type(tmp_path).write_text
    monkeypatch.setattr(type(tmp_path), "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        _reports.write_files(tmp_path / "out", {"report.html": "<p>", "summary.md": "# s", "report.json": "{}"})
    assert list((tmp_path / "out").iterdir()) == []
