"""`honing import --format otlp`: OTLP files as the collector's file exporter writes them
(JSON lines), a single JSON request, and protobuf, into a dataset version of conversations."""

from __future__ import annotations

import base64
import gzip
import json

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from honing import accounts, datasets
from honing.ingest import otlp
from otlp_payloads import T0, TRACE, request, span, tool_conversation
from test_audit import run_cli

OTHER = "0af7651916cd43dd8448eb211c80319c"


def version_items(db, dataset: str):
    with db.reading() as session:
        ds = datasets.get_dataset(session, accounts.get_workspace(session, "helpdesk"), dataset)
        ids = list(datasets.version_item_ids(session, datasets.head_version(session, ds)))
        return [s.item for s in datasets.load_items(session, ids)]


def test_collector_json_lines_import_as_one_item_per_conversation(db, workspace, tmp_path, database_url):
    first, second = tool_conversation()
    other_first, other_second = tool_conversation(OTHER)
    path = tmp_path / "traces.jsonl"
    # the trace's spans arrive in separate lines, as batches do
    path.write_text("\n".join(json.dumps(request(spans)) for spans in
                              (first, other_first, second, other_second)) + "\n")
    result = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "production",
                     "--format", "otlp", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["spans"], summary["conversations"], summary["created"]) == (6, 2, True)
    items = version_items(db, "production")
    assert [i.external_id for i in items] == [f"trace:{TRACE}", f"trace:{OTHER}"]
    assert all(i.responses[0].content.startswith("Yes: order 42") for i in items)
    again = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "production",
                    "--format", "otlp")
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_a_single_pretty_printed_request_and_gzip_protobuf(db, workspace, tmp_path):
    first, second = tool_conversation()
    pretty = tmp_path / "export.json"
    pretty.write_text(json.dumps(request(first + second), indent=2))
    result = otlp.import_otlp_file(db, pretty, workspace="helpdesk", dataset="a", actor="t")
    assert (result.spans, result.conversations) == (3, 1)
    document = request(first + second)
    for s in document["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for key in ("traceId", "spanId", "parentSpanId"):
            s[key] = base64.b64encode(bytes.fromhex(s[key])).decode()
    binary = tmp_path / "export.pb.gz"
    binary.write_bytes(gzip.compress(json_format.ParseDict(
        document, ExportTraceServiceRequest()).SerializeToString()))
    result = otlp.import_otlp_file(db, binary, workspace="helpdesk", dataset="b", actor="t")
    assert (result.spans, result.conversations) == (3, 1)
    assert version_items(db, "a") == version_items(db, "b")


def test_openllmetry_flattened_attributes_are_read(db, workspace, tmp_path):
    """OpenLLMetry before the semantic conventions' message attributes: gen_ai.prompt.N.*."""
    legacy = span(TRACE, "eee19b7ec3c1b175", "openai.chat", {
        "gen_ai.request.model": "gpt-old", "gen_ai.response.model": "gpt-old-1",
        "gen_ai.usage.prompt_tokens": 40, "gen_ai.usage.completion_tokens": 7,
        "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Weather in Oslo?",
        "gen_ai.prompt.1.role": "assistant",
        "gen_ai.prompt.1.tool_calls.0.id": "c1", "gen_ai.prompt.1.tool_calls.0.name": "weather",
        "gen_ai.prompt.1.tool_calls.0.arguments": '{"city": "Oslo"}',
        "gen_ai.prompt.2.role": "tool", "gen_ai.prompt.2.tool_call_id": "c1",
        "gen_ai.prompt.2.content": "-3 C",
        "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "It is -3 C."},
        start=T0, end=T0 + 5_000_000)
    path = tmp_path / "legacy.jsonl"
    path.write_text(json.dumps(request([legacy])) + "\n")
    otlp.import_otlp_file(db, path, workspace="helpdesk", dataset="legacy", actor="t")
    [item] = version_items(db, "legacy")
    assert [m.role for m in item.messages] == ["user", "assistant", "tool"]
    assert item.messages[1].tool_calls[0].function.arguments == '{"city": "Oslo"}'
    assert item.messages[2].tool_call_id == "c1"
    response = item.responses[0]
    assert (response.content, response.model) == ("It is -3 C.", "gpt-old-1")
    assert (response.tokens.prompt, response.tokens.completion) == (40, 7)
    assert response.latency_ms == 5.0


def test_a_bad_line_stops_the_import_naming_it(db, workspace, tmp_path, database_url):
    first, _ = tool_conversation()
    path = tmp_path / "traces.jsonl"
    path.write_text(json.dumps(request(first)) + "\n{broken\n")
    result = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "p", "--format", "otlp")
    assert result.returncode == 2
    assert "traces.jsonl line 2: not valid JSON" in result.stderr
    refused = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "p", "--format",
                      "otlp", "--mode", "append")
    assert refused.returncode == 2 and "does not apply to OTLP" in refused.stderr
