"""Which NER backends a workspace's PII scans run: a workspace setting, changed only after
each backend has loaded on this machine, and audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput, NotFound
from honing.datasets.pii._ner import NerBackend, load_backend, normalise_spec
from honing.storage import Workspace, WorkspaceSetting, utcnow

SETTING = "pii.backends"


def workspace_backends(session: Session, workspace: Workspace) -> list[str]:
    """The workspace's backend specs, in the order they were added (empty: rules only)."""
    row = session.get(WorkspaceSetting, (workspace.id, SETTING))
    return list(row.value) if row is not None else []


def set_workspace_backends(session: Session, workspace: Workspace, specs: Iterable[str], *,
                           actor: str) -> list[str]:
    """Replace the workspace's backends. Each spec is loaded first, so a missing package or
    model directory is refused and the setting stays as it was."""
    wanted = list(dict.fromkeys(normalise_spec(spec) for spec in specs))
    for spec in wanted:
        load_backend(spec)
    before = workspace_backends(session, workspace)
    if wanted == before:
        return before
    row = session.get(WorkspaceSetting, (workspace.id, SETTING))
    if not wanted:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(WorkspaceSetting(workspace_id=workspace.id, name=SETTING, value=wanted,
                                     updated_by=actor))
    else:
        row.value, row.updated_by, row.updated_at = wanted, actor, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="workspace.pii_backends",
                 target=f"workspace:{workspace.name}", workspace=workspace.name,
                 details={"before": before, "backends": wanted})
    return wanted


def add_workspace_backend(session: Session, workspace: Workspace, spec: str, *,
                          actor: str) -> list[str]:
    return set_workspace_backends(session, workspace,
                                  [*workspace_backends(session, workspace), spec], actor=actor)


def remove_workspace_backend(session: Session, workspace: Workspace, spec: str, *,
                             actor: str) -> list[str]:
    """Drop a backend; it need not load any more (removing an uninstalled model must work)."""
    current = workspace_backends(session, workspace)
    key = normalise_spec(spec)
    if key not in current:
        raise NotFound(f"workspace {workspace.name!r} has no PII backend {spec!r}",
                       hint="its backends: " + (", ".join(current) or "none (rules only)"))
    return set_workspace_backends(session, workspace, [s for s in current if s != key],
                                  actor=actor)


def check_backends_load(workspace: Workspace, specs: Iterable[str]) -> list[NerBackend]:
    """The workspace's backends, loaded, saying which setting to fix when one no longer loads
    (a scan must not quietly run with fewer detectors than the workspace asked for)."""
    loaded = []
    for spec in specs:
        try:
            loaded.append(load_backend(spec))
        except InvalidInput as exc:
            raise InvalidInput(
                f"workspace {workspace.name!r} scans with PII backend {spec!r}, which no longer "
                f"loads: {exc.message}",
                hint=f"{exc.hint + '; or ' if exc.hint else ''}remove it with `honing pii backend "
                     f"remove {spec} -w {workspace.name}`") from exc
    return loaded
