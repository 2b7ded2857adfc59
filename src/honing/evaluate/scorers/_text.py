"""Text scorers: exact, contains / not_contains, any / all, regex, token_f1.

Text is compared after Unicode NFC normalisation, so "é" typed as one code point or as
"e" + combining accent is the same text; case-insensitive comparisons use `casefold`
("Straße" matches "STRASSE"). An output with no text (the model only called tools) is
compared as the empty string, and explanations say "(no text)".
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from typing import Annotated, Literal

from pydantic import Field, field_validator

from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate.scorers._registry import ScorerParams, ScoringContext, preview, scorer, verdict

NonEmpty = Annotated[str, Field(min_length=1)]


def output_text(output: Output) -> str:
    return unicodedata.normalize("NFC", output.text or "")


def _fold(text: str, case_sensitive: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    return text if case_sensitive else text.casefold()


class ExactParams(ScorerParams):
    value: str
    case_sensitive: bool = True
    strip: bool = True


@scorer("exact", ExactParams)
def exact(scenario: Scenario, output: Output, params: ExactParams, context: ScoringContext) -> Score:
    """The whole response equals `value` (surrounding whitespace ignored unless strip=false)."""
    got, want = output_text(output), params.value
    if params.strip:
        got, want = got.strip(), want.strip()
    ok = _fold(got, params.case_sensitive) == _fold(want, params.case_sensitive)
    return verdict(ok, "response equals the expected text" if ok
                   else f"expected {preview(want)}, got {preview(output.text and got)}")


class ContainsParams(ScorerParams):
    value: NonEmpty
    case_sensitive: bool = False


@scorer("contains", ContainsParams)
def contains(scenario: Scenario, output: Output, params: ContainsParams, context: ScoringContext) -> Score:
    """The response contains `value` (case-insensitive by default)."""
    found = _fold(params.value, params.case_sensitive) in _fold(output_text(output), params.case_sensitive)
    return verdict(found, f"{'found' if found else 'did not find'} {preview(params.value)} in "
                          f"{preview(output.text)}")


@scorer("not_contains", ContainsParams)
def not_contains(scenario: Scenario, output: Output, params: ContainsParams, context: ScoringContext) -> Score:
    """The response does not contain `value` (case-insensitive by default)."""
    found = _fold(params.value, params.case_sensitive) in _fold(output_text(output), params.case_sensitive)
    return verdict(not found, f"{'found' if found else 'did not find'} {preview(params.value)} in "
                              f"{preview(output.text)}")


class ManyParams(ScorerParams):
    values: Annotated[list[NonEmpty], Field(min_length=1)]
    case_sensitive: bool = False


def _found(output: Output, params: ManyParams) -> tuple[list[str], list[str]]:
    text = _fold(output_text(output), params.case_sensitive)
    found = [v for v in params.values if _fold(v, params.case_sensitive) in text]
    return found, [v for v in params.values if v not in found]


@scorer("any", ManyParams)
def contains_any(scenario: Scenario, output: Output, params: ManyParams, context: ScoringContext) -> Score:
    """The response contains at least one of `values`."""
    found, missing = _found(output, params)
    return verdict(bool(found), f"found {found}" if found else f"found none of {missing} in {preview(output.text)}",
                   found=found)


@scorer("all", ManyParams)
def contains_all(scenario: Scenario, output: Output, params: ManyParams, context: ScoringContext) -> Score:
    """The response contains every one of `values`; value is the share found."""
    found, missing = _found(output, params)
    return verdict(not missing, f"missing {missing}" if missing else f"found all {len(found)} values",
                   value=len(found) / len(params.values), found=found, missing=missing)


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


class RegexParams(ScorerParams):
    pattern: NonEmpty
    flags: list[Literal["i", "m", "s"]] = Field(default_factory=list)
    must_match: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"invalid regular expression: {error}") from None
        return pattern

    def compiled(self) -> re.Pattern[str]:
        flags = 0
        for flag in self.flags:
            flags |= _FLAGS[flag]
        return re.compile(self.pattern, flags)  # re caches compiled patterns


@scorer("regex", RegexParams)
def regex(scenario: Scenario, output: Output, params: RegexParams, context: ScoringContext) -> Score:
    """The pattern is found anywhere in the response (`re.search`; anchor it with ^...$ to
    match the whole response). With must_match=false, it must not be found."""
    match = params.compiled().search(output_text(output))
    ok = (match is not None) == params.must_match
    what = f"matched {preview(match.group(0))}" if match else f"no match in {preview(output.text)}"
    return verdict(ok, f"/{params.pattern}/ {what}")


class TokenF1Params(ScorerParams):
    reference: str
    threshold: float = Field(default=0.5, ge=0, le=1)


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> list[str]:
    """SQuAD's answer normalisation (lowercase, punctuation deleted so "don't" is "dont", no
    English articles, single spaces), extended to Unicode punctuation so that « » and ¿ do
    not count as words."""
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(c for c in text if c not in _ASCII_PUNCTUATION and not unicodedata.category(c).startswith("P"))
    return _ARTICLES.sub(" ", text).split()


def token_f1_value(prediction: str, reference: str) -> float:
    predicted, wanted = normalize_answer(prediction), normalize_answer(reference)
    if not predicted or not wanted:
        # SQuAD's convention: two empty answers agree; one empty answer scores 0.
        return float(predicted == wanted)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


@scorer("token_f1", TokenF1Params)
def token_f1(scenario: Scenario, output: Output, params: TokenF1Params, context: ScoringContext) -> Score:
    """Token-overlap F1 with the reference answer (SQuAD-style); passes at `threshold`."""
    value = token_f1_value(output_text(output), params.reference)
    return verdict(value >= params.threshold, f"token F1 {value:.3f} (threshold {params.threshold})",
                   value=value)
