"""Exact and near-duplicate detection over a stream of texts.

Exact duplicates share their normalized text. The first text of each exact group then
goes through MinHash LSH: documents that agree on every row of some band become
candidates, and each candidate pair is verified by the exact Jaccard similarity of its
shingle sets, so the result holds only pairs that really reach the threshold (LSH only
decides which pairs are worth checking)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, islice
from typing import Any, Literal

import numpy as np

from honing.datasets.dedup._minhash import MinHasher, band_keys, choose_bands, jaccard
from honing.datasets.dedup._shingles import batch_words, shingle_word_hashes, text_digests

Kind = Literal["exact", "near"]
# Texts read at once: about 0.5 MB of text, so the per-byte and per-word arrays stay in
# cache (measured: 512 is 1.4x faster than 4,096 here).
BATCH = 512
# Measured with benchmarks/dedup.py (50,000 docs): 32, 48, 64 and 128 permutations all
# reached recall 1.0 (candidates are verified, so precision is 1.0 at any setting); 128
# took 1.5x the CPU of 64. 32 was faster still, but only as 16 bands of 2 rows, which make
# 78% of pairs at Jaccard 0.3 candidates (64 as 16 x 4: 12%): data with shared boilerplate
# would pay for that in verification.
NUM_PERM = 64
SHINGLE = 5
# Buckets up to this size are checked pair by pair; larger ones (boilerplate shared by many
# documents) only against their first member, so a bucket never costs quadratic time.
_SMALL_BUCKET = 8


@dataclass(frozen=True)
class DuplicatePair:
    """Positions of two documents (`first` < `second`) and their similarity: 1.0 for an
    exact duplicate, else the exact Jaccard similarity of their shingle sets. An exact
    duplicate is paired with the first document of its text only (not with every copy)."""

    first: int
    second: int
    similarity: float
    kind: Kind


@dataclass(frozen=True)
class Cluster:
    """Documents linked by duplicate pairs, directly or through each other, by position.
    `kind` is "exact" when every member has the same normalized text."""

    members: tuple[int, ...]
    kind: Kind

    @property
    def representative(self) -> int:
        return self.members[0]


@dataclass(frozen=True)
class NearDuplicates:
    documents: int
    empty: int  # documents without words: never anyone's duplicate
    pairs: list[DuplicatePair]
    clusters: list[Cluster]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def redundant(self) -> int:
        """Documents that deduplication would drop: all but one per cluster."""
        return sum(len(c.members) - 1 for c in self.clusters)


def near_duplicates(
    texts: Iterable[str],
    *,
    threshold: float = 0.8,
    num_perm: int = NUM_PERM,
    bands: int | None = None,
    shingle: int = SHINGLE,
    seed: int = 1,
) -> NearDuplicates:
    """Exact and near-duplicate pairs and clusters among `texts`, read once in batches.

    A pair is a near duplicate when the Jaccard similarity of its word `shingle`-grams is at
    least `threshold`. `bands` defaults to the most selective banding that still makes a
    pair at the threshold a candidate with probability >= 0.995. Positions are those of
    `texts`; texts without words are counted in `empty` and never paired.

    Memory holds, per document, its shingle hashes (4 bytes per distinct shingle, about one
    per word), its band keys (8 bytes per band) and a digest of its normalized text (for
    exact duplicates); never the texts."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    bands = bands or choose_bands(threshold, num_perm)
    hasher = MinHasher(num_perm, seed)
    seen: dict[tuple[int, int], int] = {}
    exact: list[DuplicatePair] = []
    positions: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    shingles: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    documents = empty = 0
    for chunk in _chunks(texts, BATCH):
        flat, lengths = batch_words(chunk)
        fresh = np.zeros(len(chunk), dtype=bool)
        for offset, (digest, length) in enumerate(zip(text_digests(flat, lengths), lengths.tolist(),
                                                      strict=True)):
            if not length:
                empty += 1
                continue
            position = documents + offset
            first = seen.setdefault(digest, position)
            if first != position:
                exact.append(DuplicatePair(first, position, 1.0, "exact"))
            else:
                fresh[offset] = True
        if fresh.any():
            batch = shingle_word_hashes(flat[np.repeat(fresh, lengths)], lengths[fresh], shingle)
            positions.append(np.flatnonzero(fresh) + documents)
            keys.append(band_keys(hasher.signatures(batch), bands))
            shingles.append(batch.hashes)
            counts.append(batch.counts)
        documents += len(chunk)
    near: list[DuplicatePair] = []
    if positions:
        position_of = np.concatenate(positions)
        all_counts = np.concatenate(counts)
        offsets = np.concatenate(([0], np.cumsum(all_counts)))
        all_shingles = np.concatenate(shingles)
        for a, b in _candidates(np.concatenate(keys)):
            similarity = jaccard(all_shingles[offsets[a]:offsets[a + 1]],
                                 all_shingles[offsets[b]:offsets[b + 1]])
            if similarity >= threshold:
                near.append(DuplicatePair(int(position_of[a]), int(position_of[b]), similarity, "near"))
    pairs = sorted(exact + _through_exact_groups(near, exact), key=lambda p: (p.first, p.second))
    return NearDuplicates(
        documents=documents, empty=empty, pairs=pairs, clusters=clusters_of(pairs),
        parameters={"threshold": threshold, "num_perm": num_perm, "bands": bands,
                    "shingle": shingle, "seed": seed},
    )


