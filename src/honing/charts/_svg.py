"""SVG building blocks shared by the charts: escaping, numbers, scales, ticks, palette, frame.

Everything returns strings: the charts are concatenated markup, with no DOM and no
dependencies, so a given input always renders to the same bytes."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 12
INK = "#1f2937"  # body text
MUTED = "#6b7280"  # tick labels, captions, "n/a"
GRID = "#e5e7eb"  # light grid lines
AXIS = "#9ca3af"  # the zero line
TITLE_H = 30  # room for the visible heading
MIN_WIDTH = 240  # narrower leaves no room for a plot between labels and values

# Okabe & Ito (2008), "Color Universal Design": tells apart under the common colour-vision
# deficiencies. Yellow comes last because it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

# Characters XML 1.0 forbids even as references: one stray control byte in a user label
# would otherwise make the whole page unparsable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _mix(hex_colour: str, other: str, t: float) -> str:
    a = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b))


def colour(index: int) -> str:
    """The colour for the index-th category or series.

    Past eight, the hues come back as light tints, then as dark shades, so that the first
    24 categories never share a colour (black, which has no shade, turns dark grey)."""
    base = PALETTE[index % len(PALETTE)]
    cycle = index // len(PALETTE) % 3
    if cycle == 1:
        return _mix(base, "#FFFFFF", 0.45)
    if cycle == 2:
        return _mix(base, "#000000", 0.35) if base != "#000000" else _mix(base, "#FFFFFF", 0.3)
    return base


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""
    channels = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(fill: str) -> str:
    """White on fills where it reaches a WCAG contrast of 3.3 (blue, green, vermillion,
    black), else body ink (orange, sky blue, yellow, pink, the light tints)."""
    return "#FFFFFF" if 1.05 / (_luminance(fill) + 0.05) >= 3.3 else INK


def esc(text: object) -> str:
    """Escape for both element content and double- or single-quoted attributes."""
    s = _NOT_XML.sub("\ufffd", str(text))
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def fmt(v: float) -> str:
    """A number for people: three significant digits, integer part kept, no trailing zeros."""
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    a = abs(v)
    if a >= 1e4:  # throughput counts: 12.3k reads better than 12345 on a tick
        for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return fmt(v / div) + suffix
    decimals = 0 if a == 0 else min(12, max(0, 2 - math.floor(math.log10(a))))
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def tick_labels(ticks: Sequence[float], suffix: str = "") -> list[str]:
    """Tick labels in one style: all in thousands once any reaches 10k (not 8000, 10k)."""
    big = any(abs(t) >= 1e4 for t in ticks)
    return [(fmt(t / 1000) + "k" if big and t else fmt(t)) + suffix for t in ticks]


def num(v: float | int | None) -> str:
    """A number for machines (data-* attributes): round-trips exactly; "" when undefined."""
    if v is None or isinstance(v, float) and not math.isfinite(v):
        return ""
    return str(v) if isinstance(v, int) else repr(float(v))


def px(v: float) -> str:
    """A pixel coordinate: two decimals are far below what a screen can show."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width, in em classes measured on DejaVu Sans (the wide Linux
    fallback for system-ui): margins come from this, so it errs on the wide side."""
    total = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch in "mwMW@%…":
            total += 1.0
        elif ch in "<>=+~#&":
            total += 0.84
        elif ch in "iljI.,:;'|!":
            total += 0.32
        elif ch in "ftr()[]{}- ":
            total += 0.4
        elif ch.isupper():
            total += 0.72
        elif ch.isdigit():
            total += 0.64
        else:
            total += 0.6
    return total * size


def fit(text: str, max_px: float, limit: int = 28) -> str:
    """Truncate with an ellipsis to at most `limit` characters and about `max_px` wide."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    while len(text) > 2 and text_width(text) > max_px:
        text = text[:-2].rstrip() + "…"
    return text


@dataclass(frozen=True)
class Scale:
    """Linear map from the domain [d0, d1] onto pixels [r0, r1] (r1 < r0 flips an axis)."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, v: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (v - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)

    def clamped(self, v: float) -> float:
        """Like calling the scale, but values outside the domain stop at the plot's edge."""
        return self(min(max(v, min(self.d0, self.d1)), max(self.d0, self.d1)))


