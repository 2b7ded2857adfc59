"""honing.charts: the SVG parses, every data point is drawn where the scale puts it.

Pixel expectations are recomputed here from the rendered grid (the tick lines at the domain
ends), not from the library's Scale, so a wrong mapping cannot agree with itself."""

from __future__ import annotations

import inspect
import math
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

import honing.charts as charts
from honing.charts import PALETTE, Bar, Series, Stack, bar_chart, line_chart, stacked_bar_chart
from honing.charts._svg import esc, fmt, nice_ticks, num

NS = "{http://www.w3.org/2000/svg}"
NAN = float("nan")
HOSTILE = "<script>alert(\"x\")</script> & 'q' </svg><g class=\"point\">"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def classes(e: ET.Element) -> set[str]:
    return set(e.get("class", "").split())


def find(root: ET.Element, cls: str) -> list[ET.Element]:
    """Elements whose class list contains every class in `cls` (space separated)."""
    want = set(cls.split())
    return [e for e in root.iter() if want <= classes(e)]


def tip(e: ET.Element) -> str:
    t = e.find(f"{NS}title")
    assert t is not None, f"{e.tag} has no <title>"
    return t.text or ""


def grid_lines(root: ET.Element) -> list[ET.Element]:
    (grid,) = find(root, "grid")
    return grid.findall(f"{NS}line")


def x_of(domain: tuple[float, float], root: ET.Element):
    """Value -> x, from the first and last grid lines, which sit at the domain's ends."""
    lines = grid_lines(root)
    p0, p1 = float(lines[0].get("x1")), float(lines[-1].get("x1"))
    d0, d1 = domain
    return lambda v: p0 + (v - d0) * (p1 - p0) / (d1 - d0)


def check_root(root: ET.Element, kind: str) -> None:
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("class") == f"chart chart-{kind}"
    assert root.get("aria-label")
    _, _, w, h = map(float, root.get("viewBox").split())
    assert w > 0 and h > 0 and float(root.get("width")) == w and float(root.get("height")) == h
    assert root[0].tag == f"{NS}title" and root[0].text


RATERS = [Bar("rater1", 0.91, 0.86, 0.95, n=140), Bar("rater2", 0.81, 0.74, 0.87, n=120),
          Bar("rater3", 0.5), Bar("rater4", NAN, n=1, note="fewer than 2 gold items")]


# --- bar chart ---------------------------------------------------------------------------

def test_bar_points_carry_the_data():
    root = parse(bar_chart(RATERS, title="Gold accuracy"))
    check_root(root, "bar")
    points = find(root, "point")
    assert len(points) == len(RATERS)
    for bar, p in zip(RATERS, points):
        assert p.get("data-label") == bar.label
        if math.isnan(bar.value):
            assert p.get("data-value") == ""
        else:
            assert float(p.get("data-value")) == bar.value
        if bar.low is not None:
            assert float(p.get("data-low")) == bar.low and float(p.get("data-high")) == bar.high
        else:
            assert p.get("data-low") is None and p.get("data-high") is None
        assert p.get("data-n") == (None if bar.n is None else str(bar.n))
    assert tip(points[1]) == "rater2: 0.81 [0.74, 0.87], n=120"
    assert tip(points[2]) == "rater3: 0.5"


def test_whiskers_and_points_map_through_the_scale():
    domain = (0.0, 1.0)
    root = parse(bar_chart(RATERS, title="t", domain=domain))
    x = x_of(domain, root)
    for bar in RATERS[:2]:
        (p,) = [e for e in find(root, "point bar") if e.get("data-label") == bar.label]
        (whisker,) = find(p, "whisker")
        (dot,) = find(p, "estimate")
        x1, x2, cx = float(whisker.get("x1")), float(whisker.get("x2")), float(dot.get("cx"))
        assert x1 < cx < x2
        assert x1 == pytest.approx(x(bar.low), abs=0.02)
        assert x2 == pytest.approx(x(bar.high), abs=0.02)
        assert cx == pytest.approx(x(bar.value), abs=0.02)
        (rect,) = find(p, "bar-body")
        assert float(rect.get("x")) == pytest.approx(x(0), abs=0.02)
        assert float(rect.get("x")) + float(rect.get("width")) == pytest.approx(cx, abs=0.03)
        assert float(whisker.get("y1")) == float(whisker.get("y2")) == float(dot.get("cy"))
    # The grid itself spans the plot: from just right of the category labels to just left of
    # the value column, and the tick labels read the domain's ends.
    categories, values = find(root, "category"), find(root, "value")
    assert x(0) == pytest.approx(float(categories[0].get("x")) + 8)
    assert x(1) == pytest.approx(float(values[0].get("x")) - 10)
    ticks = [t.text for t in find(root, "grid")[0].iter(f"{NS}text")]
    assert (ticks[0], ticks[-1]) == ("0", "1")


