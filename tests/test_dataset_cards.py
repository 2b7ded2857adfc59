"""Dataset cards: counts, sources, languages and lineage computed from the version, the
written fields edited and audited, the Hugging Face YAML header, and the card page."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from conftest import make_user
from honing import accounts, audit, datasets, ingest
from honing._errors import InvalidInput, NotFound
from honing.accounts import Role
from honing.api import create_app
from records import record, write_jsonl
from test_eval_pages import PASSWORD, login


def _two_versions(db, workspace, tmp_path) -> None:
    first = [record(i, metadata={"source": "production", "language": "en" if i % 4 else "de"}) for i in range(12)]
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", first), workspace=workspace, dataset="logs",
                       actor="cli:test")
    more = [record(i, metadata={"source": "synthetic", "language": "fr"}) for i in range(12, 16)]
    ingest.import_file(db, write_jsonl(tmp_path / "b.jsonl", more), workspace=workspace, dataset="logs",
                       actor="cli:test", mode="append")


def test_the_card_describes_the_version_and_its_lineage(db, workspace, tmp_path):
    _two_versions(db, workspace, tmp_path)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        fields = datasets.set_card_fields(session, ws, "logs", actor="cli:test", license="cc-by-4.0",
                                          intended_use="Regression tests of the helpdesk assistant.")
        assert fields["license"] == "cc-by-4.0" and fields["limitations"] == ""
        events = [e for e in audit.recent(session) if e.action == "dataset.card"]
        assert events and events[0].details == {"fields": ["license", "intended_use"]}
    with db.reading() as session:
        card = datasets.build_card(session, accounts.get_workspace(session, workspace), "logs")
        first = datasets.build_card(session, accounts.get_workspace(session, workspace), "logs@1")
    assert card.ref == "logs@2" and card.counts["items"] == 16 and card.counts["responses"] == 32
    assert card.sources == {"production": 12, "synthetic": 4}
    assert card.languages == {"en": 9, "fr": 4, "de": 3}
    assert [v["ref"] for v in card.lineage] == ["logs@2", "logs@1"] and card.lineage[0]["parents"] == ["logs@1"]
    assert [v["ref"] for v in first.lineage] == ["logs@1"]
    assert card.labels == [] and card.checks == {"pii": None, "dedup": None, "contamination": None}

    text = datasets.render_card_markdown(card)
    header = yaml.safe_load(text.split("---\n")[1])
    assert header == {"pretty_name": "logs@2", "size_categories": ["n<1K"], "license": "cc-by-4.0",
                      "language": ["en", "fr", "de"]}
    assert "## Intended use\n\nRegression tests of the helpdesk assistant." in text
    assert "## Limitations\n\n_Not written yet._" in text
    assert "| logs@2 | append |" not in text and "| logs@2 | import | 16 |" in text
    assert "Sources: production 12 (75.0%), synthetic 4 (25.0%)" in text
    assert "**PII scan:** not run" in text


def test_card_fields_are_checked(db, workspace, tmp_path):
    _two_versions(db, workspace, tmp_path)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        with pytest.raises(InvalidInput, match="unknown card field"):
            datasets.set_card_fields(session, ws, "logs", actor="cli:test", owner="me")
        with pytest.raises(InvalidInput, match="at most"):
            datasets.set_card_fields(session, ws, "logs", actor="cli:test", consent="x" * 30_000)
        with pytest.raises(NotFound):
            datasets.set_card_fields(session, ws, "nope", actor="cli:test", license="mit")


def test_the_card_page(db, settings, workspace, tmp_path):
    _two_versions(db, workspace, tmp_path)
    make_user(db, "vic", Role.viewer)
    make_user(db, "out", None)
    with db.writing() as session:
        for name in ("vic", "out"):
            accounts.get_user(session, name).password_hash = accounts.hash_password(PASSWORD)
        datasets.set_card_fields(session, accounts.get_workspace(session, workspace), "logs", actor="cli:test",
                                 limitations="<script>alert(1)</script> English only")
    with TestClient(create_app(db, settings)) as client:
        login(client, "vic")
        page = client.get(f"/w/{workspace}/datasets/logs/card", params={"version": "1"})
        assert page.status_code == 200, page.text
        assert "Dataset card: logs@1" in page.text and "<table>" in page.text
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
        assert f'href="/w/{workspace}/datasets/logs/card?version=2"' in client.get(f"/w/{workspace}/datasets/logs").text
        login(client, "out")
        assert client.get(f"/w/{workspace}/datasets/logs/card", headers={"accept": "text/html"}).status_code == 404


def test_the_demo_card_shows_its_pii_scan_and_lineage(demo_home):
    import json
    import subprocess
    import sys

    from browser_fixtures import demo_env

    home, _ = demo_home
    shown = subprocess.run([sys.executable, "-m", "honing", "dataset", "card", "show", "support-conversations",
                            "-w", "helpdesk-assistant"], env=demo_env(home), capture_output=True, text=True,
                           timeout=300)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "**PII scan** (run " in text and "items contain personal data" in text
    for entity in ("EMAIL", "PHONE", "CREDIT_CARD", "IBAN"):
        assert f"| {entity} |" in text, entity
    assert "| support-conversations@2 | import |" in text and "| support-conversations@1 | import |" in text
    card = json.loads(subprocess.run([sys.executable, "-m", "honing", "dataset", "card", "show",
                                      "support-conversations", "-w", "helpdesk-assistant", "--json"],
                                     env=demo_env(home), capture_output=True, text=True, timeout=300).stdout)
    pii = card["checks"]["pii"]["result"]
    assert pii["items_with_pii"] > 0 and pii["items_scanned"] == card["counts"]["items"]
    # Examples are masked: no e-mail address survives in the card.
    assert "@" not in json.dumps(pii["entities"]["EMAIL"]["examples"])
    assert [v["ref"] for v in card["lineage"]] == ["support-conversations@2", "support-conversations@1"]
    assert card["labels"][0]["queue"] == "helpdesk-review" and card["labels"][0]["agreement"]


def test_card_checks_keep_the_field_their_duplicates_compared(db, workspace, tmp_path):
    _two_versions(db, workspace, tmp_path)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        default = datasets.run_checks(session, ws, "logs@1", actor="cli:test", kinds=["dedup", "contamination"])
        chosen = datasets.run_checks(session, ws, "logs", actor="cli:test", kinds=["dedup", "contamination"],
                                     threshold=0.5, field="messages")
        with pytest.raises(InvalidInput, match="not one of: user, messages, responses, all"):
            datasets.run_checks(session, ws, "logs", actor="cli:test", kinds=["dedup"], field="system")
    assert default["dedup"]["parameters"] == {"threshold": 0.8, "field": "user"}
    assert default["contamination"]["parameters"]["field"] == "user"
    assert chosen["dedup"]["parameters"] == {"threshold": 0.5, "field": "messages"}
    assert chosen["contamination"]["parameters"]["field"] == "messages"
    with db.reading() as session:
        card = datasets.build_card(session, accounts.get_workspace(session, workspace), "logs")
    assert card.checks["dedup"]["parameters"]["field"] == "messages"
    assert "(threshold 0.5, conversation without system prompts compared)" in datasets.render_card_markdown(card)
