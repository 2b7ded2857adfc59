"""The canonical item model accepts OpenAI chat shapes and refuses broken traces."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from honing.domain import Item


def test_openai_chat_with_tool_calls_and_object_arguments():
    item = Item.model_validate({"messages": [
        {"role": "user", "content": "reset my password"},
        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "reset_password", "arguments": {"user": "ana", "notify": True}}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "{\"ok\": true}"},
    ]})
    # Object arguments are stored as the JSON string OpenAI uses, keys sorted.
    assert item.messages[1].tool_calls[0].function.arguments == '{"notify":true,"user":"ana"}'


@pytest.mark.parametrize("messages, needle", [
    ([], "at least 1"),
    ([{"role": "tool", "content": "x"}], "tool_call_id"),
    ([{"role": "user", "content": "x", "tool_calls": [
        {"id": "a", "function": {"name": "f"}}]}], "only assistant"),
    ([{"role": "assistant"}], "needs 'content'"),
    ([{"role": "user", "content": "x", "extra": 1}], "Extra inputs"),
    ([{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "zz", "content": "r"}],
     "no earlier assistant message called"),
])
def test_broken_messages_are_refused(messages, needle):
    with pytest.raises(ValidationError, match=needle):
        Item.model_validate({"messages": messages})


def test_response_needs_content_or_tool_calls():
    with pytest.raises(ValidationError, match="response needs"):
        Item.model_validate({"messages": [{"role": "user", "content": "x"}],
                             "responses": [{"model": "m"}]})
