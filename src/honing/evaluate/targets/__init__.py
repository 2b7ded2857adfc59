"""Targets: what a scenario is run against. `make_target(spec, transport=...)` reads a
spec (`openai:MODEL`, `http:URL`, `python:module:function`, `replay:PATH`,
`transformers:PATH`); every target answers a `TargetRequest` with a `TargetReply`, or
raises `TargetError` (counted as an error, not a failure)."""

from honing.evaluate.targets._base import Target, TargetError, TargetReply, TargetRequest
from honing.evaluate.targets._http import HttpTarget
from honing.evaluate.targets._openai import OpenAITarget, parse_chat_completion
from honing.evaluate.targets._python import PythonTarget
from honing.evaluate.targets._registry import KINDS, make_target
from honing.evaluate.targets._replay import Recording, ReplayTarget
from honing.evaluate.targets._transformers import TransformersTarget

__all__ = [
    "KINDS",
    "HttpTarget",
    "OpenAITarget",
    "PythonTarget",
    "Recording",
    "ReplayTarget",
    "Target",
    "TargetError",
    "TargetReply",
    "TargetRequest",
    "TransformersTarget",
    "make_target",
    "parse_chat_completion",
]
