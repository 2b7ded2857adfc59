"""Suite files: validated with errors that name file, line and field; stored as immutable
versions only when their content changes; streamed back in order."""

from __future__ import annotations

import json

import pytest

from honing import accounts
from honing._errors import InvalidInput
from honing.evaluate import push_suite, resolve_suite_version, stored_scenarios

SUITE = """
name: helpdesk-smoke
description: Smoke tests for the helpdesk assistant.
defaults:
  tags: [smoke]
  expect:
    - {type: latency, max_ms: 5000}
scenarios:
  - id: reset-password
    input: I forgot my password.
    tier: critical
    expect:
      - {type: contains, value: reset link}
  - id: vpn
    input:
      - {role: system, content: You are the IT helpdesk.}
      - {role: user, content: VPN error 809}
    tags: [network]
    expect:
      - {type: regex, pattern: "IKEv2"}
scenario_files: [more.jsonl]
"""


def write(tmp_path, suite: str = SUITE, lines: list[dict] | None = None):
    (tmp_path / "suite.yaml").write_text(suite)
    rows = lines if lines is not None else [
        {"id": f"case-{i}", "input": f"question {i}", "expect": [{"type": "contains", "value": str(i)}]}
        for i in range(3)]
    (tmp_path / "more.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return tmp_path / "suite.yaml"


def test_push_versions_by_content_and_streams_back(db, workspace, tmp_path):
    path = write(tmp_path)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        first = push_suite(session, ws, path, actor="cli:test")
    assert first.created and first.ref == "helpdesk-smoke@1" and first.scenarios == 5
    assert first.tiers == {"critical": 1, "important": 4}
    with db.writing() as session:
        again = push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test")
    assert not again.created and again.ref == "helpdesk-smoke@1"

    write(tmp_path, lines=[{"id": "case-0", "input": "question 0, changed"}])
    with db.writing() as session:
        second = push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test")
    assert second.created and second.ref == "helpdesk-smoke@2" and second.scenarios == 3
    assert second.content_hash != first.content_hash

    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        _, version = resolve_suite_version(session, ws, "helpdesk-smoke@1")
        page = stored_scenarios(session, version.id, start=1, limit=2)
    assert [(pos, s.id) for pos, s in page] == [(1, "vpn"), (2, "case-0")]
    vpn = page[0][1]
    # Defaults apply: the latency budget comes first, tags are merged.
    assert [e.type for e in vpn.expect] == ["latency", "regex"]
    assert vpn.tags == ["smoke", "network"] and vpn.tier == "important"
    assert vpn.messages()[0].role == "system"


@pytest.mark.parametrize(("suite", "lines", "expected"), [
    (SUITE.replace("value: reset link", "value: [1, 2]"), None, ("suite.yaml", None, "scenarios[0].expect[1]")),
    (SUITE.replace("type: regex", "type: regexp"), None, ("suite.yaml", None, "scenarios[1].expect[1]")),
    (SUITE, [{"id": "ok", "input": "x"}, {"id": "bad", "inptu": "x"}], ("more.jsonl", 2, None)),
    (SUITE, [{"id": "vpn", "input": "x"}], ("more.jsonl", 1, "id")),
    (SUITE.replace("name: helpdesk-smoke", "name: Helpdesk Smoke"), None, ("suite.yaml", 2, "name")),
])
def test_problems_name_file_line_and_field(db, workspace, tmp_path, suite, lines, expected):
    path = write(tmp_path, suite, lines)
    with db.writing() as session, pytest.raises(InvalidInput) as caught:
        push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test")
    file, line, field = expected
    problem = caught.value.problems[0]
    assert problem.file == file
    if line is not None:
        assert problem.line == line
    if field is not None:
        assert problem.field is not None and problem.field.startswith(field), problem
    # Nothing was stored.
    with db.reading() as session, pytest.raises(Exception, match="does not exist"):
        resolve_suite_version(session, accounts.get_workspace(session, workspace), "helpdesk-smoke")


def test_broken_jsonl_line_is_reported_with_its_line(db, workspace, tmp_path):
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "more.jsonl").write_text('{"id": "a", "input": "x"}\n{"id": "b", "input": \n')
    with db.writing() as session, pytest.raises(InvalidInput) as caught:
        push_suite(session, accounts.get_workspace(session, workspace), tmp_path / "suite.yaml", actor="t")
    assert caught.value.problems[0].line == 2 and "not valid JSON" in caught.value.problems[0].message
