"""`transformers:PATH`: a local Hugging Face model (a directory with its weights and
tokenizer, or a hub id already in the local cache), run in-process.

Needs the optional extra: `pip install 'honing[transformers]'` (transformers and torch);
it is imported only when such a target is made. Options: `max_new_tokens` (default 256),
`temperature` (default 0: greedy decoding), `top_p`, `device_map` (default "auto" when
accelerate is installed, else the CPU), `torch_dtype` (e.g. "bfloat16").

The model is loaded on the first request, in a worker thread, and generates one answer at
a time (one model, one device: concurrent `generate` calls would only contend). The
conversation is formatted with the model's own chat template, tools included; the answer
is returned as text (tool calls written by the model are not parsed: formats differ from
model to model).
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import orjson

from honing._errors import InvalidInput
from honing.domain import Message
from honing.evaluate.targets._base import (
    TargetError,
    TargetReply,
    TargetRequest,
    check_options,
    messages_json,
    tools_json,
)

INSTALL_HINT = "pip install 'honing[transformers]'"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_OPTIONS = ("max_new_tokens", "temperature", "top_p", "device_map", "torch_dtype")


class TransformersTarget:
    name = "transformers"

    def __init__(self, path: str, options: dict[str, Any]):
        self.path = path
        self.spec = f"transformers:{path}"
        self.settings = {"max_new_tokens": 256, "temperature": 0.0, **options}
        self.params: dict[str, Any] = {"model": path, **self.settings}
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = asyncio.Lock()

    async def generate(self, request: TargetRequest) -> TargetReply:
        messages, tools = _template_messages(messages_json(request.messages)), tools_json(request.tools)
        async with self._lock:
            start = time.perf_counter()
            try:
                text, prompt_tokens, completion_tokens = await asyncio.to_thread(self._generate, messages, tools)
            except Exception as error:  # a model that cannot run is this scenario's error
                raise TargetError(f"transformers model {self.path} failed: {type(error).__name__}: {error}",
                                  retryable=False) from error
            latency_ms = (time.perf_counter() - start) * 1000.0
        return TargetReply(message=Message(role="assistant", content=text), prompt_tokens=prompt_tokens,
                           completion_tokens=completion_tokens, latency_ms=latency_ms, model=self.path)

    def _load(self) -> None:
        import transformers

        kwargs: dict[str, Any] = {}
        if self.settings.get("torch_dtype"):
            kwargs["torch_dtype"] = self.settings["torch_dtype"]
        device_map = self.settings.get("device_map")
        if device_map is None:
            try:
                import accelerate  # noqa: F401  (device_map needs it)

                device_map = "auto"
            except ImportError:
                device_map = None
        if device_map is not None:
            kwargs["device_map"] = device_map
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(self.path)
        self._model = transformers.AutoModelForCausalLM.from_pretrained(self.path, **kwargs)

    def _generate(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> tuple[str, int, int]:
        if self._model is None:
            self._load()
        tokenizer, model = self._tokenizer, self._model
        inputs = tokenizer.apply_chat_template(messages, tools=tools or None, add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True).to(model.device)
        temperature = float(self.settings.get("temperature") or 0.0)
        sampling: dict[str, Any] = {"do_sample": temperature > 0}
        if temperature > 0:
            sampling["temperature"] = temperature
            if self.settings.get("top_p") is not None:
                sampling["top_p"] = float(self.settings["top_p"])
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        output = model.generate(**inputs, max_new_tokens=int(self.settings["max_new_tokens"]), pad_token_id=pad,
                                **sampling)
        prompt_length = inputs["input_ids"].shape[-1]
        new_tokens = output[0][prompt_length:]
        return tokenizer.decode(new_tokens, skip_special_tokens=True), int(prompt_length), int(len(new_tokens))

    async def aclose(self) -> None:
        self._model = self._tokenizer = None


def _template_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat templates expect tool-call arguments as objects, not JSON text."""
    for message in messages:
        for call in message.get("tool_calls") or ():
            function = call.get("function", {})
            try:
                function["arguments"] = orjson.loads(function.get("arguments") or "{}")
            except orjson.JSONDecodeError:
                pass  # leave text the model wrote as it was
    return messages


def from_spec(rest: str, *, options: dict[str, Any]) -> TransformersTarget:
    try:
        import transformers  # noqa: F401  (only checking that the extra is installed)
    except ImportError:
        raise InvalidInput("the transformers target needs the optional 'transformers' extra, which is not "
                           "installed", hint=INSTALL_HINT) from None
    check_options("transformers", options, _OPTIONS)
    path = rest.strip()
    if not path:
        raise InvalidInput("transformers: needs a model path", hint="transformers:./models/my-model")
    if not Path(path).exists() and not _HUB_ID.match(path):
        raise InvalidInput(f"the model path {path} does not exist",
                           hint="give a local directory holding the model and its tokenizer (or a hub id, "
                           "org/name, already downloaded)")
    return TransformersTarget(path, dict(options))


__all__ = ["INSTALL_HINT", "TransformersTarget", "from_spec"]
