"""Lines over time: throughput per day, backlog age, a rater's metric over weekly windows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from honing.charts._svg import (
    MIN_WIDTH,
    MUTED,
    TITLE_H,
    Scale,
    colour,
    el,
    empty_chart,
    fmt,
    legend,
    nice_ticks,
    num,
    svg,
    text,
    text_width,
    tick_labels,
    tooltip,
    value_grid,
)

X = date | datetime | float


@dataclass(frozen=True)
class Series:
    """A named line. x is a date, a datetime or a number (one kind per chart); a NaN y
    leaves a gap in the line."""

    name: str
    points: Sequence[tuple[date | datetime | float, float]]


def _days(x: X) -> float:
    """x as a number on one axis: days (fractional for datetimes) or the number itself."""
    if isinstance(x, datetime):  # before date: datetime is a date subclass
        midnight = x.replace(hour=0, minute=0, second=0, microsecond=0)
        return x.toordinal() + (x - midnight).total_seconds() / 86400
    if isinstance(x, date):
        return float(x.toordinal())
    return float(x)


def _iso(x: X) -> str:
    return x.isoformat() if isinstance(x, date) else num(x)


def _at(day: float) -> datetime:
    """Back from days to a datetime, to the second: float steps of 1/24 day are inexact."""
    whole = math.floor(day)
    return datetime.fromordinal(whole) + timedelta(seconds=round((day - whole) * 86400))


def _date_ticks(lo: float, hi: float, target: int, timed: bool) -> list[float]:
    """Ticks at whole hours (only if times were given), days, weeks or month starts."""
    span = max(hi - lo, 1e-9)
    for hours in (1, 2, 3, 6, 12) if timed else ():
        step = hours / 24
        if span / step <= target:
            return [k * step for k in range(math.ceil(lo / step - 1e-9),
                                             math.floor(hi / step + 1e-9) + 1)]
    for days in (1, 2, 7, 14):
        if span / days <= target:  # aligned to the first point, so weekly windows get ticks
            first = math.ceil(lo - 1e-9)
            return [float(d) for d in range(first, math.floor(hi + 1e-9) + 1, days)]
    months = next((m for m in (1, 2, 3, 6, 12, 24, 60, 120) if span / (30.44 * m) <= target), 240)
    start, end = _at(lo), _at(hi)
    index = start.year * 12 + start.month - 1 + (start > datetime(start.year, start.month, 1))
    index += -index % months
    ticks = []
    while (t := date(index // 12, index % 12 + 1, 1).toordinal()) <= end.toordinal():
        ticks.append(float(t))
        index += months
    return ticks


def _x_axis(lo: float, hi: float, dated: bool, with_times: bool, x_label: str,
            length: float) -> tuple[float, float, list[float], list[str], str]:
    """Domain, ticks, tick labels and caption. Ticks leave out what all points share (the
    year, or the day for hourly data); the caption says it once instead."""
    target = max(2, int(length // (90 if dated else 60)))
    if not dated:
        ticks = nice_ticks(lo, hi, target)
        return ticks[0], ticks[-1], ticks, tick_labels(ticks), x_label
    ticks = _date_ticks(lo, hi, target, with_times)
    first, last = _at(lo), _at(hi)
    if lo == hi:
        lo, hi = lo - 1, hi + 1  # a single day sits in the middle
    same_year = first.year == last.year
    if any(t != math.floor(t) for t in ticks):
        one_day = first.date() == last.date()
        pattern = "%H:%M" if one_day else "%m-%d %H:%M" if same_year else "%Y-%m-%d %H:%M"
        known = first.date().isoformat() if one_day else str(first.year) if same_year else ""
    else:
        pattern, known = ("%m-%d", str(first.year)) if same_year else ("%Y-%m-%d", "")
    caption = f"{x_label} ({known})" if x_label and known else x_label or known
    return lo, hi, ticks, [_at(t).strftime(pattern) for t in ticks], caption


def line_chart(series: Sequence[Series], *, title: str, y_label: str = "", x_label: str = "",
               width: int = 640, height: int = 260) -> str:
    """One polyline per series with a circle per point, a legend, date (or number) ticks
    on x and nice ticks on y. NaN y values break the line and draw no circle."""
    series, width = list(series), max(int(width), MIN_WIDTH)
    # Sorted by x so lines run left to right; None counts as NaN (a gap), like pandas.
    pts = [sorted(((x, math.nan if y is None else float(y)) for x, y in s.points
                   if math.isfinite(_days(x))), key=lambda p: _days(p[0])) for s in series]
    xs = [_days(x) for run in pts for x, _ in run]
    ys = [y for run in pts for _, y in run if math.isfinite(y)]
    if not ys:
        return empty_chart(title, width)
    kinds = {isinstance(x, date) for run in pts for x, _ in run}
    if len(kinds) > 1:
        raise TypeError("line_chart: x values must be all dates/datetimes or all numbers")
    dated = kinds == {True}
    y_lo, y_hi = min(ys), max(ys)
    if y_lo >= 0 and y_lo <= y_hi / 2:  # counts near zero read honestly from a zero baseline
        y_lo = 0.0
    legend_svg, legend_h = legend([(s.name, colour(i)) for i, s in enumerate(series)],
                                  x=2, y=TITLE_H - 4, width=width, line=True)
    top = TITLE_H + legend_h + (14 if y_label else 6)
    height = max(height, int(top) + 140)  # a long legend must not squash the plot away
    bottom = height - 24 - (16 if x_label or dated else 0)
    y_ticks = nice_ticks(y_lo, y_hi, max(3, int((bottom - top) // 45)))
    left = max(text_width(t) for t in tick_labels(y_ticks)) + 16
    right = 18.0
    with_times = any(isinstance(x, datetime) for run in pts for x, _ in run)
    x_lo, x_hi, x_ticks, x_text, caption = _x_axis(min(xs), max(xs), dated, with_times,
                                                   x_label, width - left - right)
    sx = Scale(x_lo, x_hi, left, width - right)
    sy = Scale(y_ticks[0], y_ticks[-1], bottom, top)
    body = [legend_svg, value_grid(sy, y_ticks, across=(left, width - right), vertical=False),
            el("line", x1=left, y1=bottom, x2=width - right, y2=bottom, stroke=MUTED,
               stroke_width=1, class_="x-axis")]
    for t, label in zip(x_ticks, x_text):
        body.append(el("line", x1=sx(t), y1=bottom, x2=sx(t), y2=bottom + 4, stroke=MUTED))
        half = text_width(label) / 2  # the end labels stay inside the chart
        tx = min(max(sx(t), half + 2), width - half - 2)
        body.append(text(tx, bottom + 17, label, text_anchor="middle", fill=MUTED))
    if caption:
        body.append(text((left + width - right) / 2, height - 6, caption, text_anchor="middle",
                         fill=MUTED))
    if y_label:
        body.append(text(left - 8, top - 8, y_label, text_anchor="start", fill=MUTED,
                         class_="y-label"))
    for i, (s, run) in enumerate(zip(series, pts)):
        body.append(_series(s.name, run, colour(i), sx, sy, dated))
    summary = f"{title}: line chart of {len(series)} series, {len(ys)} points"
    return svg("line", title, width, height, body, summary)


def _series(name: str, run: list[tuple[X, float]], stroke: str, sx: Scale, sy: Scale,
            dated: bool) -> str:
    """A <g> per series: one polyline per unbroken stretch, then the point circles on top."""
    stretches: list[list[str]] = [[]]
    for x, y in run:
        if math.isfinite(y):
            stretches[-1].append(f"{sx(_days(x)):.2f},{sy(y):.2f}")
        elif stretches[-1]:
            stretches.append([])
    lines = [el("polyline", points=" ".join(s), fill="none", stroke=stroke, stroke_width=2,
                stroke_linejoin="round", stroke_linecap="round", class_="line")
             for s in stretches if len(s) > 1]
    dots = []
    for x, y in run:
        if not math.isfinite(y):
            continue
        shown = x.isoformat() if dated else fmt(float(x))  # type: ignore[union-attr,arg-type]
        dots.append(el("circle", tooltip(f"{name} — {shown}: {fmt(y)}"), cx=sx(_days(x)),
                       cy=sy(y), r=3.5, fill=stroke, stroke="#ffffff", stroke_width=1.2,
                       class_="point line-point", data_series=name, data_label=_iso(x),
                       data_x=_iso(x), data_value=num(y)))
    return el("g", [*lines, *dots], class_="series", data_series=name)
