"""What the API returns: documented shapes that make up the public OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from honing.accounts import Role


class ProblemOut(BaseModel):
    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    hint: str | None = None


class ErrorOut(BaseModel):
    """Every error response: a machine code, a message a person can act on, and details."""

    error: str
    message: str
    hint: str | None = None
    problems: list[ProblemOut] = []


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in [(400, "The body could not be parsed"), (401, "No valid credential"), (403, "The role is not enough"),
                         (404, "Unknown workspace, dataset, version or item"),
                         (409, "Conflicts with existing data"),
                         (413, "The request body is larger than the server's limit"),
                         (422, "The request or its data is not valid")]
}


class Health(BaseModel):
    status: str
    version: str
    database: str


class Me(BaseModel):
    username: str
    site_admin: bool


class WorkspaceOut(BaseModel):
    name: str
    title: str
    created_at: datetime
    role: Role | None = None


class WorkspaceIn(BaseModel):
    name: str = Field(description="lowercase letters, digits, '.', '_' or '-'")
    title: str | None = Field(default=None, max_length=200)


class MemberOut(BaseModel):
    username: str
    display_name: str
    role: Role
    cohort: str | None = Field(default=None, description="the team or vendor the member works for")


class MemberIn(BaseModel):
    role: Role
    cohort: str | None = Field(default=None, max_length=64, description=(
        "the team or annotation vendor the member works for (label quality is compared by "
        "cohort); left out keeps the current one, \"\" clears it"))


class Lineage(BaseModel):
    parents: list[str]
    operation: str
    parameters: dict[str, Any]
    actor: str
    created_at: str


class VersionOut(BaseModel):
    dataset: str
    number: int
    ref: str
    content_hash: str
    item_count: int
    lineage: Lineage


class DatasetOut(BaseModel):
    name: str
    description: str
    created_at: datetime
    head: VersionOut | None = None


class ItemOut(BaseModel):
    """An item in the canonical chat shape, with its stored id and response ids."""

    id: int
    position: int | None = None
    content_hash: str
    external_id: str | None = None
    messages: list[dict[str, Any]]
    context: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    metadata: dict[str, Any]


class ItemPageOut(BaseModel):
    version: str
    total: int
    offset: int
    limit: int
    items: list[ItemOut]


class ImportOut(BaseModel):
    created: bool
    records: int
    new_items: int
    version: VersionOut


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    days: int | None = Field(default=None, ge=1, le=3650, description=(
        "lifetime in days; the server's default (90) when left out, at most its maximum (365)"))
    outlive_session: bool = Field(default=False, description=(
        "site admins only: a token asked for from a browser session otherwise expires with "
        "that session and is revoked when it signs out"))


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown only this once")


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    workspace: str | None
    details: dict[str, Any]
    hash: str | None = Field(description=(
        "its hash in the chain; null for a moment after it is written, until the server seals it"))


class AuditVerifyOut(BaseModel):
    ok: bool
    checked: int
    broken_event_id: int | None
    reason: str | None
