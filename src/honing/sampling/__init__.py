"""Design-based sampling into review: simple random, stratified (proportional, Neyman or
fixed allocation, budgets per stratum), priority by production signals and novelty
against labeled items, each with exact first-order inclusion probabilities recorded per
drawn item (`sample_inclusion`), and schedules that keep a review queue fed."""

from honing.sampling._design import ALLOCATIONS, DEFAULT_WEIGHTS, KINDS, MISSING_STRATUM, Design
from honing.sampling._draw import Draw, draw
from honing.sampling._inclusion import inclusion_probabilities
from honing.sampling._novelty import novelty as novelty_scores
from honing.sampling._probabilities import (
    largest_remainder,
    pps_probabilities,
    srs_draw,
    systematic_draw,
)
from honing.sampling._sample import SampleResult, sample
from honing.sampling._schedule import (
    ScheduleInfo,
    create_schedule,
    delete_schedule,
    list_schedules,
    parse_period,
    run_due_schedules,
)

__all__ = [
    "ALLOCATIONS",
    "DEFAULT_WEIGHTS",
    "KINDS",
    "MISSING_STRATUM",
    "Design",
    "Draw",
    "SampleResult",
    "ScheduleInfo",
    "create_schedule",
    "delete_schedule",
    "draw",
    "inclusion_probabilities",
    "largest_remainder",
    "list_schedules",
    "novelty_scores",
    "parse_period",
    "pps_probabilities",
    "run_due_schedules",
    "sample",
    "srs_draw",
    "systematic_draw",
]
