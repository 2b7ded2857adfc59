"""A chart as a page or report places it: an id for the page, a title, and its SVG."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    key: str  # the figure's id on a page ("chart-KEY") and in tests
    title: str
    svg: str
