"""`replay:PATH`: outputs recorded earlier (by another tool, or your production logs) are
scored as if a model had just produced them: scoring changes can be tried without calling
any model, and a run can be reproduced exactly.

PATH is a JSONL file, one recording a line:

    {"scenario_id": "refund-1", "content": "...", "tool_calls": [...], "repeat": 0,
     "latency_ms": 812, "prompt_tokens": 120, "completion_tokens": 40, "model": "gpt-4o"}

Only `scenario_id` and `content` or `tool_calls` are required; `metadata` may hold
anything. A recording is looked up by scenario id and repeat, falling back to repeat 0
(one recording serves every repeat). A scenario without a recording is an error result.

Agent loops: a recording is the whole answer. When it has tool calls and the scenario has
tools, the first step answers with the tool calls (the scenario's mocks answer them) and
the next step with the recorded content, so the trajectory reads as it happened. To
record every step of a loop, give `"step": 0, 1, ...` (each step then answers as recorded).
The whole file is checked when the target is made; every bad line is reported with its
number.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from honing._errors import InvalidInput, Problem
from honing.domain import Message, ToolCall
from honing.evaluate.targets._base import TargetError, TargetReply, TargetRequest, check_options

_MAX_PROBLEMS = 20


class Recording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    scenario_id: Annotated[str, Field(min_length=1)]
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    repeat: Annotated[int, Field(ge=0)] = 0
    step: Annotated[int, Field(ge=0)] = 0
    latency_ms: Annotated[float, Field(ge=0)] | None = None
    prompt_tokens: Annotated[int, Field(ge=0)] | None = None
    completion_tokens: Annotated[int, Field(ge=0)] | None = None
    model: str | None = None
    metadata: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _needs_an_answer(self) -> Recording:
        if self.content is None and not self.tool_calls:
            raise ValueError("a recording needs 'content' or 'tool_calls'")
        return self


class ReplayTarget:
    name = "replay"

    def __init__(self, path: Path, recordings: dict[tuple[str, int], dict[int, Recording]], digest: str):
        self.path = path
        self.spec = f"replay:{path}"
        # The file's hash: the response cache must not serve answers of an older recording.
        self.params: dict[str, Any] = {"sha256": digest}
        self._recordings = recordings

    def __len__(self) -> int:
        return sum(len(steps) for steps in self._recordings.values())

    async def generate(self, request: TargetRequest) -> TargetReply:
        scenario_id = request.scenario.id
        steps = self._recordings.get((scenario_id, request.repeat)) or self._recordings.get((scenario_id, 0))
        if steps is None:
            raise TargetError(f"no recorded output for scenario {scenario_id} in {self.path}", retryable=False)
        recording = steps.get(request.step)
        if recording is None:
            earlier = [s for s in steps if s < request.step]
            if not earlier:
                raise TargetError(f"no recorded output for scenario {scenario_id} at step {request.step} in "
                                  f"{self.path}", retryable=False)
            # Past the recorded steps: the recording's answer text ends the loop.
            last = steps[max(earlier)]
            return TargetReply(message=Message(role="assistant", content=last.content or ""), model=last.model)
        tool_calls = recording.tool_calls or None
        content = recording.content
        if tool_calls and request.tools and (request.step + 1) not in steps and content is not None:
            content = None  # said at the next step, after the tool results
        return TargetReply(message=Message(role="assistant", content=content, tool_calls=tool_calls),
                           prompt_tokens=recording.prompt_tokens, completion_tokens=recording.completion_tokens,
                           latency_ms=recording.latency_ms, model=recording.model)

    async def aclose(self) -> None:
        return None


def load_recordings(path: Path) -> tuple[dict[tuple[str, int], dict[int, Recording]], str]:
    """Every recording of a JSONL file, by (scenario id, repeat) then step, and the file's
    SHA-256. Raises InvalidInput listing the bad lines."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"the replay file {path} does not exist") from None
    except OSError as error:
        raise InvalidInput(f"cannot read the replay file {path}: {error.strerror or error}") from None
    recordings: dict[tuple[str, int], dict[int, Recording]] = {}
    first_line: dict[tuple[str, int, int], int] = {}
    problems: list[Problem] = []
    bad = 0
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            recording = Recording.model_validate_json(line)
        except ValidationError as error:
            bad += 1
            if len(problems) < _MAX_PROBLEMS:
                problems.append(_problem(path, number, error))
            continue
        key = (recording.scenario_id, recording.repeat, recording.step)
        if key in first_line:
            bad += 1
            if len(problems) < _MAX_PROBLEMS:
                problems.append(Problem(f"a second recording for scenario {key[0]!r} repeat {key[1]} step {key[2]} "
                                        f"(the first is on line {first_line[key]})", file=str(path), line=number))
            continue
        first_line[key] = number
        recordings.setdefault((recording.scenario_id, recording.repeat), {})[recording.step] = recording
    if bad:
        more = f" (the first {len(problems)} are listed)" if bad > len(problems) else ""
        raise InvalidInput(f"the replay file {path} has {bad} bad line{'s' if bad > 1 else ''}{more}",
                           problems=problems, hint="one JSON object a line: {\"scenario_id\": ..., \"content\": ...}")
    if not recordings:
        raise InvalidInput(f"the replay file {path} has no recordings")
    return recordings, hashlib.sha256(raw).hexdigest()


def _problem(path: Path, number: int, error: ValidationError) -> Problem:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return Problem(f"not valid JSON ({first['msg']})", file=str(path), line=number)
    if first["type"] == "model_type":
        return Problem("not a JSON object", file=str(path), line=number)
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key (put extra data under 'metadata')"
    count = error.error_count()
    return Problem(message + (f" (and {count - 1} more)" if count > 1 else ""), file=str(path), line=number,
                   field=field)


def from_spec(rest: str, *, options: dict[str, Any]) -> ReplayTarget:
    check_options("replay", options, ())
    if not rest.strip():
        raise InvalidInput("replay: needs the path of a JSONL file of recordings", hint="replay:outputs.jsonl")
    path = Path(rest.strip())
    recordings, digest = load_recordings(path)
    return ReplayTarget(path, recordings, digest)


__all__ = ["Recording", "ReplayTarget", "from_spec", "load_recordings"]