def test_explicit_domain_keeps_its_ends():
    root = parse(bar_chart(RATERS, title="t", domain=(0.5, 1.0)))
    labels = [t.text for t in find(root, "grid")[0].iter(f"{NS}text")]
    assert labels[0] == "0.5" and labels[-1] == "1"


def test_negative_values_extend_left_of_the_zero_line():
    bars = [Bar("q1", 0.6, 0.5, 0.7), Bar("q2", -0.3, -0.45, -0.1), Bar("q3", -0.05)]
    root = parse(bar_chart(bars, title="Kappa per question", domain=(-1.0, 1.0)))
    (zero,) = find(root, "zero")
    zx = float(zero.get("x1"))
    assert zx == float(zero.get("x2")) == pytest.approx(x_of((-1.0, 1.0), root)(0), abs=0.02)
    rects = {p.get("data-label"): find(p, "bar-body")[0] for p in find(root, "point bar")}
    for label in ("q2", "q3"):
        r = rects[label]
        assert float(r.get("x")) < zx
        assert float(r.get("x")) + float(r.get("width")) == pytest.approx(zx, abs=0.02)
    assert float(rects["q1"].get("x")) == pytest.approx(zx, abs=0.02)


def test_default_domain_is_zero_to_one_for_proportions_and_grows_otherwise():
    def tick_labels(svg: str) -> list[str]:
        return [t.text for t in find(parse(svg), "grid")[0].iter(f"{NS}text")]

    assert tick_labels(bar_chart(RATERS, title="t")) == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    kappa = tick_labels(bar_chart([Bar("a", 0.7, 0.6, 0.8), Bar("b", -0.3, -0.45, 0.1)],
                                  title="t"))
    assert kappa[0] == "-0.6" and kappa[-1] == "0.8" and "0" in kappa
    counts = tick_labels(bar_chart([Bar("a", 37), Bar("b", 12)], title="t"))
    assert counts[0] == "0" and float(counts[-1]) >= 37


def test_nan_bar_is_drawn_as_missing_with_its_note():
    root = parse(bar_chart(RATERS, title="t"))
    (missing,) = find(root, "point missing")
    assert missing.get("class") == "point missing"
    assert missing.get("data-value") == "" and missing.get("data-label") == "rater4"
    assert tip(missing) == "rater4: n/a, n=1 — fewer than 2 gold items"
    (box,) = missing.findall(f"{NS}rect")
    assert float(box.get("width")) > 100 and float(box.get("height")) > 0
    assert "n/a" in "".join(missing.itertext())


def test_all_nan_bars_still_render_rows():
    root = parse(bar_chart([Bar("a", NAN), Bar("b", NAN, note="why")], title="t"))
    assert len(find(root, "point missing")) == 2


def test_reference_line_is_dashed_at_the_target():
    root = parse(bar_chart(RATERS, title="t", domain=(0, 1), reference=0.8,
                           reference_label="target"))
    (ref,) = find(root, "reference")
    line = ref.find(f"{NS}line")
    assert line.get("stroke-dasharray")
    assert float(line.get("x1")) == pytest.approx(x_of((0, 1), root)(0.8), abs=0.02)
    assert "target" in "".join(ref.itertext())


def test_default_domain_includes_the_reference():
    root = parse(bar_chart([Bar("a", 3.0)], title="t", reference=5.0))
    assert find(root, "reference")


def test_long_labels_are_truncated_with_the_full_text_in_a_title():
    long = "a label far longer than twenty-eight characters"
    root = parse(bar_chart([Bar(long, 0.5)], title="t"))
    (label,) = find(root, "category")
    shown = "".join(t for t in [label.text, *(c.tail for c in label)] if t)
    assert shown.endswith("…") and len(shown) <= 28
    assert tip(label) == long


def test_vertical_bars():
    bars = [Bar("q1", 0.6, 0.5, 0.7), Bar("q2", -0.3, -0.45, -0.1), Bar("q3", NAN)]
    root = parse(bar_chart(bars, title="t", horizontal=False, unit="κ"))
    check_root(root, "bar")
    assert len(find(root, "point")) == 3
    for p in find(root, "point bar"):
        (w,) = find(p, "whisker")
        (dot,) = find(p, "estimate")
        # y grows downwards: the low end is drawn below the point, the high end above.
        assert float(w.get("y1")) > float(dot.get("cy")) > float(w.get("y2"))
    (zero,) = find(root, "zero")
    q2 = [p for p in find(root, "point bar") if p.get("data-label") == "q2"][0]
    assert float(find(q2, "bar-body")[0].get("y")) == pytest.approx(float(zero.get("y1")), abs=0.02)


