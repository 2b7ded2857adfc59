"""Rubrics: what raters are asked, how their answers are checked, scored and compared.

Pure code, no database: `parse_rubric` turns a YAML file's text into a validated `Rubric`
(errors name file, line and field); `validate_answers` checks one rater's answers to one
item; `swap_responses` undoes a left/right swap of responses A and B; `score_gold` scores
answers against gold with per-question `Tolerance`; `disagreement` measures how far raters
of one item are apart on one question; `display_answer` shows an answer in the rubric's
own words; `majority_answer` and `disagreeing_answers` serve adjudication.

Answer shapes, keyed by question id: likert an int; label a str; multi_label a list of
str; pairwise one of PAIRWISE_VALUES; ranking a list of response letters, best first;
text a str; response_edit a str or {"text": str, "start_from": "A" | "B" | "blank",
"accepted_as_is": bool} (a response's text unchanged only with accepted_as_is: true);
span a list of {"target": "response:A" | "message:3", "start", "end", "label"}. A
per-response question takes {"A": value, "B": value, ...} instead.
"""

from honing.rubrics._answers import prefill_problems, swap_responses, validate_answers
from honing.rubrics._conditions import Comparison, Condition, parse_condition
from honing.rubrics._disagreement import disagreement, disagreement_by_response
from honing.rubrics._display import display_answer
from honing.rubrics._gold import GoldScore, Tolerance, gold_problems, score_gold
from honing.rubrics._majority import disagreeing_answers, majority_answer
from honing.rubrics._parse import parse_rubric, rubric_json_schema
from honing.rubrics._questions import (
    PAIRWISE_VALUES,
    QUESTION_TYPES,
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    Option,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    ResponseEditQuestion,
    ScalePoint,
    SpanQuestion,
    TextQuestion,
)
from honing.rubrics._rubric import (
    SEVERITY_LEVELS,
    Rubric,
    RubricExample,
    SeverityLevel,
    TaxonomyNode,
)
from honing.rubrics._values import response_letters

__all__ = [
    "PAIRWISE_VALUES",
    "QUESTION_TYPES",
    "SEVERITY_LEVELS",
    "Comparison",
    "Condition",
    "GoldScore",
    "LabelQuestion",
    "LikertQuestion",
    "MultiLabelQuestion",
    "Option",
    "PairwiseQuestion",
    "Question",
    "RankingQuestion",
    "ResponseEditQuestion",
    "Rubric",
    "RubricExample",
    "ScalePoint",
    "SeverityLevel",
    "SpanQuestion",
    "TaxonomyNode",
    "TextQuestion",
    "Tolerance",
    "disagreeing_answers",
    "disagreement",
    "disagreement_by_response",
    "display_answer",
    "gold_problems",
    "majority_answer",
    "parse_condition",
    "parse_rubric",
    "prefill_problems",
    "response_letters",
    "rubric_json_schema",
    "score_gold",
    "swap_responses",
    "validate_answers",
]
