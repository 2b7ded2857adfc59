"""Duplicates: exact (same normalized text) and near (MinHash LSH, verified by exact
Jaccard), as a pure function over texts (`near_duplicates`) and over a dataset version's
items (`dedup_version`, then `write_deduplicated` for a version without them)."""

from honing.datasets.dedup._dataset import (
    DEFAULT_FIELD,
    FIELDS,
    SYSTEM_ROLES,
    DedupReport,
    DuplicateCluster,
    Field,
    check_field,
    dedup_version,
    item_text,
    write_deduplicated,
)
from honing.datasets.dedup._minhash import (
    MinHasher,
    band_keys,
    choose_bands,
    estimate_jaccard,
    jaccard,
)
from honing.datasets.dedup._near import (
    Cluster,
    DuplicatePair,
    NearDuplicates,
    clusters_of,
    near_duplicates,
)
from honing.datasets.dedup._normalize import normalize_text, normalized_words
from honing.datasets.dedup._shingles import (
    ShingleBatch,
    batch_words,
    merge_batches,
    ngram_hashes,
    shingle_texts,
    shingle_word_hashes,
)

__all__ = [
    "DEFAULT_FIELD",
    "FIELDS",
    "SYSTEM_ROLES",
    "Cluster",
    "DedupReport",
    "DuplicateCluster",
    "DuplicatePair",
    "Field",
    "MinHasher",
    "NearDuplicates",
    "ShingleBatch",
    "band_keys",
    "batch_words",
    "check_field",
    "choose_bands",
    "clusters_of",
    "dedup_version",
    "estimate_jaccard",
    "item_text",
    "jaccard",
    "merge_batches",
    "near_duplicates",
    "ngram_hashes",
    "normalize_text",
    "normalized_words",
    "shingle_texts",
    "shingle_word_hashes",
    "write_deduplicated",
]
