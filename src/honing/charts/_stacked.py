"""Label distributions side by side: per time window (drift) or per rater."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from honing.charts._answers import AnswerScale
from honing.charts._svg import (
    INK,
    MIN_WIDTH,
    MUTED,
    TITLE_H,
    Scale,
    colour,
    el,
    empty_chart,
    fit,
    fmt,
    ink_on,
    legend,
    nice_ticks,
    num,
    svg,
    text,
    text_width,
    tooltip,
    value_grid,
)

ROW_H = 30
BAR_T = 18


@dataclass(frozen=True)
class Stack:
    """One bar: counts per category. Zero, negative and NaN counts draw nothing."""

    label: str
    parts: Mapping[str, float]


def _counts(stack: Stack) -> list[tuple[str, float]]:
    return [(k, v) for k, v in stack.parts.items()
            if v is not None and math.isfinite(v) and v > 0]


def _pct(share: float) -> str:
    return fmt(share * 100) + "%"


def stacked_bar_chart(stacks: Sequence[Stack], *, title: str, normalize: bool = True,
                      scale: AnswerScale | None = None, width: int = 640) -> str:
    """Each stack one horizontal bar split into category segments, the same colour for a
    category in every stack. normalize=True scales each bar to 100%; else bars are counts.

    With `scale` (a question's answers), segments and legend follow the rubric's order,
    the legend lists every option (also those nobody chose here), and each answer takes
    the scale's colour, so it reads the same in every chart of the question."""
    stacks, width = list(stacks), max(int(width), MIN_WIDTH)
    counted = [_counts(s) for s in stacks]
    if not any(counted):
        return empty_chart(title, width)
    seen = list(dict.fromkeys(k for parts in counted for k, _ in parts))
    if scale is not None:
        categories = scale.order(seen)
        fills = {k: scale.colour(k) for k in categories}
        rank = {k: i for i, k in enumerate(categories)}
        counted = [sorted(parts, key=lambda part: rank[part[0]]) for parts in counted]
    else:  # colours follow first appearance, so a category keeps its colour across stacks
        categories = seen
        fills = {k: colour(i) for i, k in enumerate(categories)}
    legend_svg, legend_h = legend([(k, fills[k]) for k in categories], x=2, y=TITLE_H - 4,
                                  width=width)
    labels = [fit(s.label, width * 0.35) for s in stacks]
    totals = [sum(v for _, v in parts) for parts in counted]
    n_text = [f"n={fmt(t)}" for t in totals]
    left = max(48.0, max(text_width(x) for x in labels) + 18)
    right = max(text_width(x) for x in n_text) + 18
    top = TITLE_H + legend_h + 8
    bottom = top + len(stacks) * ROW_H
    # Normalized bars are measured in percent, so the axis reads 0% … 100%.
    count = max(2, min(6, int((width - left - right) // 60)))
    ticks = nice_ticks(0, 100 if normalize else max(totals), count)
    s = Scale(0.0, ticks[-1], left, width - right)
    body = [legend_svg, value_grid(s, ticks, across=(top, bottom), vertical=True,
                                   suffix="%" if normalize else "")]
    for i, (stack, label, parts, total) in enumerate(zip(stacks, labels, counted, totals)):
        c = top + (i + 0.5) * ROW_H
        body.append(text(left - 8, c + 4, label, tip=stack.label, text_anchor="end",
                         class_="category"))
        body.append(text(width - right + 8, c + 4, n_text[i], fill=MUTED, class_="total"))
        if total <= 0:
            body.append(text(left + 6, c + 4, "no data", fill=MUTED, font_style="italic"))
            continue
        body.append(_stack(stack.label, parts, total, fills, s, c, normalize))
    summary = (f"{title}: stacked bars for {len(stacks)} groups over "
               f"{len(categories)} categories")
    return svg("stacked", title, width, bottom + 28, body, summary)


def _stack(label: str, parts: list[tuple[str, float]], total: float, fills: dict[str, str],
           s: Scale, c: float, normalize: bool) -> str:
    """One bar's segments, each a rect.point carrying count, share and a tooltip."""
    out, at = [], 0.0
    for category, count in parts:
        share = count / total
        size = share * 100 if normalize else count
        x0, x1 = s(at), s(at + size)
        at += size
        fill = fills[category]
        tip = f"{label} — {category}: {fmt(count)} of {fmt(total)} ({_pct(share)})"
        out.append(el("rect", tooltip(tip), x=x0, y=c - BAR_T / 2, width=x1 - x0, height=BAR_T,
                      fill=fill, stroke="#ffffff", stroke_width=1,
                      class_="point segment", data_label=label, data_category=category,
                      data_value=num(count), data_share=num(share)))
        inside = f"{round(share * 100)}%"
        if x1 - x0 >= text_width(inside) + 8:  # label the share where it fits
            out.append(text((x0 + x1) / 2, c + 4, inside, text_anchor="middle",
                            fill=ink_on(fill), font_size=11, pointer_events="none"))
    return el("g", out, class_="stack", data_label=label, fill=INK)