# --- hostile text, empty input, output hygiene ------------------------------------------

def all_charts(label: str = "x") -> list[str]:
    return [
        bar_chart([Bar(label, 0.5, 0.4, 0.6, note=label)], title=label, unit=label,
                  reference=0.5, reference_label=label),
        bar_chart([Bar(label, 0.5)], title=label, horizontal=False, unit=label),
        line_chart([Series(label, [(date(2024, 1, 1), 1.0), (date(2024, 1, 2), 2.0)])],
                   title=label, y_label=label, x_label=label),
        stacked_bar_chart([Stack(label, {label: 3, "b": 1})], title=label),
    ]


def test_hostile_text_is_escaped_and_creates_no_elements():
    for svg in all_charts(HOSTILE):
        root = parse(svg)
        tags = {e.tag.removeprefix(NS) for e in root.iter()}
        assert tags <= {"svg", "title", "text", "g", "rect", "line", "circle", "polyline"}
        assert len(find(root, "point")) in (1, 2)
        assert HOSTILE in [e.get("data-label") for e in find(root, "point")] or \
            HOSTILE in [e.get("data-series") for e in find(root, "point")]
        assert root[0].text == HOSTILE
        assert "<script" not in svg


def test_invalid_xml_characters_do_not_break_parsing():
    parse(bar_chart([Bar("bad\x00\x1b[31m\ud800", 0.5)], title="t\x0c"))


def test_output_is_self_contained():
    for svg in all_charts():
        rest = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        for banned in ("http:", "https:", "href", "url(", "<script", "@import", "<image",
                       "<foreignObject", "onload", "onclick"):
            assert banned not in rest


@pytest.mark.parametrize("render", [
    lambda: bar_chart([], title="Nothing"),
    lambda: line_chart([], title="Nothing"),
    lambda: line_chart([Series("a", [])], title="Nothing"),
    lambda: line_chart([Series("a", [(date(2024, 1, 1), NAN)])], title="Nothing"),
    lambda: stacked_bar_chart([], title="Nothing"),
    lambda: stacked_bar_chart([Stack("w1", {}), Stack("w2", {"a": 0})], title="Nothing"),
])
def test_empty_input_gives_the_empty_chart(render):
    root = parse(render())
    check_root(root, "empty")
    assert "no data" in "".join(root.itertext())
    assert not find(root, "point")


# --- line chart ----------------------------------------------------------------------------

DAY0 = date(2024, 3, 1)


def test_line_points_and_gaps():
    ys = [1.0, 2.0, NAN, 4.0, 5.0, 6.0]
    a = Series("throughput", [(DAY0 + timedelta(i), y) for i, y in enumerate(ys)])
    b = Series("backlog", [(DAY0 + timedelta(i), 10.0 - i) for i in range(6)])
    root = parse(line_chart([a, b], title="Per day", y_label="items", x_label="day"))
    check_root(root, "line")
    points = find(root, "point line-point")
    assert len(points) == len(find(root, "point")) == 5 + 6
    got = [(p.get("data-series"), p.get("data-x"), float(p.get("data-value"))) for p in points]
    want = [(s.name, x.isoformat(), y) for s in (a, b) for x, y in s.points if not math.isnan(y)]
    assert got == want
    series = {g.get("data-series"): g for g in find(root, "series")}
    lines = series["throughput"].findall(f"{NS}polyline")
    assert len(lines) == 2  # the NaN breaks the line
    assert [len(p.get("points").split()) for p in lines] == [2, 3]
    assert len(series["backlog"].findall(f"{NS}polyline")) == 1
    # Vertices sit on the circles, and later dates are further right.
    first = [float(c) for v in lines[0].get("points").split() for c in v.split(",")]
    circles = [float(p.get(a)) for p in points[:2] for a in ("cx", "cy")]
    assert first == pytest.approx(circles, abs=0.01)
    xs = [float(p.get("cx")) for p in points[5:]]
    assert xs == sorted(xs) and len(set(xs)) == 6
    assert tip(points[0]) == "throughput — 2024-03-01: 1"
    assert [e.get("data-name") for e in find(root, "legend-item")] == ["throughput", "backlog"]


