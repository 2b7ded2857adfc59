"""Contamination checks: training items that overlap evaluation suite scenarios, by a
shared word n-gram or as near duplicates (MinHash LSH, verified by exact Jaccard)."""

from honing.datasets.contamination._check import (
    ContaminationMatch,
    ContaminationReport,
    find_contamination,
    prompt_text,
    scenario_text,
)
from honing.datasets.contamination._index import ReferenceIndex, TextMatch

__all__ = [
    "ContaminationMatch",
    "ContaminationReport",
    "ReferenceIndex",
    "TextMatch",
    "find_contamination",
    "prompt_text",
    "scenario_text",
]