def _through_exact_groups(near: list[DuplicatePair], exact: list[DuplicatePair]) -> list[DuplicatePair]:
    """Near pairs were found between the first members of exact groups; the other members
    have the same shingles, so they pair with the same documents at the same similarity."""
    if not exact or not near:
        return near
    members: dict[int, list[int]] = {}
    for pair in exact:
        members.setdefault(pair.first, [pair.first]).append(pair.second)
    out = []
    for pair in near:
        for a in members.get(pair.first, [pair.first]):
            for b in members.get(pair.second, [pair.second]):
                out.append(DuplicatePair(min(a, b), max(a, b), pair.similarity, "near"))
    return out


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _candidates(keys: np.ndarray) -> Iterator[tuple[int, int]]:
    """Row pairs that share a band key in some band, each once, lower row first."""
    found: set[tuple[int, int]] = set()
    for column in keys.T:
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            continue
        # Every member of a bucket is paired with the bucket's first member (vectorized)...
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        run = np.cumsum(np.concatenate(([True], ~same))) - 1
        members = np.flatnonzero(np.concatenate(([False], same)))
        heads = order[starts[run[members]]]
        found.update(zip(np.minimum(heads, order[members]).tolist(),
                         np.maximum(heads, order[members]).tolist(), strict=True))
        # ...and small buckets of three or more pair by pair.
        sizes = np.diff(np.concatenate((starts, [len(ordered)])))
        for start in starts[(sizes > 2) & (sizes <= _SMALL_BUCKET)].tolist():
            bucket = sorted(order[start:start + sizes[np.searchsorted(starts, start)]].tolist())
            found.update(combinations(bucket, 2))
    return iter(sorted(found))


def clusters_of(pairs: Iterable[DuplicatePair]) -> list[Cluster]:
    """Connected components of the pairs (union-find), ordered by first member."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    near_roots: set[int] = set()
    near_pairs: list[DuplicatePair] = []
    for pair in pairs:
        a, b = root(pair.first), root(pair.second)
        if a != b:
            parent[max(a, b)] = min(a, b)
        if pair.kind == "near":
            near_pairs.append(pair)
    near_roots = {root(p.first) for p in near_pairs}
    groups: dict[int, list[int]] = {}
    for member in parent:
        groups.setdefault(root(member), []).append(member)
    return sorted((Cluster(tuple(sorted(m)), "near" if r in near_roots else "exact")
                   for r, m in groups.items()), key=lambda c: c.members[0])
