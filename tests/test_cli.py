"""The CLI: help everywhere, exit codes scripts can rely on, thin calls into the library."""

from __future__ import annotations

import json

import pytest
import typer.main

from honing.cli import app
from records import record, write_jsonl
from test_audit import run_cli


def all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(group, prefix: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            paths.append([*prefix, name])
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])

    walk(root, [])
    return paths


def test_every_command_has_help():
    from typer.testing import CliRunner

    runner = CliRunner()
    commands = all_commands()
    assert len(commands) > 20
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_import_export_and_versions_through_the_cli(database_url, tmp_path):
    assert run_cli(database_url, "workspace", "create", "helpdesk").returncode == 0
    path = write_jsonl(tmp_path / "logs.jsonl", [record(i) for i in range(5)])
    first = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "logs", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["version"]["ref"] == "logs@1"
    again = run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", "logs")
    assert again.returncode == 0 and "no new version" in again.stdout

    out = tmp_path / "out.jsonl"
    exported = run_cli(database_url, "export", "logs@1", "-w", "helpdesk", "--format", "jsonl",
                       "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [
        f"t-{i:05d}" for i in range(5)]
    versions = json.loads(run_cli(database_url, "dataset", "versions", "logs", "-w", "helpdesk",
                                  "--json").stdout)
    assert [v["ref"] for v in versions] == ["logs@1"]
    log = json.loads(run_cli(database_url, "audit", "log", "--json").stdout)
    assert log[0]["action"] == "dataset.export"



def test_tables_piped_without_columns_are_not_cut_at_80(database_url, tmp_path):
    """`honing ... | grep` and redirects get whole rows: no COLUMNS and no terminal used to
    mean Rich's 80 columns, with names cut to '…'."""
    import os
    import subprocess
    import sys

    assert run_cli(database_url, "workspace", "create", "helpdesk").returncode == 0
    dataset = "customer-support-conversations-emea-region-second-quarter-2026"
    path = write_jsonl(tmp_path / "logs.jsonl", [record(i) for i in range(3)])
    assert run_cli(database_url, "import", str(path), "-w", "helpdesk", "-d", dataset).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["HONING_DATABASE_URL"] = database_url
    piped = subprocess.run([sys.executable, "-m", "honing", "dataset", "list", "-w", "helpdesk"],
                           env=env, text=True, capture_output=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    row = next(line for line in piped.stdout.splitlines() if dataset[:20] in line)
    assert dataset in row and "…" not in row and len(row) > 80

@pytest.mark.parametrize("args, code, needle", [
    (["import", "missing.jsonl", "-w", "helpdesk", "-d", "x"], 2, "does not exist"),
    (["export", "nope", "-w", "helpdesk", "--out", "x.jsonl"], 2, "does not exist"),
    (["export", "nope@", "-w", "helpdesk", "--out", "x.jsonl"], 2, "not valid"),
    (["member", "set", "ghost", "rater", "-w", "helpdesk"], 2, "ghost"),
    (["member", "set", "ghost", "emperor", "-w", "helpdesk"], 2, "not a role"),
    (["import"], 2, "Missing argument"),
])
def test_bad_input_exits_2_with_a_message(database_url, tmp_path, args, code, needle):
    run_cli(database_url, "workspace", "create", "helpdesk")
    result = run_cli(database_url, *args)
    assert result.returncode == code
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_user_and_token_commands(database_url):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HONING_DATABASE_URL": database_url, "PW": "a long password"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "honing", *a], env=env, text=True,  # noqa: E731
                                    capture_output=True, timeout=120)
    assert run("workspace", "create", "helpdesk").returncode == 0
    assert run("user", "create", "ana", "--password-env", "PW").returncode == 0
    assert run("member", "set", "ana", "lead", "-w", "helpdesk").returncode == 0
    token = json.loads(run("token", "create", "--user", "ana", "--json").stdout)
    assert token["token"].startswith("hon_")
    listed = run("token", "list", "--user", "ana", "--json").stdout
    assert token["token"] not in listed and json.loads(listed)[0]["name"] == "cli"
    assert run("token", "revoke", str(token["id"])).returncode == 0
