"""The canonical item: one conversation to judge, in the OpenAI chat shape.

Multi-turn conversations and tool traces are first-class: assistant messages carry
`tool_calls`, tool messages carry the `tool_call_id` they answer, and candidate
responses are separate from the conversation so that raters can compare them.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["system", "developer", "user", "assistant", "tool"]


class _Strict(BaseModel):
    # Unknown keys are an error: a typo such as "tool_call" must not silently vanish.
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionCall(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=256)]
    # OpenAI sends arguments as a JSON-encoded string; we keep exactly that string so
    # that a malformed argument string made by a model is preserved, not "repaired".
    arguments: str = "{}"

    @field_validator("arguments", mode="before")
    @classmethod
    def _encode_object_arguments(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        return value


class ToolCall(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=256)]
    type: Literal["function"] = "function"
    function: FunctionCall


class TextPart(_Strict):
    type: Literal["text"]
    text: str


class ImagePart(_Strict):
    type: Literal["image_url"]
    image_url: dict[str, Any]


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class Message(_Strict):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @model_validator(mode="after")
    def _check_role_fields(self) -> Message:
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a tool message needs 'tool_call_id' naming the call it answers")
        if self.role != "tool" and self.tool_call_id is not None:
            raise ValueError("only tool messages may carry 'tool_call_id'")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only assistant messages may carry 'tool_calls'")
        if self.content is None and not self.tool_calls:
            raise ValueError("a message needs 'content' (or 'tool_calls' for an assistant)")
        return self

    @property
    def text(self) -> str:
        """The message's text, with content parts joined; empty when there is none."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))


class ContextDocument(_Strict):
    """A retrieved passage (RAG) the assistant could see."""

    id: Annotated[str, Field(min_length=1, max_length=256)]
    content: str
    title: str | None = None
    source: str | None = None
    score: float | None = None


class ToolFunction(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=256)]
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    strict: bool | None = None


class ToolDefinition(_Strict):
    type: Literal["function"] = "function"
    function: ToolFunction


class TokenUsage(_Strict):
    prompt: int | None = Field(default=None, ge=0)
    completion: int | None = Field(default=None, ge=0)


class Response(_Strict):
    """One candidate response to the conversation, from one model version."""

    model: str | None = None
    model_version: str | None = None
    prompt_version: str | None = None
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    latency_ms: float | None = Field(default=None, ge=0)
    tokens: TokenUsage | None = None

    @model_validator(mode="after")
    def _needs_something(self) -> Response:
        if self.content is None and not self.tool_calls:
            raise ValueError("a response needs 'content' or 'tool_calls'")
        return self


class Item(_Strict):
    """One conversation to judge."""

    external_id: Annotated[str, Field(max_length=512)] | None = None
    messages: Annotated[list[Message], Field(min_length=1)]
    context: list[ContextDocument] = Field(default_factory=list)
    tools: list[ToolDefinition] = Field(default_factory=list)
    responses: list[Response] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _tool_results_answer_calls(self) -> Item:
        # A tool result that answers no earlier call is a broken trace; catching it at
        # import keeps every later view and scorer from having to guess.
        seen: set[str] = set()
        for index, message in enumerate(self.messages):
            for call in message.tool_calls or ():
                seen.add(call.id)
            if message.role == "tool" and message.tool_call_id not in seen:
                raise ValueError(
                    f"messages[{index}] answers tool_call_id {message.tool_call_id!r}, "
                    "which no earlier assistant message called"
                )
        return self

    def canonical_json(self) -> bytes:
        """Stable bytes for hashing: sorted keys, no defaults that were never set."""
        return orjson.dumps(
            self.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS
        )

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json()).hexdigest()
