"""MinHash signatures for all permutations at once, LSH band keys, and exact Jaccard.

A permutation is x -> (a*x + b) mod 2^32 with `a` odd: a bijection of the 32-bit shingle
hashes, cheap enough in uint32 that one (shingles x permutations) matrix product, reduced
by minimum per document, gives a whole batch's signatures."""

from __future__ import annotations

import numpy as np

from honing.datasets.dedup._shingles import ShingleBatch

# Shingles of the (permutations x shingles) matrix handled at once: a few MB, so it stays in cache.
_BLOCK_ROWS = 16384


class MinHasher:
    """`num_perm` seeded permutations; the same seed gives the same signatures."""

    def __init__(self, num_perm: int = 64, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be >= 1, got {num_perm}")
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32) | np.uint32(1)
        self._b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)

    def signatures(self, batch: ShingleBatch) -> np.ndarray:
        """(documents, num_perm) uint32; a document without shingles gets all 0xFFFFFFFF."""
        counts = batch.counts
        out = np.full((len(counts), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        documents = np.flatnonzero(counts)
        if not len(documents):
            return out
        starts = batch.offsets[documents]
        # Permutations along the first axis: each row is then one contiguous, vectorizable
        # pass over the shingles (about 8x faster here than shingles along the first axis).
        block = np.empty((self.num_perm, _BLOCK_ROWS), dtype=np.uint32)
        a, b = self._a[:, None], self._b[:, None]
        first = 0
        while first < len(documents):
            begin = starts[first]
            # As many whole documents as fit in one block (at least one).
            last = max(int(np.searchsorted(starts, begin + _BLOCK_ROWS, side="right")) - 1, first + 1)
            end = batch.offsets[documents[last - 1] + 1]
            rows = int(end - begin)
            matrix = block[:, :rows] if rows <= _BLOCK_ROWS else np.empty((self.num_perm, rows), np.uint32)
            np.multiply(a, batch.hashes[None, begin:end], out=matrix)
            np.add(matrix, b, out=matrix)
            out[documents[first:last]] = np.minimum.reduceat(matrix, starts[first:last] - begin, axis=1).T
            first = last
        return out
        starts = batch.offsets[documents]
        block = np.empty((_BLOCK_ROWS, self.num_perm), dtype=np.uint32)
        first = 0
        while first < len(documents):
            # As many whole documents as fit in one block (at least one).
            begin = starts[first]
            last = max(int(np.searchsorted(starts, begin + _BLOCK_ROWS, side="right")) - 1, first + 1)
            last = min(last, len(documents)) if last > first + 1 else first + 1
            end = batch.offsets[documents[last - 1] + 1]
            rows = end - begin
            matrix = block[:rows] if rows <= _BLOCK_ROWS else np.empty((rows, self.num_perm), np.uint32)
            np.multiply(batch.hashes[begin:end, None], self._a[None, :], out=matrix)
            np.add(matrix, self._b[None, :], out=matrix)
            out[documents[first:last]] = np.minimum.reduceat(matrix, starts[first:last] - begin, axis=0)
            first = last
        return out


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The share of permutations whose minimum agrees."""
    return float(np.count_nonzero(a == b)) / len(a)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted, unique hash arrays; 0 for two empty sets."""
    if not len(a) and not len(b):
        return 0.0
    both = np.concatenate((a, b))
    both.sort(kind="stable")
    shared = int(np.count_nonzero(both[1:] == both[:-1]))
    return shared / (len(a) + len(b) - shared)


def choose_bands(threshold: float, num_perm: int, recall: float = 0.995) -> int:
    """The number of bands: the most rows per band (fewest chance candidates) for which a
    pair exactly at `threshold` still becomes a candidate with probability >= `recall`."""
    best = num_perm  # one row per band: the most sensitive
    for rows in range(1, num_perm + 1):
        if num_perm % rows:
            continue
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) >= recall:
            best = bands
    return best


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """How likely a pair of this Jaccard similarity shares at least one band's rows."""
    return 1 - (1 - similarity**rows) ** bands


_BAND_MIX = np.random.default_rng(0x5EED).integers(1, 2**63, size=1024, dtype=np.uint64) | np.uint64(1)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """(documents, bands) uint64: equal keys in a column mean equal signature rows in that band
    (up to a negligible chance of collision, which verification then rejects)."""
    n, num_perm = signatures.shape
    rows = num_perm // bands
    if rows * bands != num_perm:
        raise ValueError(f"bands ({bands}) must divide num_perm ({num_perm})")
    shaped = signatures.reshape(n, bands, rows).astype(np.uint64)
    keys = shaped[:, :, 0] * _BAND_MIX[0]
    for j in range(1, rows):
        keys ^= keys >> np.uint64(29)
        keys += shaped[:, :, j] * _BAND_MIX[j % len(_BAND_MIX)]
    return keys


