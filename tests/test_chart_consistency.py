"""Charts that read the same everywhere on the lead's quality dashboard: one colour per
answer and the rubric's order in every chart, n beside every interval, one unit per figure
in a chart and its table, and label counts that say what they count."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from browser_fixtures import demo_env
from honing._config import Settings
from honing.api import create_app
from honing.charts import PALETTE, AnswerScale, Stack, sequential, stacked_bar_chart
from honing.charts._answers import SEQUENTIAL
from honing.charts._svg import _luminance
from honing.rubrics._values import PAIRWISE_VALUES

NS = "{http://www.w3.org/2000/svg}"
WS, QUEUE = "helpdesk-assistant", "helpdesk-review"
DASHBOARD = f"/w/{WS}/queues/{QUEUE}/quality?period=all"
INTERVAL = re.compile(r"\[-?[\d.]+%?, -?[\d.]+%?\]")


# --- the colour function ------------------------------------------------------------

def test_ordinal_answers_run_light_to_dark_in_rubric_order():
    scale = AnswerScale(("1", "2", "3", "4", "5"), ordinal=True)
    fills = [scale.colour(a) for a in scale.options]
    assert fills[0] == SEQUENTIAL[0] and fills[-1] == SEQUENTIAL[-1]
    lightness = [_luminance(f) for f in fills]
    assert lightness == sorted(lightness, reverse=True) and len(set(fills)) == 5
    assert sequential(0.0) == SEQUENTIAL[0] and sequential(1.0) == SEQUENTIAL[-1]


def test_nominal_answers_take_the_palette_by_option_index():
    scale = AnswerScale(("safe", "borderline", "unsafe"))
    assert [scale.colour(a) for a in scale.options] == list(PALETTE[:3])


def test_an_unlisted_answer_has_a_stable_colour_of_its_own():
    scale = AnswerScale(("safe", "borderline", "unsafe"))
    stray = scale.colour("legacy")
    assert stray == AnswerScale(("x",)).colour("legacy")  # the answer alone decides it
    assert stray not in {scale.colour(a) for a in scale.options}
    assert scale.order(["legacy", "safe"]) == ["safe", "borderline", "unsafe", "legacy"]


def test_an_answer_keeps_its_colour_when_another_is_missing_from_a_chart():
    scale = AnswerScale(("complete", "partial", "incomplete"))
    with_all = parse(stacked_bar_chart([Stack("w1", {"complete": 2, "partial": 1, "incomplete": 3})],
                                       title="t", scale=scale))
    without_partial = parse(stacked_bar_chart([Stack("w2", {"incomplete": 3, "complete": 1})],
                                              title="t", scale=scale))
    for root in (with_all, without_partial):
        assert segment_fills(root)["incomplete"] == {scale.colour("incomplete")}
        # The legend lists every option, in rubric order, nobody's choice or not.
        assert legend(root) == [(a, scale.colour(a)) for a in scale.options]
    # Segments stack in rubric order, whatever order the counts came in.
    assert [s.get("data-category") for s in segments(without_partial)] == ["complete", "incomplete"]


# --- the demo's dashboard --------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_pages(demo_home):
    home, passwords = demo_home
    settings = Settings.from_env(demo_env(home))
    with TestClient(create_app(settings=settings)) as client:
        client.post("/login", data={"username": "lead", "password": passwords["lead"]})
        pages = {name: client.get(path) for name, path in (
            ("dashboard", DASHBOARD), ("console", f"/w/{WS}/queues/{QUEUE}"),
            ("queues", f"/w/{WS}/queues"), ("card", f"/w/{WS}/datasets/support-conversations/card"))}
    assert all(r.status_code == 200 for r in pages.values()), {k: r.status_code for k, r in pages.items()}
    return {name: r.text for name, r in pages.items()}


def charts(html: str) -> dict[str, ET.Element]:
    return {key: parse(svg) for key, svg in re.findall(
        r'<figure class="card" id="chart-([\w-]+)">(<svg.*?</svg>)</figure>', html, flags=re.S)}


def test_each_answer_has_one_colour_and_the_rubric_order_in_every_chart(demo_pages):
    found = charts(demo_pages["dashboard"])
    by_question: dict[str, list[ET.Element]] = defaultdict(list)
    for key, root in found.items():
        if m := re.match(r"(?:drift|distribution)-(.+)$", key):
            by_question[m[1]].append(root)
    assert {"helpfulness", "safety", "severity", "preference"} <= set(by_question)
    expected = {"helpfulness": [str(v) for v in range(1, 6)], "severity": ["S0", "S1", "S2", "S3"],
                "preference": list(PAIRWISE_VALUES)}
    for question, roots in by_question.items():
        assert len(roots) == 2, question
        fills: dict[str, set[str]] = defaultdict(set)
        legends = []
        for root in roots:
            legends.append(legend(root))
            for answer, colours in segment_fills(root).items():
                fills[answer] |= colours
            for answer, colour in legend(root):
                fills[answer].add(colour)
            order = [a for a, _ in legend(root)]
            for stack in root.iter(f"{NS}g"):  # segments run left to right in legend order
                if stack.get("class") == "stack":
                    shown = [s.get("data-category") for s in sorted(segments(stack), key=lambda s: float(s.get("x")))]
                    assert shown == [a for a in order if a in shown], (question, shown)
        assert all(len(c) == 1 for c in fills.values()), (question, dict(fills))
        assert len({next(iter(c)) for c in fills.values()}) == len(fills)  # answers differ
        assert legends[0] == legends[1], question
        if question in expected:
            assert [a for a, _ in legends[0]] == expected[question]
    # Ordinal answers read light to dark; nominal ones (safety) take the palette.
    helpfulness = [_luminance(c) for _, c in legend(by_question["helpfulness"][0])]
    assert helpfulness == sorted(helpfulness, reverse=True)
    assert [c for _, c in legend(by_question["safety"][0])] == list(PALETTE[:3])


def test_every_interval_shows_its_n(demo_pages):
    html = demo_pages["dashboard"]
    shown = 0
    for key, root in charts(html).items():
        for element in root.iter():
            content = "".join(element.itertext()) if element.tag == f"{NS}title" else (element.text or "")
            if element.tag in (f"{NS}title", f"{NS}text") and INTERVAL.search(content):
                shown += 1
                assert re.search(r"\]:?,? n=\d+", content), (key, content)
    assert shown > 10
    # The agreement chart has room for each interval and its n beside the bar.
    agreement = [t.text for t in charts(html)["agreement"].iter(f"{NS}text") if t.get("class") == "value"]
    assert agreement and all(INTERVAL.search(v) and " n=" in v for v in agreement), agreement
    # In the tables: the KPI table's n column beside every interval, and "n=" in every
    # scorecard cell that gives one.
    for row in table_rows(html, "kpis"):
        if INTERVAL.search(row[2]):
            assert re.match(r"\d+", row[3]), row
    cells = [c for row in table_rows(html, "scorecards") for c in row if INTERVAL.search(c)]
    assert cells and all(re.search(r"\] n=\d+", c) for c in cells), cells


def test_a_chart_and_its_table_use_the_same_unit(demo_pages):
    html = demo_pages["dashboard"]
    found = charts(html)
    values = {key: [t.text for t in root.iter(f"{NS}text") if t.get("class") == "value"]
              for key, root in found.items()}
    header = table_header(html, "scorecards")
    raters = table_rows(html, "scorecards")
    for chart, column in (("gold", "Gold accuracy"), ("consensus", "Agreement with consensus")):
        cells = [row[header.index(column)] for row in raters]
        assert all(c.split()[0].endswith("%") for c in cells if not c.startswith("n/a")), cells
        assert values[chart] and all(v.split()[0].endswith("%") for v in values[chart] if v != "n/a"), values[chart]
        ticks = [t.text for g in found[chart].iter(f"{NS}g") if g.get("class") == "grid"
                 for t in g.iter(f"{NS}text")]
        assert ticks[-1] == "100", ticks  # a percent axis, not 0 … 1
    # Coefficients stay plain numbers in the chart and in the KPI table.
    kappa = [row[1] for row in table_rows(html, "kpis") if row[0].startswith("Inter-annotator agreement")]
    assert kappa and not any("%" in v for v in kappa + values["agreement"])
    assert max(float(p.get("data-value")) for p in points(found["gold"])) > 1  # percent, not a fraction


def test_label_counts_say_what_they_count(demo_pages):
    console = dict(re.findall(r"<dt>([^<]*)</dt><dd>(\d+)</dd>", demo_pages["console"]))
    everything = {k: int(v) for k, v in console.items() if "label" in k}
    (console_name, console_n), = everything.items()
    kpi = {row[0]: row[3] for row in table_rows(demo_pages["dashboard"], "kpis")}
    kpi_n, kpi_name = re.match(r"(\d+) (.+), \d+ days", kpi["Throughput"]).groups()
    card_n, card_name = re.search(r"Queue <code>helpdesk-review</code>: (\d+) (.+?)\.</p>",
                                  demo_pages["card"]).groups()
    counts = {console_name: console_n, kpi_name: int(kpi_n), card_name: int(card_n)}
    assert len(counts) == 3  # three different names ...
    assert "gold and qualification" in console_name
    assert "live and gold" in kpi_name and "in the period" in kpi_name
    assert "live labels" in card_name and "not returned" in card_name
    assert console_n >= int(kpi_n) >= int(card_n) > 0  # ... for nested sets of labels
    assert "Labels (live, gold, qualification)" in demo_pages["queues"]


# --- helpers ---------------------------------------------------------------------------

def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def points(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if "point" in (e.get("class") or "").split()]


def segments(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}rect") if e.get("class") == "point segment"]


def segment_fills(root: ET.Element) -> dict[str, set[str]]:
    fills: dict[str, set[str]] = defaultdict(set)
    for s in segments(root):
        fills[s.get("data-category")].add(s.get("fill"))
    return fills


def legend(root: ET.Element) -> list[tuple[str, str]]:
    return [(g.get("data-name"), g.find(f"{NS}rect").get("fill")) for g in root.iter(f"{NS}g")
            if g.get("class") == "legend-item"]


def _table(html: str, cls: str) -> str:
    return re.search(rf'<table class="grid {cls}">(.*?)</table>', html, flags=re.S)[1]


def _cells(row: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row, flags=re.S)]


def table_header(html: str, cls: str) -> list[str]:
    return _cells(_table(html, cls), "th")


def table_rows(html: str, cls: str) -> list[list[str]]:
    body = _table(html, cls).split("<tbody>", 1)[1]
    return [_cells(row, "td") for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]
