"""Request and response shapes of user management (site administrators)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

PASSWORD = ("at least 10 characters; leave out to have one generated, which the response "
            "shows once")


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64, description="lowercase letters, digits, '.', '_' or '-'")
    password: str | None = Field(default=None, max_length=1024, description=PASSWORD)
    display_name: str | None = Field(default=None, max_length=200)
    is_site_admin: bool = Field(default=False, description="may create workspaces and act in all of them")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(default=None, max_length=1024, description=PASSWORD)


class UserOut(BaseModel):
    username: str
    display_name: str
    is_site_admin: bool
    is_active: bool = Field(description="false once deactivated: its tokens and sessions are refused")
    created_at: datetime


class UserCreated(UserOut):
    password: str | None = Field(description="the generated password, shown this once; null when "
                                             "the request chose it")


class PasswordReset(BaseModel):
    username: str
    password: str | None = Field(description="the generated password, shown this once; null when "
                                             "the request chose it")
    sessions_ended: int = Field(description="browser sessions signed out; API tokens stay valid")


class UsersPage(BaseModel):
    users: list[UserOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")
