"""Point estimates with interval whiskers, one per category.

E.g. agreement per question with bootstrap intervals, or gold accuracy per rater with Wilson
intervals. Bars start at zero so negative coefficients (kappa, alpha) read as negative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from honing.charts._svg import (
    AXIS,
    INK,
    MIN_WIDTH,
    MUTED,
    PALETTE,
    TITLE_H,
    Scale,
    el,
    empty_chart,
    fit,
    fmt,
    nice_ticks,
    num,
    svg,
    text,
    text_width,
    tick_labels,
    tooltip,
    value_grid,
)

if TYPE_CHECKING:
    from honing.stats import Estimate

ROW_H = 28  # one category per row when horizontal
BAR_T = 14  # bar thickness when horizontal
PLOT_H = 220  # length of the value axis when vertical
FILL = PALETTE[0]
REFERENCE = PALETTE[3]  # vermillion: stands apart from the blue bars


@dataclass(frozen=True)
class Bar:
    """One category: a point estimate, optionally its interval, sample size and a note.

    A NaN value means the statistic is undefined; `note` says why (shown in the tooltip)."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    n: int | None = None
    note: str | None = None

    @classmethod
    def of(cls, label: str, estimate: Estimate) -> Bar:
        """An estimate with its interval and n; an undefined one keeps its reason as the note."""
        low = None if math.isnan(estimate.low) else estimate.low
        high = None if math.isnan(estimate.high) else estimate.high
        return cls(label=label, value=estimate.value, low=low, high=high, n=estimate.n, note=estimate.reason)


def _defined(bar: Bar) -> bool:
    return bar.value is not None and math.isfinite(bar.value)


def _interval(bar: Bar) -> tuple[float, float] | None:
    """Both ends, finite and ordered, or no interval at all: half a whisker would mislead."""
    if bar.low is None or bar.high is None:
        return None
    lo, hi = float(bar.low), float(bar.high)
    return (min(lo, hi), max(lo, hi)) if math.isfinite(lo) and math.isfinite(hi) else None


def _with_unit(v: float, unit: str) -> str:
    return fmt(v) + (unit if not unit or unit.startswith("%") else f" {unit}")


def _value_text(bar: Bar, unit: str, *, with_interval: bool = True, with_n: bool = True) -> str:
    """E.g. "0.81 [0.74, 0.87] n=120": an interval is never shown without its n, since
    its width means little without it."""
    if not _defined(bar):
        return "n/a"
    iv = _interval(bar)
    shown = _with_unit(bar.value, unit)
    if not (iv and with_interval):
        return shown
    return f"{shown} [{fmt(iv[0])}, {fmt(iv[1])}]" + ("" if bar.n is None or not with_n else f" n={bar.n}")


def _tooltip(bar: Bar, unit: str) -> str:
    """E.g. "rater2: 0.81 [0.74, 0.87] n=120", then " — note" when there is one."""
    tip = f"{bar.label}: {_value_text(bar, unit, with_n=False)}"
    if bar.n is not None:
        tip += f", n={bar.n}"
    return tip + (f" — {bar.note}" if bar.note else "")


Extent = tuple[float, float, bool]  # low, high, and whether the caller fixed them


def _extent(bars: Sequence[Bar], domain: tuple[float, float] | None,
            reference: float | None) -> Extent:
    """The caller's domain, or [min(0, lowest), 1 if all in [0, 1] else highest]."""
    if domain is not None:
        d0, d1 = sorted(map(float, domain))
        return d0, d1, True
    values = [v for b in bars if _defined(b) for v in (b.value, *(_interval(b) or ()))]
    if reference is not None and math.isfinite(reference):
        values.append(reference)  # a target off the scale would silently vanish
    lo = min([0.0, *values])
    hi = 1.0 if all(0 <= v <= 1 for v in values) else max([0.0, *values])
    return lo, hi, False


