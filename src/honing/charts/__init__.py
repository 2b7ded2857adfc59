"""Server-side SVG charts: pure functions from data to a self-contained SVG string.

The output works inline in server-rendered pages and in HTML reports opened from file://:
no JavaScript, no external fonts, CSS or images, only presentation attributes. Every data
point is an element with class "point" (plus a kind class), data-label, data-value (and
data-low/data-high/data-n where known) and a <title> tooltip, so tests and people can both
read the numbers back. Empty input renders a small "no data" chart instead of raising."""

from honing.charts._answers import AnswerScale, sequential
from honing.charts._bars import Bar, bar_chart
from honing.charts._chart import Chart
from honing.charts._lines import Series, line_chart
from honing.charts._stacked import Stack, stacked_bar_chart
from honing.charts._svg import PALETTE

__all__ = ["PALETTE", "AnswerScale", "Bar", "Chart", "Series", "Stack", "bar_chart", "line_chart", "sequential",
           "stacked_bar_chart"]
