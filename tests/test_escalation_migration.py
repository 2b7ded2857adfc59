"""Migration 0014 (escalation outcomes): escalations raised before it keep their report and
come out open, with no assignee or outcome, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from honing.storage import Database
from honing.storage._database import _alembic_config


def test_existing_escalations_become_open(database_url, backend):
    fresh = database_url if backend == "postgresql" else database_url.replace("honing.db", "old.db")
    db = Database(fresh, migrate=False)
    if backend == "postgresql":  # the template is already at head: start from scratch
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    config = _alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
        for row in [
            "INSERT INTO workspace (id, name, title, created_at) VALUES (1, 'w', 'w', CURRENT_TIMESTAMP)",
            "INSERT INTO user_account (id, username, display_name, is_site_admin, is_active, created_at)"
            " VALUES (1, 'ann', 'ann', false, true, CURRENT_TIMESTAMP)",
            "INSERT INTO dataset (id, workspace_id, name, description, created_at) VALUES (1, 1, 'd', '', CURRENT_TIMESTAMP)",
            "INSERT INTO dataset_version (id, dataset_id, number, content_hash, item_count, operation, parameters, actor, created_at)"
            " VALUES (1, 1, 1, 'h', 1, 'import', '{}', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO rubric (id, workspace_id, name, created_at) VALUES (1, 1, 'r', CURRENT_TIMESTAMP)",
            "INSERT INTO rubric_version (id, rubric_id, number, content_hash, spec, source, actor, created_at)"
            " VALUES (1, 1, 1, 'h', '{}', '', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO queue (id, workspace_id, name, dataset_version_id, rubric_version_id, policy, status, actor, created_at)"
            " VALUES (1, 1, 'q', 1, 1, '{}', 'active', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO item (id, workspace_id, content_hash, messages, context, tools, metadata, created_at)"
            " VALUES (1, 1, 'h1', '[]', '[]', '[]', '{}', CURRENT_TIMESTAMP)",
            "INSERT INTO queue_item (id, queue_id, item_id, kind, position, taken) VALUES (1, 1, 1, 'live', 0, 1)",
            "INSERT INTO assignment (id, queue_id, queue_item_id, rater_id, status, swapped, leased_at,"
            " lease_expires_at, active_ms, flagged) VALUES (1, 1, 1, 1, 'submitted', false, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 0, false)",
            "INSERT INTO escalation (id, queue_id, assignment_id, item_id, rater_id, severity, summary, details,"
            " status, created_at) VALUES (1, 1, 1, 1, 1, 'S2', 'unsafe advice', '{}', 'open', CURRENT_TIMESTAMP)",
            "INSERT INTO escalation (id, queue_id, assignment_id, item_id, rater_id, severity, summary, details,"
            " status, created_at) VALUES (2, 1, 1, 1, 1, 'S3', 'odd status', '{}', 'triaged', CURRENT_TIMESTAMP)",
        ]:
            connection.execute(text(row))
    db.migrate()
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, summary, status, assignee_id, outcome, note, resolved_at, resolved_by_id"
            " FROM escalation ORDER BY id")).all()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.dispose()
    assert [tuple(r) for r in rows] == [(1, "unsafe advice", "open", None, None, None, None, None),
                                        (2, "odd status", "open", None, None, None, None, None)]
    assert revision >= "0014"  # the head, this migration or a later one
