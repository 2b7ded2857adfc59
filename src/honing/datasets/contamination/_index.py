"""An index of evaluation texts that training texts are checked against, in memory (a
suite is small next to a training set, which is streamed past it).

Two checks. Word n-grams (13 by default; a reference of 8 to 12 words counts as one n-gram
as a whole): a training text matches when it holds at least `min_overlap` (default half) of
the reference's distinct n-grams. Not a single shared n-gram, the rule of the GPT-3 paper:
conversations repeat the assistant's stock questions and users' common requests. In the
demo's helpdesk data 61 of 78 labeled conversations share a 13-gram with some held-out
scenario; 48 of them have nothing else in common with it (no near duplicate; shares
0.01-0.45), while the 4 holding most of a scenario (0.64-1.0) are near duplicates of it
too. PaLM and Llama 2 judge by a share as well (70% of 8-grams, 80% of tokens).

Near duplicates: MinHash LSH over the set of single words and word pairs (`shingle` = 2),
verified by exact Jaccard. Not the 5-shingles of deduplication: a paraphrase with a few
words substituted and its clauses reordered keeps most of its words and pairs but few of
its 5-grams. On the acceptance test's helpdesk prompts, paraphrases scored 0.50-0.71 on
pairs alone (no margin at 0.5) and unrelated prompts up to 0.26 on words alone; on both
together paraphrases scored 0.59-0.80 and unrelated prompts <= 0.18."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from honing.datasets.dedup import (
    MinHasher,
    band_keys,
    batch_words,
    choose_bands,
    jaccard,
    merge_batches,
    ngram_hashes,
    normalized_words,
    shingle_word_hashes,
)
from honing.datasets.dedup._shingles import ShingleBatch

MatchKind = Literal["ngram", "near_duplicate"]
SNIPPET_WORDS = 13
MIN_WHOLE = 8


@dataclass(frozen=True)
class TextMatch:
    """Training text `text` matches evaluation text `reference`."""

    text: int
    reference: int
    kind: MatchKind
    score: float  # ngram: share of the reference's n-grams found; near_duplicate: Jaccard
    snippet: str


class ReferenceIndex:
    def __init__(self, ngram_texts: Sequence[str], near_texts: Sequence[str], *, ngram: int = 13,
                 min_overlap: float = 0.5, threshold: float = 0.5, shingle: int = 2, num_perm: int = 64,
                 seed: int = 1) -> None:
        """`ngram_texts[i]` and `near_texts[i]` are reference i's text for each check."""
        if ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {ngram}")
        for name, value in (("min_overlap", min_overlap), ("threshold", threshold)):
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        self.ngram, self.min_overlap, self.threshold, self.shingle = ngram, min_overlap, threshold, shingle
        self._hasher = MinHasher(num_perm, seed)
        self._bands = choose_bands(threshold, num_perm)
        flat, lengths = batch_words(ngram_texts)
        starts = np.concatenate(([0], np.cumsum(lengths)))
        # A reference shorter than `ngram` words but of at least MIN_WHOLE words is one n-gram
        # as a whole: a short evaluation prompt quoted verbatim is contamination too.
        self._sizes = [min(ngram, int(n)) if n >= min(ngram, MIN_WHOLE) else ngram for n in lengths]
        grams = [ngram_hashes(flat[starts[i]:starts[i + 1]], self._sizes[i]) for i in range(len(lengths))]
        self._ngram_totals = [len(np.unique(g)) for g in grams]
        owners = np.concatenate([np.full(len(g), i, dtype=np.int64) for i, g in enumerate(grams)] or
                                [np.empty(0, np.int64)])
        keys = np.concatenate(grams or [np.empty(0, np.uint64)])
        order = np.argsort(keys, kind="stable")
        self._ngram_keys, self._ngram_owners = keys[order], owners[order]
        self._shingles = self._near_shingles(near_texts)
        self._signatures = self._hasher.signatures(self._shingles)
        # Candidates whose MinHash estimate is this far below the threshold are not verified:
        # 4.5 standard errors at the threshold, so a pair at the threshold is dropped with
        # probability < 1e-5, while most chance candidates are.
        self._cutoff = threshold - 4.5 * math.sqrt(threshold * (1 - threshold) / num_perm)
        self._buckets: dict[tuple[int, int], list[int]] = {}
        present = self._shingles.counts > 0
        for reference, row in enumerate(band_keys(self._signatures, self._bands).tolist()):
            if present[reference]:
                for band, key in enumerate(row):
                    self._buckets.setdefault((band, key), []).append(reference)

    def __len__(self) -> int:
        return len(self._ngram_totals)

    def match(self, ngram_texts: Sequence[str], near_texts: Sequence[str]) -> list[TextMatch]:
        """Matches of a batch of training texts (the two lists as for the references)."""
        found: list[TextMatch] = []
        flat, lengths = batch_words(ngram_texts)
        starts = np.concatenate(([0], np.cumsum(lengths)))
        for text in range(len(lengths)):
            found.extend(self._ngram_matches(text, ngram_texts[text], flat[starts[text]:starts[text + 1]]))
        shingles = self._near_shingles(near_texts)
        signatures = self._hasher.signatures(shingles)
        texts: list[int] = []
        references: list[int] = []
        for text, row in enumerate(band_keys(signatures, self._bands).tolist()):
            if shingles.counts[text]:
                candidates = {r for band, key in enumerate(row) for r in self._buckets.get((band, key), ())}
                texts.extend([text] * len(candidates))
                references.extend(sorted(candidates))
        for text, reference in self._likely(signatures, texts, references):
            similarity = jaccard(shingles.of(text), self._shingles.of(reference))
            if similarity >= self.threshold:
                found.append(TextMatch(text, reference, "near_duplicate", similarity,
                                       _snippet(normalized_words(near_texts[text]), 0)))
        return found

    def _likely(self, signatures: np.ndarray, texts: list[int],
                references: list[int]) -> list[tuple[int, int]]:
        """The candidate pairs whose MinHash estimate is not far below the threshold."""
        kept: list[tuple[int, int]] = []
        for start in range(0, len(texts), 8192):
            t = np.asarray(texts[start:start + 8192], dtype=np.int64)
            r = np.asarray(references[start:start + 8192], dtype=np.int64)
            estimate = (signatures[t] == self._signatures[r]).mean(axis=1)
            keep = estimate >= self._cutoff
            kept.extend(zip(t[keep].tolist(), r[keep].tolist(), strict=True))
        return kept

    def _near_shingles(self, texts: Sequence[str]) -> ShingleBatch:
        flat, lengths = batch_words(texts)
        return merge_batches(*(shingle_word_hashes(flat, lengths, size) for size in range(1, self.shingle + 1)))

    def _ngram_matches(self, text: int, raw: str, words: np.ndarray) -> list[TextMatch]:
        if not len(self._ngram_keys):
            return []
        matches = []
        for size in sorted(set(self._sizes), reverse=True):
            grams = ngram_hashes(words, size)
            if not len(grams):
                continue
            at = np.searchsorted(self._ngram_keys, grams).clip(max=len(self._ngram_keys) - 1)
            hit = self._ngram_keys[at] == grams
            for reference in np.unique(self._ngram_owners[at[hit]]).tolist():
                if self._sizes[reference] != size:
                    continue
                shared = [p for p in np.flatnonzero(hit).tolist()
                          if _owned(self._ngram_keys, self._ngram_owners, grams[p], reference)]
                share = len({int(grams[p]) for p in shared}) / self._ngram_totals[reference]
                if share >= self.min_overlap:  # > 0, so something is shared
                    matches.append(TextMatch(text, reference, "ngram", share,
                                             _snippet(normalized_words(raw), shared[0], size)))
        return matches


def _owned(keys: np.ndarray, owners: np.ndarray, gram: np.uint64, reference: int) -> bool:
    """Whether `reference` has n-gram `gram` (several references may share it)."""
    lo, hi = np.searchsorted(keys, gram, side="left"), np.searchsorted(keys, gram, side="right")
    return bool((owners[lo:hi] == reference).any())


def _snippet(words: list[bytes], start: int, count: int = SNIPPET_WORDS) -> str:
    return b" ".join(words[start:start + count]).decode(errors="replace")