def test_line_y_positions_follow_the_value():
    s = Series("m", [(DAY0 + timedelta(7 * i), y) for i, y in enumerate([0.2, 0.8, 0.5])])
    points = find(parse(line_chart([s], title="t")), "point")
    cy = {float(p.get("data-value")): float(p.get("cy")) for p in points}
    assert cy[0.8] < cy[0.5] < cy[0.2]
    # Linear: the middle value lands halfway.
    assert cy[0.5] == pytest.approx((cy[0.2] + cy[0.8]) / 2, abs=0.02)


def test_date_ticks_drop_the_year_only_within_one_year():
    def tick_texts(start: date, days: int) -> list[str]:
        s = Series("s", [(start + timedelta(i), float(i)) for i in range(days)])
        root = parse(line_chart([s], title="t"))
        return [t.text for t in root.iter(f"{NS}text") if t.text and t.text[:1].isdigit()
                and "-" in t.text]

    within = tick_texts(date(2024, 3, 1), 30)
    assert within and all(len(t) == 5 for t in within)  # MM-DD
    across = tick_texts(date(2023, 12, 20), 30)
    assert across and all(len(t) == 10 for t in across)  # YYYY-MM-DD
    long = tick_texts(date(2022, 1, 15), 800)
    assert long and all(t.endswith("-01") for t in long)  # month starts


def test_line_chart_with_numbers_and_datetimes():
    numeric = parse(line_chart([Series("n", [(4, NAN), (2.5, 0.7), (1, 0.5), (5, None)])],
                               title="t"))
    assert [p.get("data-x") for p in find(numeric, "point")] == ["1", "2.5"]  # sorted by x
    at = datetime(2024, 5, 1, 9, 30)
    timed = parse(line_chart([Series("h", [(at + timedelta(hours=i), i) for i in range(5)])],
                             title="t"))
    assert find(timed, "point")[0].get("data-x") == "2024-05-01T09:30:00"
    single = parse(line_chart([Series("one", [(DAY0, 3.0)])], title="t"))
    assert len(find(single, "point")) == 1


def test_hourly_ticks_fall_on_whole_hours_and_name_the_day_once():
    start = datetime(2024, 5, 1, 8, 0)
    s = Series("latency", [(start + timedelta(minutes=20 * i), float(i)) for i in range(30)])
    root = parse(line_chart([s], title="t", x_label="time"))
    ticks = [t.text for t in root.iter(f"{NS}text") if t.text and t.text[2:3] == ":"]
    assert ticks and all(t.endswith(":00") for t in ticks)
    assert any(t.text == "time (2024-05-01)" for t in root.iter(f"{NS}text"))


def test_tick_labels_share_one_style():
    root = parse(bar_chart([Bar("mon", 1234), Bar("tue", 15678, 14000, 17000)], title="t"))
    labels = [t.text for t in find(root, "grid")[0].iter(f"{NS}text")]
    assert labels[0] == "0" and all(t.endswith("k") for t in labels[1:])


@pytest.mark.parametrize("width", [100, 240, 320, 640, 1200])
def test_every_width_keeps_points_inside_and_ticks_apart(width):
    long = [Bar(f"question {i}: " + "word " * i, 0.1 * i - 0.2, 0.1 * i - 0.3, 0.1 * i - 0.1,
                n=10 ** i) for i in range(6)]
    rendered = [bar_chart(long, title="t" * 80, width=width, reference=0.3),
                bar_chart(long, title="t", width=width, horizontal=False),
                line_chart([Series(f"s{i}", [(DAY0 + timedelta(d), d * i) for d in range(60)])
                            for i in range(9)], title="t", width=width),
                stacked_bar_chart([Stack("s", {f"c{i}": i + 1 for i in range(9)})], title="t",
                                  width=width)]
    for svg in rendered:
        root = parse(svg)
        _, _, w, h = map(float, root.get("viewBox").split())
        assert w >= min(width, 240)
        for p in find(root, "point"):
            for shape in p.iter():
                for a in ("x", "cx", "x1", "x2"):
                    if shape.get(a) is not None:
                        assert -0.01 <= float(shape.get(a)) <= w + 0.01
                for a in ("y", "cy", "y1", "y2"):
                    if shape.get(a) is not None:
                        assert -0.01 <= float(shape.get(a)) <= h + 0.01
        grid = find(root, "grid")
        if grid and grid[0].find(f"{NS}line").get("x1") != grid[0].find(f"{NS}line").get("x2"):
            continue  # horizontal grid lines: labels stacked vertically, 40px or more apart
        if grid:
            xs = [float(line.get("x1")) for line in grid[0].iter(f"{NS}line")]
            texts = [t.text for t in grid[0].iter(f"{NS}text")]
            for (x0, t0), (x1, t1) in zip(zip(xs, texts), zip(xs[1:], texts[1:])):
                assert x1 - x0 >= 7.5 * (len(t0) + len(t1)) / 2 + 4, (t0, t1)


