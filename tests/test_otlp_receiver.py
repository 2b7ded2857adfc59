"""POST /v1/traces: OTLP/HTTP export requests (JSON and protobuf, gzip) become conversation
items in the workspace the token names; bad payloads get a 4xx with the reason."""

from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from sqlalchemy import func, select

from conftest import OPERATOR, make_user
from honing import accounts, datasets, feedback
from honing.accounts import Role
from honing.api import create_app
from honing.ingest import otlp
from honing.storage import OtlpSpan
from otlp_payloads import (
    FIRST,
    ROOT,
    SECOND,
    T0,
    TRACE,
    genai_call,
    parts,
    request,
    span,
    text,
    tool_conversation,
)
from test_audit import run_cli

JSON = {"content-type": "application/json"}


@pytest.fixture
def client(db, workspace, settings):
    token = make_user(db, "app", Role.lead)
    with TestClient(create_app(db, settings)) as c:
        c.headers["authorization"] = f"Bearer {token}"
        yield c


def item_of(db, conversation: str, ws: str = "helpdesk"):
    with db.reading() as session:
        workspace = accounts.get_workspace(session, ws)
        item_id = otlp.intake_item_id(session, workspace, conversation)
        assert item_id is not None, f"no item for {conversation}"
        return datasets.load_items(session, [item_id])[0]


