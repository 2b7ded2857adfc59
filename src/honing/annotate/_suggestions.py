"""Model pre-labels attached to items: shown to raters as suggestions to confirm."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput, Problem
from honing.storage import ItemRow, Suggestion, Workspace


def add_suggestions(session: Session, workspace: Workspace, records: list[dict[str, Any]], *,
                    actor: str) -> int:
    """Any number per item and question; each keeps its source and score."""
    item_ids = {r["item_id"] for r in records}
    known = set(session.scalars(select(ItemRow.id).where(ItemRow.workspace_id == workspace.id,
                                                         ItemRow.id.in_(item_ids))))
    problems = [Problem(f"item {r['item_id']} does not exist in this workspace", row=i,
                        field="item_id") for i, r in enumerate(records, start=1)
                if r["item_id"] not in known]
    if problems:
        raise InvalidInput("some suggestions point at unknown items; nothing was added",
                           problems=problems[:50])
    session.execute(Suggestion.__table__.insert(), [
        {"item_id": r["item_id"], "question": r["question"], "value": r["value"],
         "source": r["source"], "score": r.get("score")} for r in records])
    audit.record(session, actor=actor, action="suggestion.add", target=f"workspace:{workspace.name}",
                 workspace=workspace.name, details={"suggestions": len(records)})
    return len(records)


def add_new_suggestions(session: Session, workspace: Workspace, records: list[dict[str, Any]], *,
                        actor: str) -> int:
    """`add_suggestions` for those whose item, question and source have none stored yet:
    what an import that may run twice over the same file needs."""
    if not records:
        return 0
    known = set(session.execute(select(Suggestion.item_id, Suggestion.question, Suggestion.source).where(
        Suggestion.item_id.in_({r["item_id"] for r in records}))).all())
    fresh, seen = [], set()
    for record in records:
        key = (record["item_id"], record["question"], record["source"])
        if key not in known and key not in seen:
            seen.add(key)
            fresh.append(record)
    return add_suggestions(session, workspace, fresh, actor=actor) if fresh else 0
