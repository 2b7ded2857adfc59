"""Jinja2 environment and the small filters templates need to show conversations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from honing.quality import num, with_n
from honing.release._format import difference
from honing.rubrics import Rubric, display_answer

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def pretty_json(value: Any) -> str:
    """Indented JSON; a string holding JSON (tool arguments, tool results) is parsed first.
    Returns the text unchanged when it is not JSON, so nothing a model wrote is hidden."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def is_json(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        orjson.loads(value)
    except orjson.JSONDecodeError:
        return False
    return True


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown(text: str | None) -> Markup:
    """Rubric guidelines are Markdown; raw HTML in them is escaped, never rendered."""
    return Markup(_MARKDOWN.render(text or ""))


def preview(text: str | None, length: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def answer(value: Any, where: Any, question_id: str | None = None) -> str:
    """`{{ v | answer(question) }}` or `{{ v | answer(rubric, "question_id") }}`: an answer in
    the rubric's words (`display_answer`); a question the rubric lacks is shown plainly."""
    question = where
    if isinstance(where, Rubric):
        question = next((q for q in where.questions if q.id == question_id), None)
    return display_answer(question, value)


TEMPLATES.env.filters["pretty_json"] = pretty_json
TEMPLATES.env.filters["preview"] = preview
TEMPLATES.env.filters["markdown"] = markdown
TEMPLATES.env.tests["json"] = is_json
TEMPLATES.env.filters["with_n"] = with_n  # label-quality figures with their interval and n
TEMPLATES.env.filters["difference"] = difference  # a change in percentage points with its interval
TEMPLATES.env.filters["num"] = num
TEMPLATES.env.filters["answer"] = answer  # answers in the rubric's labels, never a repr
