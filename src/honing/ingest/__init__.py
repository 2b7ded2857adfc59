"""Ingest: read JSONL, CSV and Parquet files into dataset versions, transactionally."""

from honing.ingest._readers import FORMATS
from honing.ingest._records import parse_mapping
from honing.ingest._service import ImportResult, Progress, import_file, import_items, validate_file

__all__ = ["FORMATS", "ImportResult", "Progress", "import_file", "import_items", "parse_mapping", "validate_file"]
