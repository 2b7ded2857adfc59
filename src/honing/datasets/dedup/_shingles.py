"""Word shingles hashed to uint32, a whole batch of texts at once.

The batch is normalized as one string and its words are hashed with vectorized uint64
arithmetic over the bytes, so no Python object is made per word; the hashes of `size`
consecutive words are then combined the same way."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from honing.datasets.dedup._normalize import to_word_bytes

_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = "\x00"  # between documents; NFKC, casefold and punctuation removal keep it
_LONG_WORD = 64
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)


@dataclass(frozen=True)
class ShingleBatch:
    """Shingle hashes of a batch of texts: document `d` owns `hashes[offsets[d]:offsets[d+1]]`,
    sorted and unique. A text with no words has no shingles; a text shorter than the
    shingle size has one, made of all its words."""

    hashes: np.ndarray  # uint32
    offsets: np.ndarray  # int64, len(texts) + 1

    def of(self, document: int) -> np.ndarray:
        return self.hashes[self.offsets[document]:self.offsets[document + 1]]

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)


def _mix64(h: np.ndarray) -> np.ndarray:
    """The murmur3 64-bit finalizer (in place): every input bit affects every output bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _finalize(h: np.ndarray) -> np.ndarray:
    return (_mix64(h) >> np.uint64(32)).astype(np.uint32)


def _windows(words: np.ndarray, size: int) -> np.ndarray:
    """Unmixed hash of every window of `size` consecutive word hashes."""
    count = len(words) - size + 1
    h = words[:count].copy()
    for j in range(1, size):
        h *= _MIX
        h += words[j:j + count]
    return h


def _combine(words: np.ndarray, size: int) -> np.ndarray:
    """32-bit hash of every window of `size` consecutive word hashes."""
    return _finalize(_windows(words, size))


def shingle_texts(texts: Sequence[str], size: int) -> ShingleBatch:
    """Sorted, unique shingle hashes of each text (normalized as `normalize_text` does)."""
    flat, lengths = batch_words(texts)
    return shingle_word_hashes(flat, lengths, size)


def batch_words(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every normalized word of the batch (uint64, in order) and each text's count."""
    if not texts:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a NUL inside a text is a space
        joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    folded = unicodedata.normalize("NFKC", joined).casefold()
    raw = np.frombuffer(to_word_bytes(folded), dtype=np.uint8)
    # Separators are the bytes <= 32 (spaces, controls, and the NUL between documents).
    word = np.zeros(len(raw) + 2, dtype=bool)
    np.greater(raw, 32, out=word[1:-1])
    boundary = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = boundary[0::2], boundary[1::2]  # each word is raw[start:end]
    document = np.searchsorted(np.flatnonzero(raw == 0), starts)
    return _word_hashes(raw, starts, ends), np.bincount(document, minlength=len(texts)).astype(np.int64)


def _word_hashes(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Each word's bytes read 8 at a time as little-endian uint64 (an unaligned view), the
    bytes past its end masked off, chained through the mixer; then its length mixed in."""
    padded = np.zeros(len(raw) + 8, dtype=np.uint8)
    padded[:len(raw)] = raw
    eight = np.ndarray(shape=(len(raw) + 1,), dtype=np.uint64, buffer=padded, strides=(1,))
    lengths = ends - starts
    h = eight[starts] & _BYTE_MASKS[np.minimum(lengths, 8)]
    longer = np.flatnonzero((lengths > 8) & (lengths <= _LONG_WORD))
    offset = 8
    while len(longer):  # words of 9 to 64 bytes, 8 more bytes a round
        chunk = eight[starts[longer] + offset] & _BYTE_MASKS[np.minimum(lengths[longer] - offset, 8)]
        h[longer] = _mix64(h[longer]) ^ chunk
        offset += 8
        longer = longer[lengths[longer] > offset]
    h ^= lengths.astype(np.uint64) << np.uint64(56)
    h = _mix64(h)
    # Longer "words" (base64 blobs, URLs) one by one, so a megabyte blob is not 130,000 rounds.
    for index in np.flatnonzero(lengths > _LONG_WORD).tolist():
        digest = hashlib.blake2b(raw[starts[index]:ends[index]].tobytes(), digest_size=8).digest()
        h[index] = int.from_bytes(digest, "little")
    return h


def shingle_word_hashes(flat: np.ndarray, lengths: np.ndarray, size: int) -> ShingleBatch:
    """Shingles from the word hashes of a batch (`lengths[d]` words for document d)."""
    if size < 1:
        raise ValueError(f"shingle size must be >= 1, got {size}")
    n = len(lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    keys: list[np.ndarray] = []
    if len(flat) >= size:
        windows = _combine(flat, size)
        # A window is a shingle when it starts early enough to end inside its own document.
        document = np.repeat(np.arange(n, dtype=np.uint64), lengths)[:len(windows)]
        position = np.arange(len(windows)) - np.repeat(starts[:-1], lengths)[:len(windows)]
        inside = position <= np.repeat(lengths - size, lengths)[:len(windows)]
        keys.append((document[inside] << np.uint64(32)) | windows[inside].astype(np.uint64))
    for d in np.flatnonzero((lengths > 0) & (lengths < size)).tolist():
        whole = _combine(flat[starts[d]:starts[d + 1]], int(lengths[d]))
        keys.append(np.array([(d << 32) | int(whole[0])], dtype=np.uint64))
    # One sort for the batch: by document, then hash; duplicates within a document go.
    unique = _sorted_unique(np.concatenate(keys)) if keys else np.empty(0, np.uint64)
    counts = np.bincount((unique >> np.uint64(32)).astype(np.int64), minlength=n)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    return ShingleBatch((unique & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique is ~40x slower than sort + mask on large uint64 arrays here (numpy 2).
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def text_digests(flat: np.ndarray, lengths: np.ndarray) -> list[tuple[int, int]]:
    """A 128-bit digest of each text's normalized word sequence: equal digests, equal
    normalized texts (up to a chance of 2**-128). (0, 0) for a text without words."""
    n = len(lengths)
    if not len(flat):
        return [(0, 0)] * n
    position = (np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype(np.uint64)
    mixed = _mix64(flat ^ _mix64(position * _MIX + np.uint64(0x243F6A8885A308D3)))
    present = np.flatnonzero(lengths)
    first = (np.cumsum(lengths) - lengths)[present]
    halves = []
    for reduce in (np.add, np.bitwise_xor):
        out = np.zeros(n, dtype=np.uint64)
        out[present] = reduce.reduceat(mixed, first)
        halves.append(out)
    return list(zip(halves[0].tolist(), halves[1].tolist(), strict=True))


def ngram_hashes(words: np.ndarray, size: int) -> np.ndarray:
    """64-bit hashes of every window of `size` words of one text, in order (not unique):
    wide enough that a large training set checked against a large suite has no chance
    collisions."""
    if len(words) < size:
        return np.empty(0, np.uint64)
    return _mix64(_windows(words, size))


def merge_batches(*batches: ShingleBatch) -> ShingleBatch:
    """Each document's shingles from several batches of the same documents (e.g. single
    words and word pairs), as one sorted, unique set."""
    n = len(batches[0].counts)
    keys = [(np.repeat(np.arange(n, dtype=np.uint64), b.counts) << np.uint64(32)) | b.hashes.astype(np.uint64)
            for b in batches]
    unique = _sorted_unique(np.concatenate(keys))
    counts = np.bincount((unique >> np.uint64(32)).astype(np.int64), minlength=n)
    return ShingleBatch((unique & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                        np.concatenate(([0], np.cumsum(counts))))
