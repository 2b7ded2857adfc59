"""Rows in the dataset formats Hugging Face TRL reads, one function per format.

Conversational rows (lists of {"role", "content"} messages) are the default: the trainer
applies the model's own chat template, so the roles survive. `standard=True` writes plain
text instead, for base models without a template. Column names are TRL's:

| format | conversational | trainer |
|---|---|---|
| sft | messages | SFTTrainer |
| prompt-completion | prompt, completion | SFTTrainer |
| dpo | prompt, chosen, rejected | DPOTrainer |
| kto | prompt, completion, label (bool) | KTOTrainer |
| reward | chosen, rejected (implicit prompt: whole conversations) | RewardTrainer |

Conversational rows also carry `tools`: the item's tool definitions in the OpenAI function
format that chat templates render ({"type": "function", "function": {name, description,
parameters}}), as one JSON text (null when the item has none). Every TRL trainer here passes
it to `apply_chat_template(..., tools=...)`, decoding a string first; a string keeps each
schema exactly, where a nested column would be one struct merged over every tool of the
file. Plain-text rows have no template to render tools with, so they carry none.

Provenance columns follow: item_id, rubric_version, raters, agreement, adjudicated.
"""

from __future__ import annotations

import string
from typing import Any

import orjson

from honing.datasets import StoredItem
from honing.domain import Item
from honing.export._messages import (
    assistant_message,
    completion_text,
    prompt_messages,
    render_text,
)
from honing.export._select import Example

ROW_FORMATS = ("sft", "prompt-completion", "dpo", "kto", "reward")
PROVENANCE_COLUMNS = ("item_id", "rubric_version", "raters", "agreement", "adjudicated")


def row_columns(fmt: str, *, standard: bool) -> dict[str, str]:
    """Column -> kind ("messages", "text", "bool" or "tools"), in row order, before provenance."""
    body = "text" if standard else "messages"
    if fmt == "sft":
        return {"prompt": "text", "completion": "text"} if standard else \
            {"messages": "messages", "tools": "tools"}
    columns = {"prompt-completion": {"prompt": body, "completion": body},
               "kto": {"prompt": body, "completion": body, "label": "bool"},
               "dpo": {"prompt": body, "chosen": body, "rejected": body},
               "reward": {"chosen": body, "rejected": body}}[fmt]
    return columns if standard else {**columns, "tools": "tools"}


def tools_json(item: Item) -> str | None:
    """The item's tool schemas as the JSON text of TRL's `tools` column, or None."""
    if not item.tools:
        return None
    return orjson.dumps([tool.model_dump(mode="json", exclude_none=True) for tool in item.tools]).decode()


class MissingResponse(LookupError):
    """An example names a response letter the item does not have."""


def _response(item: Item, letter: str) -> dict[str, Any]:
    index = string.ascii_uppercase.index(letter)
    if index >= len(item.responses):
        raise MissingResponse(letter)
    return assistant_message(item.responses[index])


def _completion(item: Item, example: Example) -> dict[str, Any]:
    if example.text is not None:
        return assistant_message(example.text)
    assert example.chosen is not None
    return _response(item, example.chosen)


def _conversation(item: Item) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A dataset item with no labels: its conversation, the last assistant turn being the
    completion; else its single candidate response."""
    prompt = prompt_messages(item)
    if prompt[-1]["role"] == "assistant":
        return prompt[:-1], prompt[-1]
    if len(item.responses) == 1:
        return prompt, assistant_message(item.responses[0])
    return prompt, None


def render_row(fmt: str, stored: StoredItem, example: Example | None, *, standard: bool,
               provenance: bool, rubric_ref: str | None) -> dict[str, Any]:
    """One row; `example` None means an unlabeled dataset item (sft formats only)."""
    item = stored.item
    if example is None:
        prompt, completion = _conversation(item)
        if completion is None:
            raise MissingResponse("completion")
    else:
        prompt = prompt_messages(item)
        completion = _completion(item, example) if example.chosen or example.text else None
    text = (lambda msgs: render_text(msgs, prompt=True)) if standard else (lambda msgs: msgs)
    row: dict[str, Any]
    if fmt in ("sft", "prompt-completion", "kto"):
        assert completion is not None
        if fmt == "sft" and not standard:
            row = {"messages": [*prompt, completion]}
        else:
            row = ({"prompt": text(prompt), "completion": completion_text(completion)} if standard
                   else {"prompt": prompt, "completion": [completion]})
        if fmt == "kto":
            assert example is not None and example.label is not None
            row["label"] = bool(example.label)
    elif fmt in ("dpo", "reward"):
        assert example is not None and example.rejected is not None
        chosen, rejected = completion, _response(item, example.rejected)
        assert chosen is not None
        if fmt == "dpo":
            row = ({"prompt": text(prompt), "chosen": completion_text(chosen),
                    "rejected": completion_text(rejected)} if standard
                   else {"prompt": prompt, "chosen": [chosen], "rejected": [rejected]})
        elif standard:
            full = render_text(prompt, prompt=True)
            row = {"chosen": full + completion_text(chosen), "rejected": full + completion_text(rejected)}
        else:
            row = {"chosen": [*prompt, chosen], "rejected": [*prompt, rejected]}
    else:
        raise ValueError(fmt)
    if not standard:
        row["tools"] = tools_json(item)
    if provenance:
        row.update(item_id=stored.id, rubric_version=rubric_ref,
                   raters=list(example.raters) if example else [],
                   agreement=example.agreement if example else None,
                   adjudicated=example.adjudicated if example else False)
    return row
