"""Ingest: read JSONL, CSV and Parquet files into dataset versions, transactionally."""

from honing.ingest._mapping import parse_mapping
from honing.ingest._readers import FORMATS, Located, read_records
from honing.ingest._records import MAPPABLE_FIELDS, to_item
from honing.ingest._service import (
    ImportResult,
    Progress,
    import_file,
    import_items,
    validate_file,
    write_version,
)

__all__ = [
    "FORMATS",
    "ImportResult",
    "Located",
    "MAPPABLE_FIELDS",
    "Progress",
    "import_file",
    "import_items",
    "parse_mapping",
    "read_records",
    "to_item",
    "validate_file",
    "write_version",
]
