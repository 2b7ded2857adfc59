"""A lead sets up labeling in the browser: import a dataset file, push a rubric, create a
queue with its policy, add gold or qualification items. Each form posts (from setup.js,
with the CSRF header) to a route here that calls the same library function as the CLI and
the API, and answers with a small result panel: a link to what was made, or the problems
by file, line and field (nothing is written then)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse

from honing import accounts, annotate, datasets, ingest
from honing._errors import HoningError, InvalidInput
from honing.accounts import Permission, Principal
from honing.annotate import QueuePolicy
from honing.api._auth import DB, CurrentPrincipal
from honing.api._uploads import saved_upload
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)
ORDERS = ("random", "stratified", "priority", "dataset")
_TOO_LARGE = "import large files with the command line on the server"


@dataclass
class SetupPage:
    """The forms' context: what there is to pick from (datasets, versions, rubrics, keys)."""

    user: Principal
    workspace: Any
    title: str
    datasets: list[str] = field(default_factory=list)
    dataset: str | None = None
    versions: list[datasets.VersionInfo] = field(default_factory=list)
    metadata_keys: list[str] = field(default_factory=list)
    rubrics: list[str] = field(default_factory=list)
    queue: Any = None
    orders: tuple[str, ...] = ORDERS
    defaults: QueuePolicy = field(default_factory=QueuePolicy)


@dataclass
class SetupResult:
    """What a form's post answers: a link to what was made, or the error and its problems."""

    user: Principal | None
    message: str
    link: tuple[str, str] | None = None  # (href, text)
    links: list[tuple[str, str]] = field(default_factory=list)
    error: HoningError | None = None

    @property
    def fields(self) -> str:
        """The form fields named by the problems, so the page can mark them."""
        return " ".join(sorted({p.field.split(".")[0] for p in self.error.problems if p.field})) \
            if self.error else ""


def _lead_page(session: Any, principal: Principal, workspace: str, title: str) -> SetupPage:
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    return SetupPage(principal, ws, title)


def _answer(request: Request, principal: Principal, work: Callable[[], SetupResult]) -> HTMLResponse:
    """Run the work; a refusal by the library becomes the result panel with its status."""
    try:
        result = work()
    except HoningError as error:
        result = SetupResult(principal, error.message, error=error)
        return _render(request, "_setup_result.html", result, error.status_code)
    return _render(request, "_setup_result.html", result, 201)


def _check_lead(db: Any, principal: Principal, workspace: str) -> Any:
    """Refused callers get the usual error page (and the denial is recorded), not a panel."""
    with db.reading() as session:
        return accounts.authorize(session, principal, workspace, Permission.manage)


def _base(workspace: str) -> str:
    return f"/w/{quote(workspace, safe='')}"


# --- the area and its forms -----------------------------------------------------------

