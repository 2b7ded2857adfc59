"""Accounts: workspaces, users, roles, API tokens and browser sessions."""

from honing.accounts._client import Client
from honing.accounts._credentials import (
    create_token,
    list_tokens,
    login,
    logout,
    principal_for,
    record_quietly,
    revoke_token,
)
from honing.accounts._imported import ensure_rater
from honing.accounts._passwords import hash_password, verify_password
from honing.accounts._roles import Permission, Role
from honing.accounts._service import (
    Principal,
    WorkspaceAccess,
    authorize,
    cohorts,
    create_user,
    create_workspace,
    get_user,
    get_workspace,
    hash_new_password,
    list_workspaces,
    members,
    remove_member,
    role_in,
    set_role,
    workspace_access,
    workspace_names,
)
from honing.accounts._throttle import ThrottlePolicy, TooManyAttempts
from honing.accounts._users import generate_password, list_users, reset_password, set_user_active

__all__ = [
    "Client",
    "Permission",
    "Principal",
    "Role",
    "WorkspaceAccess",
    "authorize",
    "cohorts",
    "create_token",
    "create_user",
    "create_workspace",
    "ensure_rater",
    "generate_password",
    "get_user",
    "get_workspace",
    "hash_new_password",
    "hash_password",
    "list_tokens",
    "list_users",
    "list_workspaces",
    "workspace_names",
    "login",
    "logout",
    "members",
    "principal_for",
    "remove_member",
    "reset_password",
    "revoke_token",
    "role_in",
    "record_quietly",
    "set_role",
    "ThrottlePolicy",
    "TooManyAttempts",
    "set_user_active",
    "verify_password",
    "workspace_access",
]
