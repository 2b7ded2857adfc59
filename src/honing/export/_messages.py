"""Items as the chat messages TRL's trainers read: roles system/user/assistant/tool only,
content a plain string, tool calls in the OpenAI shape that chat templates expect.

Retrieved passages (RAG context) are part of what the assistant saw, so they go into the
prompt as a system message; training without them would teach answers the model could
not have known.
"""

from __future__ import annotations

from typing import Any

import orjson

from honing._errors import InvalidInput
from honing.domain import Item, Message, Response

TRAINING_ROLES = ("system", "user", "assistant", "tool")
# "developer" is OpenAI's newer name for the system role; chat templates only know "system".
_ROLE_MAP = {"developer": "system"}


def training_role(role: str) -> str:
    mapped = _ROLE_MAP.get(role, role)
    if mapped not in TRAINING_ROLES:
        raise InvalidInput(f"role {role!r} has no training equivalent",
                           hint="roles must be one of: " + ", ".join(TRAINING_ROLES))
    return mapped


def _calls(calls: list[Any] | None) -> list[dict[str, Any]] | None:
    if not calls:
        return None
    return [{"id": c.id, "type": "function",
             "function": {"name": c.function.name, "arguments": c.function.arguments}} for c in calls]


def message_dict(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": training_role(message.role), "content": message.text}
    if calls := _calls(message.tool_calls):
        out["tool_calls"] = calls
    if message.role == "tool":
        out["tool_call_id"] = message.tool_call_id
        if message.name:
            out["name"] = message.name
    return out


def prompt_messages(item: Item) -> list[dict[str, Any]]:
    """The conversation up to the response being trained on, context passages included."""
    messages = [message_dict(m) for m in item.messages]
    if item.context:
        passages = "\n\n".join(f"[{doc.title or doc.id}]\n{doc.content}" for doc in item.context)
        text = f"Retrieved passages:\n\n{passages}"
        if messages and messages[0]["role"] == "system":
            messages[0] = {**messages[0], "content": f"{messages[0]['content']}\n\n{text}"}
        else:
            messages.insert(0, {"role": "system", "content": text})
    return messages


def assistant_message(response: Response | str) -> dict[str, Any]:
    if isinstance(response, str):
        return {"role": "assistant", "content": response}
    out: dict[str, Any] = {"role": "assistant", "content": response.content or ""}
    if calls := _calls(response.tool_calls):
        out["tool_calls"] = calls
    return out


def render_text(messages: list[dict[str, Any]], *, prompt: bool) -> str:
    """The standard (non-conversational) variant: a plain transcript. A prompt ends with the
    cue for the assistant's turn so that prompt + completion reads as one document."""
    parts = []
    for m in messages:
        text = m["content"]
        if m.get("tool_calls"):
            text = (text + "\n" if text else "") + orjson.dumps(m["tool_calls"]).decode()
        parts.append(f"{m['role'].capitalize()}: {text}")
    body = "\n\n".join(parts)
    return f"{body}\n\nAssistant:" if prompt else body


def completion_text(message: dict[str, Any]) -> str:
    text = message["content"]
    if message.get("tool_calls"):
        text = (text + "\n" if text else "") + orjson.dumps(message["tool_calls"]).decode()
    return " " + text
