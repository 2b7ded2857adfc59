"""Targets: every spec kind parses (bad specs say what is wrong), and each kind answers:
openai and http against the mock model server, python functions in-process, replays from
JSONL recordings."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import textwrap

import pytest

from honing._errors import InvalidInput
from honing.domain import Message, ToolDefinition, ToolFunction
from honing.evaluate import Scenario
from honing.evaluate._mock_server import MockModelServer
from honing.evaluate._transport import Transport
from honing.evaluate.targets import (
    KINDS,
    HttpTarget,
    OpenAITarget,
    PythonTarget,
    ReplayTarget,
    Target,
    TargetError,
    TargetRequest,
    make_target,
)

LOOKUP = ToolDefinition(function=ToolFunction(name="lookup", parameters={"type": "object"}))


def request(text: str = "hello", *, scenario_id: str = "s1", tools: list | None = None, repeat: int = 0,
            step: int = 0, messages: list[Message] | None = None) -> TargetRequest:
    scenario = Scenario(id=scenario_id, input=text, tools=tools or [])
    return TargetRequest(scenario=scenario, messages=messages or scenario.messages(), tools=tools or [],
                         repeat=repeat, step=step)


def generate(spec: str, *requests: TargetRequest, options: dict | None = None):
    async def run():
        transport = Transport(backoff_base_s=0.001)
        target = make_target(spec, transport=transport, options=options)
        try:
            return [await target.generate(r) for r in requests]
        finally:
            await target.aclose()
            await transport.aclose()

    return asyncio.run(run())


def make(spec: str, options: dict | None = None) -> Target:
    return make_target(spec, transport=Transport(), options=options)


# -- specs -----------------------------------------------------------------------------

def test_each_kind_parses(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    openai = make("openai:gpt-4o-mini?temperature=0&max_tokens=256")
    assert isinstance(openai, OpenAITarget) and isinstance(openai, Target)
    assert openai.name == "openai" and openai.params == {"model": "gpt-4o-mini", "temperature": 0, "max_tokens": 256}
    assert openai.url == "https://api.openai.com/v1/chat/completions"
    assert openai.spec == "openai:gpt-4o-mini?max_tokens=256&temperature=0"  # canonical: sorted
    http = make("http:http://127.0.0.1:9/chat", {"response": "data.answer"})
    assert isinstance(http, HttpTarget) and http.params["response"] == "data.answer"
    module = tmp_path / "my_app_targets.py"
    module.write_text("def answer(messages, tools, scenario):\n    return 'hi'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert isinstance(make("python:my_app_targets:answer"), PythonTarget)
    replay = tmp_path / "out.jsonl"
    replay.write_text('{"scenario_id": "s1", "content": "x"}\n')
    assert isinstance(make(f"replay:{replay}"), ReplayTarget)
    assert set(KINDS) == {"openai", "http", "python", "replay", "transformers"}


def test_options_override_the_query_and_the_key_comes_from_the_named_variable(monkeypatch):
    monkeypatch.setenv("LOCAL_KEY", "secret-123")
    target = make("openai:m?base_url=http://127.0.0.1:8000/v1&temperature=0.5&api_key_env=LOCAL_KEY",
                  {"temperature": 0, "headers": {"X-Team": "evals"}, "stop": ["\n"]})
    assert target.params == {"model": "m", "temperature": 0, "stop": ["\n"]}
    assert target._headers == {"X-Team": "evals", "Authorization": "Bearer secret-123"}
    assert "secret-123" not in target.spec and "X-Team" not in target.spec
    assert "base_url=http://127.0.0.1:8000/v1" in target.spec


@pytest.mark.parametrize(("spec", "options", "expected"), [
    ("", None, "empty"),
    ("gpt-4o", None, "has no kind"),
    ("openia:gpt-4o", None, "unknown target kind 'openia'"),
    ("openai:", None, "nothing after 'openai:'"),
    ("openai:gpt 4o", None, "model name without spaces"),
    ("openai:m?temperature", None, "NAME=VALUE"),
    ("openai:m?temperature=0&temperature=1", None, "given twice"),
    ("openai:m?base_url=ftp://x", None, "not an http(s) URL"),
    ("openai:m?api_key=sk-123", None, "API key cannot be part"),
    ("openai:m?base_url=http://x/v1", {"stream": True}, "'stream' cannot be set"),
    ("http:not-a-url", None, "needs an http(s) URL"),
    ("http:http://x/chat", {"respons": "a.b"}, "unknown option for a http target: respons"),
    ("http:http://x/chat", {"request": "{not json"}, "request template is not JSON"),
    ("http:http://x/chat", {"request": {"q": "{{question}}"}}, "unknown placeholder in the http request template: "
                                                               "{{question}}"),
    ("http:http://x/chat", {"response": "data..answer"}, "has an empty part"),
    ("python:no_colon", None, "is not python:module:function"),
    ("python:honing_no_such_module_xyz:f", None, "cannot import 'honing_no_such_module_xyz'"),
    ("python:json:no_such_function", None, "'json' has no 'no_such_function'"),
    ("python:json:decoder", None, "not a function"),
    ("python:json:dumps", {"x": 1}, "unknown option for a python target"),
    ("replay:/no/such/file.jsonl", None, "does not exist"),
])
def test_malformed_specs_say_what_is_wrong(spec, options, expected):
    with pytest.raises(InvalidInput) as caught:
        make(spec, options)
    assert expected in str(caught.value)


def test_unknown_kind_lists_the_known_kinds():
    with pytest.raises(InvalidInput) as caught:
        make("gemini:pro")
    assert caught.value.hint and all(kind in caught.value.hint for kind in KINDS)


def test_openai_without_a_key_fails_fast_only_for_openai_itself(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(InvalidInput, match="OPENAI_API_KEY is not set"):
        make("openai:gpt-4o-mini")
    assert "Authorization" not in make("openai:m?base_url=http://127.0.0.1:1/v1")._headers  # local: fine


def test_transformers_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were not installed
    with pytest.raises(InvalidInput) as caught:
        make("transformers:./models/tiny")
    assert "pip install 'honing[transformers]'" in str(caught.value)


def test_transformers_target_answers_with_a_local_model(tmp_path, monkeypatch):
    """A tiny GPT-2 and tokenizer built and saved here (nothing downloaded) answer a
    scenario through the chat template, with token counts and latency."""
    missing = [m for m in ("torch", "transformers", "tokenizers") if importlib.util.find_spec(m) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the train extra, yet {', '.join(missing)} is missing")
        pytest.skip(f"needs {', '.join(missing)}")
    import torch
    from transformers import GPT2LMHeadModel

    from test_trl_training import tiny_config, tiny_tokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    torch.manual_seed(0)
    tokenizer = tiny_tokenizer([{"content": "my vpn drops every hour what should i do restart the client"}])
    model_dir = tmp_path / "tiny-gpt2"
    GPT2LMHeadModel(tiny_config(tokenizer)).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    target = make(f"transformers:{model_dir}", options={"max_new_tokens": 5})
    request = TargetRequest(scenario=Scenario(id="vpn", input="my vpn drops"),
                            messages=[Message(role="user", content="my vpn drops")], tools=[])
    reply = asyncio.run(target.generate(request))
    assert reply.message.role == "assistant" and isinstance(reply.message.content, str)
    assert reply.prompt_tokens and reply.prompt_tokens > 0 and 0 < (reply.completion_tokens or 0) <= 5
    assert reply.latency_ms is not None and reply.latency_ms > 0


# -- openai ----------------------------------------------------------------------------

def test_openai_against_the_mock_server_parses_content_tool_calls_and_usage():
    seen: list[dict] = []

    def script(body: dict) -> None:
        seen.append(body)
        return None  # the default answers

    tool_request = request('CALL lookup {"id": 7}', tools=[LOOKUP])
    with MockModelServer(script=script) as server:
        text, call = generate(f"openai:mock-1?base_url={server.base_url}&temperature=0&max_tokens=64",
                              request("hello there"), tool_request)
    assert text.message.content == "echo: hello there" and text.message.role == "assistant"
    assert (text.prompt_tokens, text.completion_tokens, text.model) == (2, 3, "mock-1")
    assert text.latency_ms > 0
    assert call.message.content is None
    assert call.message.tool_calls[0].function.name == "lookup"
    assert json.loads(call.message.tool_calls[0].function.arguments) == {"id": 7}
    assert seen[0] == {"model": "mock-1", "messages": [{"role": "user", "content": "hello there"}],
                       "temperature": 0, "max_tokens": 64}  # no nulls, no tools when there are none
    assert seen[1]["tools"][0]["function"]["name"] == "lookup"


def test_openai_agent_turn_after_a_tool_result():
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    messages = [Message(role="user", content="CALL lookup {}"), Message(role="assistant", tool_calls=[call]),
                Message(role="tool", tool_call_id="call_1", content="42 items")]
    with MockModelServer() as server:
        (reply,) = generate(f"openai:m?base_url={server.base_url}", request(messages=messages, tools=[LOOKUP]))
    assert reply.message.content == "tool said: 42 items"


def test_openai_tolerates_what_real_servers_send():
    def script(body: dict) -> dict:
        text = body["messages"][-1]["content"]
        if text == "refuse":
            return {"content": None, "refusal": "I can't help with that."}
        if text == "no id":  # some local servers: no call id, arguments as an object
            function = {"name": "f", "arguments": {"a": 1}}
            return {"content": None, "tool_calls": [{"type": "function", "function": function}]}
        return {"choices": []}

    with MockModelServer(script=script) as server:
        spec = f"openai:m?base_url={server.base_url}"
        refused, no_id = generate(spec, request("refuse"), request("no id"))
        assert refused.message.content == "I can't help with that."
        assert no_id.message.tool_calls[0].id.startswith("call_")
        assert json.loads(no_id.message.tool_calls[0].function.arguments) == {"a": 1}
        with pytest.raises(TargetError, match="without choices") as caught:
            generate(spec, request("empty"))
        assert caught.value.retryable is False


# -- http ------------------------------------------------------------------------------

def test_http_target_fills_the_template_and_reads_the_path():
    seen: list[dict] = []

    def script(body: dict) -> dict:
        seen.append(body)
        return {"choices": [{"message": {"role": "assistant", "content": "unused"}}],
                "data": {"answers": [{"text": f"answer to {body['question']}"}], "score": 0.5}}

    template = {"messages": [{"role": "user", "content": "{{input}}"}], "question": "{{input}}",
                "history": "{{messages}}", "session": "eval-{{scenario_id}}-{{repeat}}", "n": 1}
    with MockModelServer(script=script) as server:
        endpoint = f"http:{server.base_url}/chat/completions"
        first, number = generate(endpoint, request("why?", scenario_id="q-1", repeat=2), request("x"),
                                 options={"request": json.dumps(template), "response": "data.answers.0.text"})
        (whole,) = generate(endpoint, request("y"), options={"request": template, "response": "data.score"})
        (chat,) = generate(endpoint, request("z"), options={"request": template})
        with pytest.raises(TargetError, match=r"'7' not found at data.answers, which has a list of 1") as caught:
            generate(endpoint, request("w"), options={"request": template, "response": "data.answers.7.text"})
    assert first.message.content == "answer to why?" and number.message.content == "answer to x"
    assert seen[0]["history"] == [{"role": "user", "content": "why?"}]  # structured, not text
    assert seen[0]["session"] == "eval-q-1-2" and seen[0]["n"] == 1
    assert whole.message.content == "0.5"
    assert chat.message.content == "unused"  # no path: an OpenAI-shaped answer is read as one
    assert caught.value.retryable is False


# -- python ----------------------------------------------------------------------------

FUNCTIONS = '''
import asyncio

def sync_answer(messages, tools, scenario):
    return f"sync {scenario.id}: {messages[-1]['content']} ({len(tools)} tools)"

async def async_answer(messages, tools, scenario):
    await asyncio.sleep(0)
    return {"content": "async", "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": {"x": 1}}}]}

def broken(messages, tools, scenario):
    raise RuntimeError("database is down")

def misspelled(messages, tools, scenario):
    return {"contnet": "oops"}

def user_message(messages, tools, scenario):
    return {"role": "user", "content": "who am I?"}

class Agent:
    async def __call__(self, messages, tools, scenario):
        return "called"

agent = Agent()
'''


@pytest.fixture
def functions(tmp_path, monkeypatch):
    (tmp_path / "honing_test_functions.py").write_text(textwrap.dedent(FUNCTIONS))
    monkeypatch.syspath_prepend(str(tmp_path))
    return "python:honing_test_functions"


def test_python_sync_and_async_functions(functions):
    (sync,) = generate(f"{functions}:sync_answer", request("hi", scenario_id="p1", tools=[LOOKUP]))
    assert sync.message.content == "sync p1: hi (1 tools)" and sync.latency_ms >= 0
    (asynchronous,) = generate(f"{functions}:async_answer", request())
    assert asynchronous.message.content == "async"
    assert asynchronous.message.tool_calls[0].function.arguments == '{"x":1}'
    (called,) = generate(f"{functions}:agent", request())
    assert called.message.content == "called"


@pytest.mark.parametrize(("function", "expected"), [
    ("broken", "honing_test_functions:broken raised RuntimeError: database is down"),
    ("misspelled", "contnet"),
    ("user_message", "a 'user' message"),
])
def test_python_failures_are_target_errors(functions, function, expected):
    with pytest.raises(TargetError) as caught:
        generate(f"{functions}:{function}", request())
    assert expected in str(caught.value) and caught.value.retryable is False


# -- replay ----------------------------------------------------------------------------

def write_lines(path, rows) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return f"replay:{path}"


def test_replay_by_scenario_and_repeat(tmp_path):
    spec = write_lines(tmp_path / "out.jsonl", [
        {"scenario_id": "a", "content": "a, first", "latency_ms": 812, "prompt_tokens": 12, "completion_tokens": 3},
        {"scenario_id": "a", "repeat": 1, "content": "a, second"},
        "",
        {"scenario_id": "b", "content": "b only", "model": "gpt-4o", "metadata": {"source": "prod"}},
    ])
    a0, a1, a2, b1 = generate(spec, request(scenario_id="a"), request(scenario_id="a", repeat=1),
                              request(scenario_id="a", repeat=2), request(scenario_id="b", repeat=1))
    assert [r.message.content for r in (a0, a1, a2, b1)] == ["a, first", "a, second", "a, first", "b only"]
    assert (a0.latency_ms, a0.prompt_tokens, a0.completion_tokens) == (812, 12, 3)
    assert b1.model == "gpt-4o"
    with pytest.raises(TargetError, match="no recorded output for scenario c") as caught:
        generate(spec, request(scenario_id="c"))
    assert caught.value.retryable is False
    assert make(spec).params["sha256"]  # the cache sees a changed file as a new target


def test_replay_tool_calls_then_the_answer_in_an_agent_loop(tmp_path):
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    spec = write_lines(tmp_path / "out.jsonl", [{"scenario_id": "a", "content": "found it", "tool_calls": [call]}])
    first, second = generate(spec, request(scenario_id="a", tools=[LOOKUP]),
                             request(scenario_id="a", tools=[LOOKUP], step=1))
    assert first.message.tool_calls[0].id == "c1" and first.message.content is None
    assert second.message.content == "found it" and not second.message.tool_calls
    (no_tools,) = generate(spec, request(scenario_id="a"))  # the calls are the answer: all at once
    assert no_tools.message.content == "found it" and no_tools.message.tool_calls


def test_malformed_replay_files_name_each_bad_line(tmp_path):
    spec = write_lines(tmp_path / "bad.jsonl", [
        {"scenario_id": "a", "content": "ok"},
        "{not json",
        {"scenario_id": "b"},
        {"scenario_id": "c", "contents": "typo"},
        {"scenario_id": "a", "content": "again"},
        "[1, 2]",
        {"scenario_id": "d", "content": "x", "repeat": -1},
    ])
    with pytest.raises(InvalidInput) as caught:
        make(spec)
    error = caught.value
    assert "has 6 bad lines" in error.message
    lines = {p.line: str(p) for p in error.problems}
    assert set(lines) == {2, 3, 4, 5, 6, 7}
    assert all("bad.jsonl" in text for text in lines.values())
    assert "not valid JSON" in lines[2] and "needs 'content' or 'tool_calls'" in lines[3]
    assert "contents" in lines[4] and "unknown key" in lines[4]
    assert "first is on line 1" in lines[5] and "not a JSON object" in lines[6] and "repeat" in lines[7]
