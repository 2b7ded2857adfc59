"""Training exports: a queue's human judgments as the datasets Hugging Face TRL trains on.

`export_training` reads a queue's labels (or a dataset version's conversations) and writes
one TRL format per file: `sft` ({"messages"}), `prompt-completion`, `dpo` (prompt, chosen,
rejected), `kto` (prompt, completion, boolean label) or `reward` (chosen, rejected), as
JSONL or as a `datasets` dataset saved to disk. The selection rules are pure functions in
`_select` (preference consensus, rating gaps, rating thresholds, ideal edits). Rows holding
PII or secrets are left out and listed, or written redacted (`_pii`); a queue's labels
carry over to a redacted version of what it labeled through the lineage (`_lineage`).

`label_expectations` reads the same labels as evaluation expectations (a reference answer,
expected tool calls, a refusal) for `honing suite from-dataset --labels QUEUE`.
"""

from honing.export._expectations import (
    REFERENCE_THRESHOLD,
    TOOL_MATCHES,
    ExpectationOptions,
    LabelExpectations,
    label_expectations,
)
from honing.export._lineage import POSITIONAL_OPERATIONS, carried_items, derivation_path
from honing.export._messages import TRAINING_ROLES, prompt_messages, training_role
from honing.export._options import CONTAINERS, TrainingOptions
from honing.export._pii import PiiFinding, RowScreen
from honing.export._rows import PROVENANCE_COLUMNS, ROW_FORMATS, render_row, row_columns, tools_json
from honing.export._select import (
    Example,
    Selection,
    counted_labels,
    ideal_responses,
    preference_pairs,
    rated_responses,
    rating_pairs,
)
from honing.export._service import TrainingExport, export_training, select_examples
from honing.export._source import Source, resolve_source
from honing.export._split import stratum_of, validation_items
from honing.export._write import (
    training_features,
    validation_path,
)

__all__ = [
    "CONTAINERS",
    "POSITIONAL_OPERATIONS",
    "PROVENANCE_COLUMNS",
    "REFERENCE_THRESHOLD",
    "ROW_FORMATS",
    "TOOL_MATCHES",
    "TRAINING_ROLES",
    "Example",
    "ExpectationOptions",
    "LabelExpectations",
    "PiiFinding",
    "RowScreen",
    "Selection",
    "Source",
    "TrainingExport",
    "TrainingOptions",
    "carried_items",
    "counted_labels",
    "derivation_path",
    "export_training",
    "ideal_responses",
    "label_expectations",
    "preference_pairs",
    "prompt_messages",
    "rated_responses",
    "rating_pairs",
    "render_row",
    "resolve_source",
    "row_columns",
    "select_examples",
    "stratum_of",
    "training_features",
    "tools_json",
    "training_role",
    "validation_items",
    "validation_path",
]
