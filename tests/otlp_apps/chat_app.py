"""A small instrumented application: it asks a chat model for the weather, runs the tool the
model calls, and streams the final answer, with one of three OpenAI instrumentations enabled
and the OTLP HTTP exporter sending its spans.

Runs in its own virtual environment (tests/otlp_apps/requirements.txt), started by
tests/test_otlp_instrumentations.py as:

    python chat_app.py INSTRUMENTATION OPENAI_BASE_URL OTLP_TRACES_ENDPOINT TOKEN

INSTRUMENTATION is openai-v2, openllmetry or openinference. It prints the trace id."""

from __future__ import annotations

import json
import os
import sys


def instrument(name: str, provider) -> None:
    if name == "openai-v2":
        # Message content goes on the spans (not into log events) in this mode.
        os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_ONLY"
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
    elif name == "openllmetry":
        os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
    elif name == "openinference":
        from openinference.instrumentation.openai import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
    else:
        raise SystemExit(f"unknown instrumentation {name!r}")


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}


def main() -> None:
    name, base_url, endpoint, token = sys.argv[1:5]
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create(
        {"service.name": "weather-bot", "deployment.environment": "test"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(
        endpoint=endpoint, headers={"Authorization": f"Bearer {token}"})))
    trace.set_tracer_provider(provider)
    instrument(name, provider)

    import openai

    client = openai.OpenAI(base_url=base_url, api_key="test-key")
    tracer = trace.get_tracer("weather-bot")
    with tracer.start_as_current_span("conversation") as root:
        messages = [{"role": "system", "content": "You answer weather questions."},
                    {"role": "user", "content": "What is the weather in Paris?"}]
        first = client.chat.completions.create(model="gpt-test", messages=messages,
                                               tools=[WEATHER_TOOL])
        call = first.choices[0].message.tool_calls[0]
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function",
             "function": {"name": call.function.name, "arguments": call.function.arguments}}]})
        city = json.loads(call.function.arguments)["city"]
        messages.append({"role": "tool", "tool_call_id": call.id,
                         "content": json.dumps({"city": city, "temperature_c": 18})})
        stream = client.chat.completions.create(model="gpt-test", messages=messages,
                                                tools=[WEATHER_TOOL], stream=True,
                                                stream_options={"include_usage": True})
        answer = "".join(chunk.choices[0].delta.content or ""
                         for chunk in stream if chunk.choices)
        assert answer, "the streamed answer was empty"
        trace_id = format(root.get_span_context().trace_id, "032x")
    provider.shutdown()
    print(trace_id)


if __name__ == "__main__":
    main()
