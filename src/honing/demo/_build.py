"""Build the demo workspace: users with printed-once passwords and a realistic dataset."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from honing import accounts, datasets, ingest
from honing.accounts import Principal, Role
from honing.demo._annotation import build_demo_annotation
from honing.demo._evaluation import build_demo_evaluation, demo_home
from honing.demo._generator import DEMO_DATASET_SIZE, generate_items
from honing.demo._production import build_demo_production
from honing.storage import Database, User, Workspace

WORKSPACE = "helpdesk-assistant"
DATASET = "support-conversations"
# (username, display name, role, cohort): two raters of the in-house team and one from an
# annotation vendor, so label quality can be compared between the two.
DEMO_USERS = [
    ("admin", "Avery Admin", Role.admin, None),
    ("lead", "Lee Lead", Role.lead, None),
    ("reviewer", "Riley Reviewer", Role.reviewer, None),
    ("rater1", "Sam Rater", Role.rater, "in-house"),
    ("rater2", "Noor Rater", Role.rater, "in-house"),
    ("rater3", "Kai Rater", Role.rater, "vendor-acme"),
]
_ACTOR = Principal(name="cli:demo")


@dataclass
class DemoResult:
    workspace: str
    created_users: dict[str, str] = field(default_factory=dict)  # username -> password
    versions: list[str] = field(default_factory=list)
    items: int = 0
    annotation: dict[str, int] = field(default_factory=dict)  # what the demo queue simulated
    production: dict[str, int] = field(default_factory=dict)  # signals, sample and its review
    evaluation: dict[str, Any] = field(default_factory=dict)  # the demo suite and its two runs
    checks: list[str] = field(default_factory=list)  # checks run on the dataset's head for its card


def build_demo(db: Database, *, count: int = DEMO_DATASET_SIZE, seed: int = 7,
               home: Path | None = None) -> DemoResult:
    """Idempotent: a second run creates nothing and prints no passwords. Suite and replay
    files go to `home`/suites (default: beside a SQLite database, else HONING_HOME)."""
    suites = (home or demo_home(db)) / "suites"
    result = DemoResult(WORKSPACE)
    with db.writing() as session:
        if session.scalar(select(Workspace.id).where(Workspace.name == WORKSPACE)) is None:
            accounts.create_workspace(session, _ACTOR, WORKSPACE, "IT helpdesk assistant")
        for username, display, role, cohort in DEMO_USERS:
            if session.scalar(select(User.id).where(User.username == username)) is None:
                password = secrets.token_urlsafe(12)
                accounts.create_user(session, _ACTOR, username, password, display_name=display)
                accounts.set_role(session, _ACTOR, WORKSPACE, username, role, cohort=cohort)
                result.created_users[username] = password

    items = list(generate_items(count=count, seed=seed))
    head = _head(db)
    if head is not None and head.content_hash == datasets.version_hash(i.content_hash() for i in items):
        result.versions.append(head.ref)
        result.items = head.item_count
        result.annotation = build_demo_annotation(db)
        result.production = build_demo_production(db, WORKSPACE, DATASET)
        result.evaluation = build_demo_evaluation(db, suites)
        result.checks = _card_checks(db)
        return result
    # Two versions so lineage is visible from the start: last week's logs, then this week's.
    first_week = items[: int(count * 0.9)]
    for chunk, mode in ((first_week, "replace"), (items[len(first_week):], "append")):
        imported = ingest.import_items(
            db, chunk, workspace=WORKSPACE, dataset=DATASET, actor=_ACTOR.audit_name, mode=mode,
            parameters={"source": "honing demo generator", "seed": seed},
        )
        result.versions.append(imported.version.ref)
        result.items = imported.version.item_count
    result.annotation = build_demo_annotation(db)
    result.production = build_demo_production(db, WORKSPACE, DATASET)
    result.evaluation = build_demo_evaluation(db, suites)
    result.checks = _card_checks(db)
    return result


def _card_checks(db: Database) -> list[str]:
    """The checks the dataset card reports (PII scan, duplicates, contamination against the
    demo suite), run once on the head version so the card has them from the start."""
    with db.writing() as session:
        workspace = accounts.get_workspace(session, WORKSPACE)
        head = datasets.head_version(session, datasets.get_dataset(session, workspace, DATASET))
        missing = [kind for kind, found in datasets.stored_checks(session, head.id).items() if found is None]
        if missing:
            datasets.run_checks(session, workspace, DATASET, actor=_ACTOR.audit_name, kinds=missing)
    return missing


def _head(db: Database) -> datasets.VersionInfo | None:
    """The demo dataset's newest version, if it was built before."""
    with db.reading() as session:
        workspace = accounts.get_workspace(session, WORKSPACE)
        for dataset, version in datasets.list_datasets(session, workspace):
            if dataset.name == DATASET and version is not None:
                return datasets.version_info(session, dataset, version)
    return None
