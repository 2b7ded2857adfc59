"""Workspace roles and what each may do.

Roles are not a ladder. Viewers and raters sit side by side at the bottom: a viewer reads
the workspace's data (datasets, items with all their metadata, runs, reports) and labels
nothing; a rater labels the items of their own assignments and reads nothing else, since
an item's metadata may hold the answer key that a blind queue hides (decision 0021).
Reviewers, leads and admins hold both, and more."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    enter = "enter"  # the workspace itself: its name, title and one's own role
    read = "read"  # its data: datasets, versions, items, suites, runs, comparisons
    label = "label"  # claim and label items of one's own assignments, see one's own feedback
    review = "review"  # accept or return raters' labels
    manage = "manage"  # rubrics, queues, imports, quality figures, adjudication
    administer = "administer"  # members and the audit log


class Role(StrEnum):
    viewer = "viewer"
    rater = "rater"
    reviewer = "reviewer"
    lead = "lead"
    admin = "admin"

    @property
    def permissions(self) -> frozenset[Permission]:
        return _PERMISSIONS[self]

    def can(self, permission: Permission) -> bool:
        return permission in _PERMISSIONS[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do everything `needed` may: a reviewer allows a viewer's
        and a rater's work, a rater does not allow a viewer's, nor a viewer a rater's."""
        return _PERMISSIONS[needed] <= _PERMISSIONS[self]


def roles_that_can(needed: Role | Permission) -> list[Role]:
    """Every role that satisfies `needed`, in the order roles are listed."""
    return [role for role in Role if (role.allows(needed) if isinstance(needed, Role) else role.can(needed))]


_VIEWER = frozenset({Permission.enter, Permission.read})
_RATER = frozenset({Permission.enter, Permission.label})
_REVIEWER = _VIEWER | _RATER | {Permission.review}
_LEAD = _REVIEWER | {Permission.manage}
_PERMISSIONS = {
    Role.viewer: _VIEWER,
    Role.rater: _RATER,
    Role.reviewer: _REVIEWER,
    Role.lead: _LEAD,
    Role.admin: _LEAD | {Permission.administer},
}
