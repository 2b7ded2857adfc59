"""OTLP trace intake: spans from OpenTelemetry SDKs and collectors become conversation items
(GenAI semantic conventions, OpenLLMetry and OpenInference shapes) and feedback signals."""

from honing.ingest.otlp._decode import JSON, PROTOBUF, SpanRecord, UnsupportedMediaType
from honing.ingest.otlp._intake import Received
from honing.ingest.otlp._service import (
    OtlpImportResult,
    decode_export,
    import_otlp_file,
    intake_item_id,
    media_type_of,
    receive_export,
    snapshot_intake,
)

__all__ = [
    "JSON",
    "PROTOBUF",
    "OtlpImportResult",
    "Received",
    "SpanRecord",
    "UnsupportedMediaType",
    "decode_export",
    "import_otlp_file",
    "intake_item_id",
    "media_type_of",
    "receive_export",
    "snapshot_intake",
]