def test_a_json_export_becomes_a_conversation_item(client, db):
    first, second = tool_conversation()
    answer = client.post("/v1/traces", content=json.dumps(request(first + second)), headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {}  # an ExportTraceServiceResponse with nothing refused
    stored = item_of(db, f"trace:{TRACE}")
    item = stored.item
    assert [m.role for m in item.messages] == ["system", "user", "assistant", "tool"]
    assert item.messages[1].content == "Can I get a refund for order 42?"
    call = item.messages[2].tool_calls[0]
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == (
        "call_1", "lookup_order", {"order": 42})
    assert item.messages[3].tool_call_id == "call_1"
    assert json.loads(item.messages[3].content) == {"status": "delivered", "days": 3}
    response = item.responses[0]
    assert response.content == "Yes: order 42 was delivered 3 days ago."
    assert response.model == "gpt-test-2025"
    assert (response.tokens.prompt, response.tokens.completion) == (58, 9)
    assert response.latency_ms == pytest.approx(400.0)
    meta = item.metadata
    assert meta["service.name"] == "support-bot"
    assert meta["latency_ms"] == pytest.approx(800.0)
    assert (meta["prompt_tokens"], meta["completion_tokens"]) == (89, 21)
    assert meta["error"] is False and meta["model_calls"] == 2
    assert item.external_id == f"trace:{TRACE}"


def test_protobuf_with_gzip_is_answered_in_protobuf(client, db):
    first, second = tool_conversation()
    message = json_format.ParseDict(_base64_ids(request(first + second)), ExportTraceServiceRequest())
    answer = client.post("/v1/traces", content=gzip.compress(message.SerializeToString()),
                         headers={"content-type": "application/x-protobuf",
                                  "content-encoding": "gzip"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/x-protobuf"
    parsed = ExportTraceServiceResponse.FromString(answer.content)
    assert parsed.partial_success.rejected_spans == 0
    assert item_of(db, f"trace:{TRACE}").item.responses[0].content.startswith("Yes: order 42")


def _base64_ids(document):
    import base64

    for rs in document["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    s[key] = base64.b64encode(bytes.fromhex(s[key])).decode()
    return document


def test_spans_sent_twice_and_in_two_batches_make_one_current_item(client, db):
    first, second = tool_conversation()
    for _ in range(2):
        assert client.post("/v1/traces", json=request(first)).status_code == 200
    early = item_of(db, f"trace:{TRACE}")
    assert early.item.responses[0].tool_calls[0].function.name == "lookup_order"
    assert client.post("/v1/traces", json=request(first)).status_code == 200
    assert item_of(db, f"trace:{TRACE}").id == early.id  # rebuilt from storage: the same item
    for _ in range(2):
        assert client.post("/v1/traces", json=request(second)).status_code == 200
    late = item_of(db, f"trace:{TRACE}")
    assert late.id != early.id
    assert late.item.responses[0].content.startswith("Yes: order 42")
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(OtlpSpan)) == 3
    # a snapshot of the intake holds the current item only
    snapshot = run_cli(db.engine.url.render_as_string(hide_password=False), "dataset", "intake",
                       "-w", "helpdesk", "-d", "production", "--json")
    assert snapshot.returncode == 0, snapshot.stderr
    assert json.loads(snapshot.stdout)["version"]["item_count"] == 1
    with db.reading() as session:
        ds = datasets.get_dataset(session, accounts.get_workspace(session, "helpdesk"), "production")
        assert list(datasets.version_item_ids(session, datasets.head_version(session, ds))) == [late.id]


def test_a_conversation_id_joins_traces_into_one_item(client, db):
    other = "0af7651916cd43dd8448eb211c80319c"
    turn = {"gen_ai.conversation.id": "chat-7"}
    one = genai_call(TRACE, FIRST, [parts("user", text("Hi"))], [parts("assistant", text("Hello!"))],
                     start=T0, end=T0 + 10, extra=turn)
    two = genai_call(other, SECOND, [parts("user", text("Hi")), parts("assistant", text("Hello!")),
                                     parts("user", text("Bye"))],
                     [parts("assistant", text("Goodbye!"))], start=T0 + 100, end=T0 + 200, extra=turn)
    assert client.post("/v1/traces", json=request([one])).status_code == 200
    assert client.post("/v1/traces", json=request([two])).status_code == 200
    item = item_of(db, "conversation:chat-7").item
    assert [m.content for m in item.messages] == ["Hi", "Hello!", "Bye"]
    assert item.responses[0].content == "Goodbye!"
    assert sorted(item.metadata["trace_ids"]) == sorted([TRACE, other])


def test_errors_and_feedback_on_spans(client, db):
    first, second = tool_conversation()
    second[0]["status"] = {"code": 2, "message": "rate limited"}
    feedback_span = span(TRACE, "eee19b7ec3c1b177", "user_feedback", {
        "user.feedback.thumbs": -1, "user.feedback.comment": "wrong order",
        "user.feedback.author": "user-77"}, start=T0 + 900, end=T0 + 1000, parent=ROOT,
        events=[{"name": "gen_ai.user.feedback",
                 "attributes": {"kind": "rating", "value": 2, "scale": 5}}])
    assert client.post("/v1/traces", json=request(first + [feedback_span])).status_code == 200
    early = item_of(db, f"trace:{TRACE}")
    assert client.post("/v1/traces", json=request(second)).status_code == 200
    assert client.post("/v1/traces", json=request([feedback_span])).status_code == 200  # again
    late = item_of(db, f"trace:{TRACE}")
    assert late.item.metadata["error"] is True
    assert late.item.metadata["errors"] == ["chat gpt-test: rate limited"]
    with db.reading() as session:
        signals = feedback.item_signals(session, late.id)
        assert feedback.item_signals(session, early.id) == []
    kinds = sorted((s.signal.kind.value, s.signal.value, s.signal.text) for s in signals)
    assert kinds == [("comment", None, "wrong order"), ("rating", 2.0, None), ("thumbs", -1.0, None)]
    assert {s.signal.source for s in signals} == {"otlp"}
    assert {s.signal.author for s in signals} == {"user-77"}


def test_bad_payloads_are_refused_with_the_reason(client, db):
    answer = client.post("/v1/traces", content=b"hello", headers={"content-type": "text/plain"})
    assert answer.status_code == 415 and "application/x-protobuf" in answer.json()["hint"]
    answer = client.post("/v1/traces", content=b"{not json", headers=JSON)
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["message"]
    answer = client.post("/v1/traces", content=b"\x0a\xff\xff", headers={
        "content-type": "application/x-protobuf"})
    assert answer.status_code == 400 and "ExportTraceServiceRequest" in answer.json()["message"]
    answer = client.post("/v1/traces", content=b"not gzip", headers={**JSON, "content-encoding": "gzip"})
    assert answer.status_code == 400 and "gzip" in answer.json()["message"]
    answer = client.post("/v1/traces", json={"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "zz", "spanId": "00"}]}]}]})
    assert answer.status_code == 400 and "hex id" in answer.json()["message"]


def test_spans_that_cannot_be_kept_are_reported_as_partial_success(client, db):
    first, _ = tool_conversation()
    bad_id = span("00000000000000000000000000000000", "eee19b7ec3c1b178", "x", {}, start=1, end=2)
    bad_feedback = span(TRACE, "eee19b7ec3c1b179", "fb", {"user.feedback.thumbs": 7}, start=1, end=2)
    answer = client.post("/v1/traces", json=request(first + [bad_id, bad_feedback]))
    assert answer.status_code == 200
    partial = answer.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "2"
    assert "trace_id" in partial["errorMessage"] and "(and 1 more)" in partial["errorMessage"]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(OtlpSpan)) == 2


def test_the_workspace_comes_from_the_token_or_is_named(db, workspace, settings):
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "sales", "Sales")
    token = make_user(db, "multi", Role.lead)
    with db.writing() as session:
        accounts.set_role(session, OPERATOR, "sales", "multi", Role.lead)
    viewer = make_user(db, "vic", Role.viewer)
    first, second = tool_conversation()
    body = json.dumps(request(first + second))
    with TestClient(create_app(db, settings)) as c:
        auth = {"authorization": f"Bearer {token}", **JSON}
        answer = c.post("/v1/traces", content=body, headers=auth)
        assert answer.status_code == 422 and "2 workspaces" in answer.json()["message"]
        assert "X-Honing-Workspace" in answer.json()["hint"]
        assert c.post("/v1/traces", content=body,
                      headers={**auth, "x-honing-workspace": "sales"}).status_code == 200
        assert item_of(db, f"trace:{TRACE}", "sales").item.responses
        assert c.post("/v1/traces?workspace=helpdesk", content=body, headers=auth).status_code == 200
        assert c.post("/v1/traces", content=body, headers={
            "authorization": f"Bearer {viewer}", **JSON}).status_code == 403
        assert c.post("/v1/traces", content=body, headers=JSON).status_code == 401


def test_the_otlp_body_limit_is_its_own_setting(db, workspace, tmp_path, database_url):
    from honing._config import Settings

    token = make_user(db, "app", Role.lead)
    settings = Settings(home=tmp_path / "h", database_url=database_url, max_json_bytes=1000,
                        max_otlp_bytes=200_000)
    first, second = tool_conversation()
    body = json.dumps(request(first + second))
    assert 1000 < len(body) < 200_000
    with TestClient(create_app(db, settings)) as c:
        auth = {"authorization": f"Bearer {token}", **JSON}
        assert c.post("/v1/traces", content=body, headers=auth).status_code == 200
        answer = c.post("/v1/traces", content=b" " * 200_001, headers=auth)
        assert answer.status_code == 413 and "HONING_MAX_OTLP_BYTES" in answer.json()["message"]
        bomb = gzip.compress(b" " * 300_000)
        answer = c.post("/v1/traces", content=bomb, headers={**auth, "content-encoding": "gzip"})
        assert answer.status_code == 400 and "inflates" in answer.json()["message"]


def test_the_settings_read_the_otlp_limit_from_the_environment(tmp_path):
    from honing._config import Settings

    assert Settings.from_env({"HONING_HOME": str(tmp_path)}).max_otlp_bytes == 8 * 1024 * 1024
    assert Settings.from_env({"HONING_HOME": str(tmp_path),
                              "HONING_MAX_OTLP_BYTES": "1234"}).max_otlp_bytes == 1234
