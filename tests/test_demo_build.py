"""`honing demo` builds its workspace once; running it again changes nothing."""

from __future__ import annotations

from honing import accounts, audit, datasets
from honing.demo import DEMO_USERS, build_demo


def test_build_demo_is_idempotent(db):
    first = build_demo(db, count=60)
    assert set(first.created_users) == {u for u, _, _, _ in DEMO_USERS}
    assert first.versions == ["support-conversations@1", "support-conversations@2"]
    assert first.items == 60
    with db.reading() as session:
        events = len(audit.recent(session, limit=10_000))

    second = build_demo(db, count=60)
    assert second.created_users == {} and second.versions == ["support-conversations@2"]
    with db.reading() as session:
        assert len(audit.recent(session, limit=10_000)) == events
        ws = accounts.get_workspace(session, "helpdesk-assistant")
        versions = datasets.list_versions(session, datasets.get_dataset(session, ws, "support-conversations"))
        roles = {u.username: r.value for u, r in accounts.members(session, "helpdesk-assistant")}
        cohort_of = accounts.cohorts(session, ws)
        cohorts = {u.username: cohort_of[u.id] for u, _ in accounts.members(session, "helpdesk-assistant")}
    assert [v.parents for v in versions] == [[], ["support-conversations@1"]]
    assert roles == {u: r.value for u, _, r, _ in DEMO_USERS}
    assert cohorts == {u: c for u, _, _, c in DEMO_USERS}
    assert cohorts["rater3"] == "vendor-acme"
    for username, password in first.created_users.items():
        assert accounts.login(db, username, password)[0].username == username