def nice_step(span: float, count: int = 5) -> float:
    """1, 2 or 5 times a power of ten, nearest (geometrically) to span / count."""
    raw = span / max(count, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    ratio = raw / mag
    # Thresholds at the geometric midpoints (as d3 does): 0..1.15 gets 0.2 steps, not 0.5.
    m = 10 if ratio >= math.sqrt(50) else 5 if ratio >= math.sqrt(10) else \
        2 if ratio >= math.sqrt(2) else 1
    return m * mag


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round ticks covering [lo, hi], e.g. 0, 0.2 … 1; the ends make a padded domain."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:  # one distinct value: span it to zero, as a bar would
        lo, hi = (0.0, hi) if lo > 0 else (lo, 0.0) if lo < 0 else (0.0, 1.0)
    step = nice_step(hi - lo, count)
    # The epsilon keeps float noise (0.6000000000000001) from adding a whole extra tick.
    start = math.floor(lo / step + 1e-9)
    stop = math.ceil(hi / step - 1e-9)
    return [float(f"{k * step:.12g}") + 0.0 for k in range(start, stop + 1)]


def el(tag: str, body: str | Iterable[str] = "", /, **attrs: object) -> str:
    """An element. Body is markup (escape text first); attribute values are escaped here.

    Keyword names map to attributes: a trailing underscore is dropped (class_) and other
    underscores become hyphens (data_value, stroke_dasharray). None omits the attribute."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        shown = px(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else esc(value)
        parts.append(f'{name}="{shown}"')
    inner = body if isinstance(body, str) else "".join(body)
    return f"<{' '.join(parts)}>{inner}</{tag}>" if inner else f"<{' '.join(parts)}/>"


def tooltip(text: str) -> str:
    """A <title> child: the browser's native tooltip, and the accessible name."""
    return el("title", esc(text))


def text(x: float, y: float, content: str, *, tip: str | None = None, **attrs: object) -> str:
    """A text element with escaped content; `tip` adds a tooltip (e.g. an untruncated label)."""
    body = (tooltip(tip) if tip and tip != content else "") + esc(content)
    return el("text", body, x=x, y=y, **attrs)


def svg(kind: str, heading: str, width: float, height: float, body: Iterable[str],
        summary: str) -> str:
    """The chart root: accessible name and title, system fonts, scales down in narrow pages."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart chart-{esc(kind)}"'
            f' viewBox="0 0 {px(width)} {px(height)}" width="{px(width)}" height="{px(height)}"'
            f' aria-label="{esc(summary)}" font-family="{esc(FONT_STACK)}"'
            f' font-size="{FONT_SIZE}" fill="{INK}">')  # sized by the page's CSS (svg.chart)
    # 14px bold runs about 1.25 times as wide as the 12px text_width measures.
    visible = text(0, 18, fit(heading, width * 0.8, limit=120), tip=heading, font_size=14,
                   font_weight="600", class_="chart-title")
    return head + tooltip(heading) + visible + "".join(body) + "</svg>"


def empty_chart(heading: str, width: float = 640) -> str:
    """What every chart renders for no input: a small, clearly labelled placeholder."""
    height = 80
    box = el("rect", x=0.5, y=TITLE_H, width=width - 1, height=height - TITLE_H - 0.5, rx=4,
             fill="#f9fafb", stroke=GRID)
    note = text(width / 2, (TITLE_H + height) / 2 + 4, "no data", text_anchor="middle",
                fill=MUTED, class_="no-data")
    return svg("empty", heading, width, height, [box, note], f"{heading}: no data")


def legend(items: Sequence[tuple[str, str]], *, x: float, y: float, width: float,
           line: bool = False) -> tuple[str, float]:
    """Swatch-and-name entries flowing left to right, wrapping; returns markup and height."""
    out: list[str] = []
    cx, cy, row_h = x, y, 18
    for name, fill in items:
        shown = fit(name, 160, limit=24)
        item_w = 16 + text_width(shown) + 14
        if cx > x and cx + item_w > x + width:
            cx, cy = x, cy + row_h
        swatch = (el("line", x1=cx, y1=cy + 6, x2=cx + 12, y2=cy + 6, stroke=fill,
                     stroke_width=2.5, stroke_linecap="round") if line else
                  el("rect", x=cx, y=cy + 1, width=10, height=10, rx=2, fill=fill))
        label = text(cx + 16, cy + 10, shown, tip=name, fill=INK)
        out.append(el("g", [swatch, label], class_="legend-item", data_name=name))
        cx += item_w
    return el("g", out, class_="legend"), (cy - y + row_h if items else 0)


def value_grid(scale: Scale, ticks: Sequence[float], *, across: tuple[float, float],
               vertical: bool, suffix: str = "") -> str:
    """Light grid lines with tick labels for the value axis.

    vertical=True: lines run top to bottom at x positions (horizontal bars), labelled below
    `across[1]`; otherwise lines run left to right at y positions, labelled left of across[0]."""
    out = []
    for t, label in zip(ticks, tick_labels(ticks, suffix)):
        p = scale(t)
        if vertical:
            out.append(el("line", x1=p, y1=across[0], x2=p, y2=across[1], stroke=GRID))
            out.append(text(p, across[1] + 15, label, text_anchor="middle", fill=MUTED))
        else:
            out.append(el("line", x1=across[0], y1=p, x2=across[1], y2=p, stroke=GRID))
            out.append(text(across[0] - 6, p + 4, label, text_anchor="end", fill=MUTED))
    return el("g", out, class_="grid")