def _axis(extent: Extent, length: float, spacing: float) -> tuple[float, float, list[float]]:
    """Domain ends and ticks, as many as fit `length` pixels at about `spacing` apart.

    A fixed domain keeps its ends (ticks inside it); a default one is padded to nice ticks."""
    lo, hi, fixed = extent
    ticks = nice_ticks(lo, hi, max(2, min(6, int(length // spacing))))
    if fixed:
        return lo, hi, [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
    return ticks[0], ticks[-1], ticks


def _xy(horizontal: bool, along: float, across: float) -> tuple[float, float]:
    """(x, y) from a value-axis and a category-axis coordinate."""
    return (along, across) if horizontal else (across, along)


def _rect(h: bool, p0: float, p1: float, c: float, t: float, **attrs: object) -> str:
    x, y = _xy(h, min(p0, p1), c - t / 2)
    w, ht = _xy(h, abs(p1 - p0), t)
    return el("rect", x=x, y=y, width=w, height=ht, **attrs)


def _seg(h: bool, p0: float, p1: float, c0: float, c1: float, **attrs: object) -> str:
    (x1, y1), (x2, y2) = _xy(h, p0, c0), _xy(h, p1, c1)
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def _point(bar: Bar, s: Scale, c: float, h: bool, unit: str, t: float) -> str:
    """One category's mark: a <g class="point …"> holding the data, tooltip and shapes."""
    data = {"data_label": bar.label, "data_n": None if bar.n is None else str(bar.n)}
    if not _defined(bar):  # still a visible row, so a missing statistic is not overlooked
        box = _rect(h, s.r0, s.r1, c, t, fill="#f9fafb", stroke="#d1d5db",
                    stroke_dasharray="3 3")
        mid = (s.r0 + s.r1) / 2
        tx, ty = (mid, c + 4) if h else (c, mid + 4)
        na = text(tx, ty, "n/a", text_anchor="middle", fill=MUTED, font_style="italic")
        return el("g", [tooltip(_tooltip(bar, unit)), box, na], class_="point missing",
                  data_value="", **data)
    pv, base = s.clamped(bar.value), s.clamped(0.0)  # a bar grows from zero (or the edge)
    shapes = [_rect(h, base, pv, c, t, fill=FILL, fill_opacity=0.28, class_="bar-body")]
    iv = _interval(bar)
    if iv:
        p_lo, p_hi = s.clamped(iv[0]), s.clamped(iv[1])
        shapes.append(_seg(h, p_lo, p_hi, c, c, stroke=INK, stroke_width=1.5, class_="whisker"))
        shapes += [_seg(h, p, p, c - 5, c + 5, stroke=INK, stroke_width=1.5, class_="cap")
                   for p in (p_lo, p_hi)]
    cx, cy = _xy(h, pv, c)
    shapes.append(el("circle", cx=cx, cy=cy, r=4.5, fill=FILL, stroke="#ffffff",
                     stroke_width=1.5, class_="estimate"))
    return el("g", [tooltip(_tooltip(bar, unit)), *shapes], class_="point bar",
              data_value=num(bar.value), data_low=num(iv[0]) if iv else None,
              data_high=num(iv[1]) if iv else None, **data)


def _reference(value: float, label: str, s: Scale, h: bool, ends: tuple[float, float],
               width: float) -> str:
    """A dashed line across the plot at a target value, labelled at its outer end."""
    p = s(value)
    # "target (0.8)", unless the label already names a number ("90% target", "0.667 ...").
    shown = (label if any(ch.isdigit() for ch in label) else f"{label} ({fmt(value)})") \
        if label else fmt(value)
    line = _seg(h, p, p, ends[0], ends[1], stroke=REFERENCE, stroke_width=1.5,
                stroke_dasharray="5 4")
    half = text_width(shown) / 2
    if h:  # label centred above the line, kept inside the chart
        x = min(max(p, half + 2), width - half - 2)
        tag = text(x, ends[0] - 5, shown, text_anchor="middle", fill=REFERENCE)
    else:
        tag = text(ends[1], p - 5, shown, text_anchor="end", fill=REFERENCE)
    return el("g", [tooltip(f"{label or 'reference'}: {fmt(value)}"), line, tag],
              class_="reference", data_value=num(value))


def _zero(s: Scale, h: bool, ends: tuple[float, float]) -> str:
    if not min(s.d0, s.d1) <= 0 <= max(s.d0, s.d1):
        return ""
    return _seg(h, s(0.0), s(0.0), ends[0], ends[1], stroke=AXIS, stroke_width=1.2,
                class_="zero")


def _horizontal(bars: Sequence[Bar], extent: Extent, unit: str,
                ref: float | None, ref_label: str, width: int) -> tuple[list[str], float]:
    labels = [fit(b.label, width * 0.4) for b in bars]
    left = max(48.0, max(text_width(x) for x in labels) + 18)
    # The value column: with intervals if they fit, else values only, else none (tooltips).
    for values in ([_value_text(b, unit) for b in bars],
                   [_value_text(b, unit, with_interval=False) for b in bars], [""] * len(bars)):
        right = max(28.0, max(text_width(v) for v in values) + 18)
        if right <= width * 0.34:  # "0.518 [0.387, 0.625] n=1260" fits at 640 px
            break
    top = TITLE_H + (20 if ref is not None else 0) + 6
    bottom = top + len(bars) * ROW_H
    d = _axis(extent, width - left - right, 60)
    s = Scale(d[0], d[1], left, width - right)
    body = [value_grid(s, d[2], across=(top, bottom), vertical=True), _zero(s, True, (top, bottom))]
    if ref is not None and s.d0 <= ref <= s.d1:  # drawn first so the points stay on top
        body.append(_reference(ref, ref_label, s, True, (top - 4, bottom), width))
    for i, (bar, label, value) in enumerate(zip(bars, labels, values)):
        c = top + (i + 0.5) * ROW_H
        body.append(text(left - 8, c + 4, label, tip=bar.label, text_anchor="end",
                         class_="category"))
        body.append(_point(bar, s, c, True, unit, BAR_T))
        body.append(text(width - right + 10, c + 4, value, fill=INK if _defined(bar) else MUTED,
                         class_="value"))
    if unit:
        body.append(text((s.r0 + s.r1) / 2, bottom + 34, unit, text_anchor="middle", fill=MUTED))
    return body, bottom + 24 + (16 if unit else 0)


def _vertical(bars: Sequence[Bar], extent: Extent, unit: str,
              ref: float | None, ref_label: str, width: int) -> tuple[list[str], float]:
    d = _axis(extent, PLOT_H, 40)
    left = max(text_width(t) for t in tick_labels(d[2])) + 16
    right = 16.0
    band = (width - left - right) / len(bars)
    labels = [fit(b.label, band - 6) for b in bars]
    rotate = any(lab != b.label and len(lab) < 10 for lab, b in zip(labels, bars))
    if rotate:  # slanted labels have room for more text than the column is wide
        labels = [fit(b.label, 150) for b in bars]
    top = TITLE_H + (22 if unit else 0) + 8
    bottom = top + PLOT_H
    s = Scale(d[0], d[1], bottom, top)
    body = [value_grid(s, d[2], across=(left, width - right), vertical=False),
            _zero(s, False, (left, width - right))]
    if ref is not None and s.d0 <= ref <= s.d1:  # drawn first so the points stay on top
        body.append(_reference(ref, ref_label, s, False, (left, width - right), width))
    if unit:
        body.append(text(left - 6, top - 16, unit, text_anchor="end", fill=MUTED,
                         class_="unit"))
    for i, (bar, label) in enumerate(zip(bars, labels)):
        c = left + (i + 0.5) * band
        body.append(_point(bar, s, c, False, unit, min(36.0, band * 0.6)))
        if band >= 40 and _defined(bar):  # value beyond the whisker's outer end
            lo, hi = _interval(bar) or (bar.value, bar.value)
            y = (min(s.clamped(bar.value), s.clamped(hi)) - 9 if bar.value >= 0 else
                 max(s.clamped(bar.value), s.clamped(lo)) + 18)
            body.append(text(c, y, fmt(bar.value), text_anchor="middle", fill=INK,
                             class_="value"))
        attrs = {"transform": f"rotate(-40 {c:.2f} {bottom + 12})"} if rotate else {}
        body.append(text(c, bottom + (12 if rotate else 16), label, tip=bar.label,
                         text_anchor="end" if rotate else "middle", class_="category", **attrs))
    depth = max(text_width(x) for x in labels) * math.sin(math.radians(40)) + 16 if rotate else 22
    return body, bottom + depth + 6


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "",
              domain: tuple[float, float] | None = None, reference: float | None = None,
              reference_label: str = "", horizontal: bool = True, width: int = 640) -> str:
    """A point estimate per category, with an interval whisker where low/high are given.

    NaN values draw as an "n/a" row (class "point missing"). The default domain is
    [min(0, lowest), 1] when every number lies in [0, 1], else [min(0, lowest), highest],
    padded out to nice ticks; an explicit `domain` is kept as given, and whiskers or a
    `reference` beyond it stop at (or, for the reference, are left off) the plot's edge.
    `reference` adds a dashed line at e.g. a 0.8 target, labelled `reference_label`."""
    bars, width = list(bars), max(int(width), MIN_WIDTH)
    if not bars:
        return empty_chart(title, width)
    draw = _horizontal if horizontal else _vertical
    extent = _extent(bars, domain, reference)
    body, height = draw(bars, extent, unit, reference, reference_label, width)
    missing = sum(not _defined(b) for b in bars)
    summary = f"{title}: bar chart of {len(bars)} values" + (
        f", {missing} undefined" if missing else "")
    return svg("bar", title, width, height, [b for b in body if b], summary)