# --- stacked bars --------------------------------------------------------------------------

WEEKS = [Stack("week 1", {"positive": 50, "neutral": 30, "negative": 20}),
         Stack("week 2", {"negative": 5, "positive": 70, "skip": 25}),
         Stack("week 3", {"neutral": 1, "positive": 0, "negative": NAN})]


def test_stacked_segments_shares_and_colours():
    root = parse(stacked_bar_chart(WEEKS, title="Labels per week"))
    check_root(root, "stacked")
    segments = find(root, "point segment")
    assert len(segments) == len(find(root, "point")) == 3 + 3 + 1
    by_stack: dict[str, list[ET.Element]] = {}
    for s in segments:
        by_stack.setdefault(s.get("data-label"), []).append(s)
        stack = next(w for w in WEEKS if w.label == s.get("data-label"))
        assert float(s.get("data-value")) == stack.parts[s.get("data-category")]
    for segs in by_stack.values():
        assert sum(float(s.get("data-share")) for s in segs) == pytest.approx(1.0)
        # Segments tile the full bar: each starts where the previous ended.
        for prev, nxt in zip(segs, segs[1:]):
            end = float(prev.get("x")) + float(prev.get("width"))
            assert float(nxt.get("x")) == pytest.approx(end, abs=0.02)
    widths = {label: sum(float(s.get("width")) for s in segs) for label, segs in by_stack.items()}
    assert len({round(w, 1) for w in widths.values()}) == 1  # normalized: all full width
    fills: dict[str, set[str]] = {}
    for s in segments:
        fills.setdefault(s.get("data-category"), set()).add(s.get("fill"))
    assert all(len(f) == 1 for f in fills.values())
    assert len({f.pop() for f in fills.values()}) == len(fills)  # and categories differ
    assert tip(segments[0]) == "week 1 — positive: 50 of 100 (50%)"


def test_stacked_counts_are_proportional_when_not_normalized():
    root = parse(stacked_bar_chart(WEEKS[:2], title="t", normalize=False))
    width = {}
    for s in find(root, "point segment"):
        width[s.get("data-label")] = width.get(s.get("data-label"), 0) + float(s.get("width"))
    ratio = width["week 1"] / width["week 2"]
    assert ratio == pytest.approx(100 / 100)
    one = {s.get("data-category"): float(s.get("width")) for s in find(root, "point segment")
           if s.get("data-label") == "week 1"}
    assert one["positive"] / one["negative"] == pytest.approx(50 / 20, rel=1e-3)


def test_many_categories_get_distinct_colours():
    parts = {f"c{i}": i + 1 for i in range(24)}
    root = parse(stacked_bar_chart([Stack("s", parts)], title="t"))
    fills = [s.get("fill") for s in find(root, "point")]
    assert len(fills) == len(set(fills)) == 24
    assert fills[:8] == list(PALETTE)


# --- helpers and public surface ------------------------------------------------------------

def test_number_formatting_and_escaping():
    assert [fmt(v) for v in (0.8123, 0.81, 120, 1.23456, 0.01234, -0.0, 12345, -0.35)] == \
        ["0.812", "0.81", "120", "1.23", "0.0123", "0", "12.3k", "-0.35"]
    assert num(0.1 + 0.2) == repr(0.1 + 0.2) and num(120) == "120" and num(NAN) == ""
    assert esc("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert nice_ticks(-0.35, 0.8) == [-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8]
    assert nice_ticks(0, 128)[-1] == 140


def test_palette_is_okabe_ito():
    assert {"#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"} <= set(PALETTE)


def test_all_matches_public_names():
    public = {n for n, v in vars(charts).items()
              if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert set(charts.__all__) == public


def test_smoke_html_page(tmp_path):
    """Every chart inlined into one minimal HTML page, as a report would do."""
    svgs = all_charts("rater <1> & co") + [bar_chart(RATERS, title="Gold accuracy",
                                                     reference=0.8, reference_label="target")]
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>charts</title></head>"
            "<body>" + "".join(f"<figure>{s}</figure>" for s in svgs) + "</body></html>")
    out = tmp_path / "charts.html"
    out.write_text(page, encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    assert text.count("<svg ") == len(svgs)
    for s in svgs:
        parse(s)
