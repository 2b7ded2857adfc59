"""Asking judge models: the `judge(spec, messages) -> reply text` callable that LLM-judge
scorers receive in their `ScoringContext`.

The runner and judge calibration share it, so a judge is called the same way whether it
grades a run or is being calibrated against human labels: one target per judge spec,
made on first use over the caller's `Transport` (pooled connections, rate limits and
retries shared with everything else in flight).
"""

from __future__ import annotations

from typing import Any

from honing.domain import Message
from honing.evaluate._model import Scenario
from honing.evaluate._transport import Transport
from honing.evaluate.scorers._registry import Judge
from honing.evaluate.targets import Target, TargetRequest, make_target


def judge_caller(transport: Transport, targets: dict[str, Target]) -> Judge:
    """A judge callable over `transport`. The targets it makes are kept in `targets`
    (spec -> target), so the caller can record which judges were asked and close them."""

    async def judge(spec: str, messages: list[dict[str, Any]]) -> str:
        if spec not in targets:
            targets[spec] = make_target(spec, transport=transport)
        conversation = [Message.model_validate(m) for m in messages]
        reply = await targets[spec].generate(TargetRequest(
            scenario=Scenario(id="judge", input=conversation), messages=conversation, tools=[]))
        return reply.message.text

    return judge


__all__ = ["judge_caller"]