@router.get("/w/{workspace}/setup", response_class=HTMLResponse)
def setup(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    page = _lead_page(session, principal, workspace, "Set up labeling")
    page.datasets = [ds.name for ds, _ in datasets.list_datasets(session, page.workspace)]
    page.rubrics = [f"{name}@{v.number}" for name, v in annotate.list_rubric_versions(session, page.workspace)]
    page.queue = annotate.list_queues(session, page.workspace)
    return _render(request, "setup.html", page)


@router.get("/w/{workspace}/setup/import", response_class=HTMLResponse)
def import_form(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    page = _lead_page(session, principal, workspace, "Import a dataset")
    page.datasets = [ds.name for ds, _ in datasets.list_datasets(session, page.workspace)]
    return _render(request, "setup_import.html", page)


@router.get("/w/{workspace}/setup/rubric", response_class=HTMLResponse)
def rubric_form(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    return _render(request, "setup_rubric.html", _lead_page(session, principal, workspace, "Push a rubric"))


@router.get("/w/{workspace}/setup/queue", response_class=HTMLResponse)
def queue_form(request: Request, workspace: str, principal: PagePrincipal, session: PageSession,
               dataset: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    """The policy form for one dataset (picked first: its metadata keys are the checkboxes)."""
    page = _lead_page(session, principal, workspace, "Create a queue")
    page.datasets = [ds.name for ds, _ in datasets.list_datasets(session, page.workspace)]
    page.rubrics = [f"{name}@{v.number}" for name, v in annotate.list_rubric_versions(session, page.workspace)]
    page.dataset = dataset or (page.datasets[0] if page.datasets else None)
    if page.dataset:
        ds = datasets.get_dataset(session, page.workspace, page.dataset)
        page.versions = list(reversed(datasets.list_versions(session, ds)))
        head = datasets.head_version(session, ds)
        page.metadata_keys = datasets.metadata_keys(session, head) if head else []
    return _render(request, "setup_queue.html", page)


@router.get("/w/{workspace}/queues/{queue}/reference", response_class=HTMLResponse)
def reference_form(request: Request, workspace: str, queue: str, principal: PagePrincipal,
                   session: PageSession) -> HTMLResponse:
    page = _lead_page(session, principal, workspace, "Add gold or qualification items")
    page.queue = annotate.get_queue(session, page.workspace, queue)
    return _render(request, "setup_reference.html", page)


# --- what the forms post --------------------------------------------------------------
# Posts authenticate as the API does (a session cookie must come with the CSRF header) and
# authorize in the session that writes, so a request holds one connection at a time.

@router.post("/w/{workspace}/setup/import", response_class=HTMLResponse)
def import_post(request: Request, workspace: str, principal: CurrentPrincipal, db: DB,
                dataset: Annotated[str, Form(max_length=64)],
                file: Annotated[UploadFile, File()],
                format: Annotated[Literal["", "jsonl", "csv", "parquet"], Form()] = "",
                mode: Annotated[Literal["replace", "append"], Form()] = "replace",
                mapping: Annotated[str, Form(max_length=10_000)] = "") -> HTMLResponse:
    ws = _check_lead(db, principal, workspace)

    def work() -> SetupResult:
        fields = ingest.parse_mapping([line.strip() for line in mapping.splitlines() if line.strip()])
        with saved_upload(file, request.app.state.settings.max_upload_bytes, hint=_TOO_LARGE) as path:
            result = ingest.import_file(db, path, workspace=ws.name, dataset=dataset.strip(),
                                        actor=principal.audit_name, fmt=format or None, mode=mode,
                                        mapping=fields, source_name=path.name)
        v = result.version
        said = (f"imported {result.records} records as {v.ref} ({result.new_items} new items)"
                if result.created else f"nothing changed: the file's content equals {v.ref}")
        return SetupResult(principal, said, (f"{_base(ws.name)}/datasets/{quote(v.dataset)}?version={v.number}",
                                             f"open {v.ref}"),
                           [(f"{_base(ws.name)}/setup/queue?dataset={quote(v.dataset)}", "create a queue over it")])

    return _answer(request, principal, work)


@router.post("/w/{workspace}/setup/rubric", response_class=HTMLResponse)
def rubric_post(request: Request, workspace: str, principal: CurrentPrincipal, db: DB,
                yaml: Annotated[str, Form(max_length=1_000_000)] = "",
                file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    _check_lead(db, principal, workspace)

    def work() -> SetupResult:
        text, source = yaml, "rubric.yaml"
        if file is not None and file.filename:
            with saved_upload(file, request.app.state.settings.max_upload_bytes, hint=_TOO_LARGE) as path:
                source = path.name
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise InvalidInput(f"{source} is not UTF-8 text", hint="save the rubric as UTF-8") from None
        if not text.strip():
            raise InvalidInput("no rubric given", hint="upload a rubric YAML file or paste it into the editor")
        with db.writing() as session:
            ws = accounts.authorize(session, principal, workspace, Permission.manage)
            pushed = annotate.push_rubric(session, ws, text, source=source, actor=principal.audit_name)
        said = (f"pushed rubric {pushed.ref}" if pushed.created
                else f"nothing changed: the rubric equals {pushed.ref}")
        return SetupResult(principal, said, (f"{_base(ws.name)}/setup/queue", f"create a queue with {pushed.ref}"))

    return _answer(request, principal, work)


def _policy_values(form: dict[str, str], blind: bool, show_metadata: list[str]) -> dict[str, Any]:
    """The policy fields the form filled in; an empty box keeps the field's default."""
    values: dict[str, Any] = {k: v.strip() for k, v in form.items() if v.strip()}
    return {**values, "blind": blind, "show_metadata": show_metadata}


@router.post("/w/{workspace}/setup/queue", response_class=HTMLResponse)
def queue_post(request: Request, workspace: str, principal: CurrentPrincipal, db: DB,
               name: Annotated[str, Form(max_length=64)],
               dataset: Annotated[str, Form(max_length=64)],
               rubric: Annotated[str, Form(max_length=140)],
               version: Annotated[str, Form(max_length=20)] = "",
               overlap: Annotated[str, Form(max_length=20)] = "",
               gold_rate: Annotated[str, Form(max_length=20)] = "",
               audit_rate: Annotated[str, Form(max_length=20)] = "",
               order: Annotated[str, Form(max_length=20)] = "",
               stratify_by: Annotated[str, Form(max_length=64)] = "",
               priority_field: Annotated[str, Form(max_length=64)] = "",
               lease_seconds: Annotated[str, Form(max_length=20)] = "",
               per_rater_cap: Annotated[str, Form(max_length=20)] = "",
               qualification_min_score: Annotated[str, Form(max_length=20)] = "",
               turnaround_hours: Annotated[str, Form(max_length=20)] = "",
               blind: Annotated[bool, Form()] = False,
               show_metadata: Annotated[list[str], Form()] = []) -> HTMLResponse:  # noqa: B006
    form = {"overlap": overlap, "gold_rate": gold_rate, "audit_rate": audit_rate, "order": order,
            "stratify_by": stratify_by, "priority_field": priority_field, "lease_seconds": lease_seconds,
            "per_rater_cap": per_rater_cap, "qualification_min_score": qualification_min_score,
            "turnaround_hours": turnaround_hours}
    _check_lead(db, principal, workspace)

    def work() -> SetupResult:
        policy = annotate.parse_policy(_policy_values(form, blind, show_metadata))
        ref = f"{dataset}@{version}" if version.strip() else dataset
        with db.writing() as session:
            ws = accounts.authorize(session, principal, workspace, Permission.manage)
            queue = annotate.create_queue(session, ws, name=name.strip(), dataset_ref=ref, rubric_ref=rubric,
                                          policy=policy, actor=principal.audit_name)
            q = quote(queue.name, safe="")
        return SetupResult(principal, f"created queue {name.strip()}",
                           (f"{_base(ws.name)}/queues/{q}", f"open queue {name.strip()}"),
                           [(f"{_base(ws.name)}/queues/{q}/reference", "add gold or qualification items")])

    return _answer(request, principal, work)


@router.post("/w/{workspace}/queues/{queue}/reference", response_class=HTMLResponse)
def reference_post(request: Request, workspace: str, queue: str, principal: CurrentPrincipal, db: DB,
                   kind: Annotated[Literal["gold", "qualification"], Form()],
                   file: Annotated[UploadFile, File()]) -> HTMLResponse:
    with db.reading() as session:
        annotate.get_queue(session, accounts.authorize(session, principal, workspace, Permission.manage), queue)

    def work() -> SetupResult:
        with saved_upload(file, request.app.state.settings.max_upload_bytes, hint=_TOO_LARGE) as path:
            # Read and checked line by line first, as `honing queue reference` does.
            records, lines = annotate.read_reference_lines(path)
            with db.writing() as session:
                ws = accounts.authorize(session, principal, workspace, Permission.manage)
                q = annotate.get_queue(session, ws, queue)
                with annotate.rows_as_lines(path, lines, {"gold": "answers"}):
                    added = annotate.add_reference_items(session, ws, q, kind, records,
                                                         actor=principal.audit_name)
        return SetupResult(principal, f"added {added} {kind} item(s) to queue {queue}",
                           (f"{_base(ws.name)}/queues/{quote(queue, safe='')}", f"open queue {queue}"))

    return _answer(request, principal, work)
