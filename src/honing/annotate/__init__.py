"""Annotation: rubric versions, queues, the assignment engine, labels, review, adjudication."""

from honing.annotate._async_pg import AsyncLabeling
from honing.annotate._claim import Claim, claim_next, decide_qualification, expire_leases
from honing.annotate._files import (
    gold_record,
    read_reference_lines,
    read_suggestion_lines,
    rows_as_lines,
)
from honing.annotate._listing import QueueItemSummary, labels_page, queue_items_page
from honing.annotate._order import (
    CANONICAL,
    SHOWN,
    shown_answers,
    shows_swapped,
    to_canonical,
    to_shown,
)
from honing.annotate._payload import rater_payload
from honing.annotate._policy import QueuePolicy
from honing.annotate._queues import (
    GoldRecord,
    add_reference_items,
    create_queue,
    describe_queue,
    get_queue,
    list_queues,
    parse_policy,
    queue_stats,
)
from honing.annotate._review import (
    Disagreement,
    adjudicate,
    adjudications_of,
    disagreements,
    get_label,
    labels_side_by_side,
    live_labels_by_item,
    next_review,
    review,
    reviews_of,
)
from honing.annotate._rubrics import (
    PushResult,
    list_rubric_versions,
    load_rubric,
    push_rubric,
    resolve_rubric_version,
)
from honing.annotate._suggestions import add_suggestions
from honing.annotate._work import (
    EscalationIn,
    escalate,
    flag,
    own_assignment,
    rework,
    save_draft,
    skip,
    submit,
)

__all__ = [
    "CANONICAL",
    "SHOWN",
    "AsyncLabeling",
    "Claim",
    "Disagreement",
    "EscalationIn",
    "GoldRecord",
    "PushResult",
    "QueueItemSummary",
    "QueuePolicy",
    "add_reference_items",
    "add_suggestions",
    "adjudicate",
    "adjudications_of",
    "claim_next",
    "create_queue",
    "decide_qualification",
    "describe_queue",
    "disagreements",
    "escalate",
    "expire_leases",
    "flag",
    "get_label",
    "gold_record",
    "get_queue",
    "labels_page",
    "labels_side_by_side",
    "list_queues",
    "list_rubric_versions",
    "live_labels_by_item",
    "load_rubric",
    "next_review",
    "own_assignment",
    "parse_policy",
    "queue_items_page",
    "push_rubric",
    "queue_stats",
    "rater_payload",
    "read_reference_lines",
    "read_suggestion_lines",
    "resolve_rubric_version",
    "review",
    "reviews_of",
    "rework",
    "rows_as_lines",
    "save_draft",
    "shown_answers",
    "shows_swapped",
    "skip",
    "submit",
    "to_canonical",
    "to_shown",
]
