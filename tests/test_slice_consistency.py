"""One slice, four surfaces: `honing eval compare`, `honing gate`, the release report and the
compare page show the same interval and the same verdict for it, on the demo's v1 and v2
runs. A verdict is read off the interval printed beside it, never off a different test."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from browser_fixtures import demo_env
from honing._config import Settings
from honing.api import create_app
from honing.storage import Database

SLICES = [("overall", "all"), ("tag", "account_lockout"), ("tag", "mfa_enrollment"), ("tag", "software_install")]


def honing(home, *args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "honing", *args], env={**demo_env(home), "COLUMNS": str(columns)},
                          capture_output=True, text=True, timeout=300)


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def surfaces(demo_home, tmp_path_factory):
    home, passwords = demo_home
    compared = honing(home, "eval", "compare", "1", "2", "-w", "helpdesk-assistant", "--json")
    assert compared.returncode == 0, compared.stderr
    table = honing(home, "eval", "compare", "1", "2", "-w", "helpdesk-assistant", columns=400)
    policy = str(home / "suites" / "gate-improvements.yaml")
    gate = honing(home, "gate", "--policy", policy, "-w", "helpdesk-assistant", "--run", "2", "--baseline", "1",
                  "--json")
    assert gate.returncode == 0, gate.stdout + gate.stderr
    out = tmp_path_factory.mktemp("report")
    report = honing(home, "report", "release", "-w", "helpdesk-assistant", "--policy", policy, "--run", "2",
                    "--baseline", "1", "--out", str(out))
    assert report.returncode == 0, report.stderr
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'honing.db'}")
    database = Database(settings.database_url)
    try:
        with TestClient(create_app(database, settings)) as client:
            signed_in = client.post("/login", data={"username": "lead", "password": passwords["lead"]},
                                    follow_redirects=False)
            assert signed_in.status_code == 303
            page = client.get("/w/helpdesk-assistant/runs/1/compare/2")
            assert page.status_code == 200
    finally:
        database.dispose()
    return {"compare": json.loads(compared.stdout), "table": table.stdout, "gate": json.loads(gate.stdout),
            "html": (out / "report.html").read_text(), "summary": (out / "summary.md").read_text(),
            "page": page.text}


def slice_of(comparison: dict, kind: str, name: str) -> dict:
    pool = [comparison["overall"]] if kind == "overall" else comparison[f"{kind}s"]
    return next(s for s in pool if s["name"] == name)


@pytest.mark.parametrize(("kind", "name"), SLICES)
def test_every_surface_shows_the_same_interval_and_verdict(surfaces, kind, name):
    found = slice_of(surfaces["compare"], kind, name)
    verdict, evidence = found["verdict_text"], found["evidence"]
    change = evidence.split(" over ")[0]  # "+17.0 pp [+5.2 pp, +30.3 pp]"
    basis = evidence.split(", on ", 1)[1]  # the adjusted interval the verdict is read from
    # The verdict follows from the interval it is read off.
    adjusted = found["adjusted"]
    excludes_zero = adjusted["low"] > 0 or adjusted["high"] < 0
    assert excludes_zero == (found["verdict"] in ("better", "worse")), found
    assert "tied" not in json.dumps(found)

    # The gate: the rule over this slice states the same evidence.
    rules = [r for r in surfaces["gate"]["rules"] if r["metric"] == "pass_rate"
             and (r["slice"]["kind"], r["slice"]["name"]) == (kind, name)]
    assert rules and all(evidence in r["reason"] for r in rules)
    assert all(r["difference"] == found["difference"] for r in rules)

    # The release report: the slice's row, and the rule's evidence in both files.
    row = re.search(rf'<tr class="slice"><td>{kind} <b>{name}</b></td>(.*?)</tr>', surfaces["html"], re.S)
    shown = text_of(row.group(1))
    assert change in shown and verdict in shown and basis in shown
    assert evidence in text_of(surfaces["html"]) and evidence in surfaces["summary"]

    # The compare page.
    row = re.search(rf'<tr data-kind="{kind}" data-name="{name}">(.*?)</tr>', surfaces["page"], re.S)
    shown = text_of(row.group(1))
    assert change in shown and verdict in shown and basis in shown

    # The command's table, wide enough not to wrap: the slice's row.
    label = "all" if kind == "overall" else name
    line = next(line for line in surfaces["table"].splitlines() if line.startswith(f"│ {label} "))
    assert change in line and verdict in line
