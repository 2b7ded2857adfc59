"""Server-rendered pages: login, workspaces, datasets with their items, and one item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from honing import accounts, datasets, feedback
from honing._errors import HoningError, Unauthenticated
from honing.accounts import Permission, Principal, Role
from honing.api._access_audit import client_of
from honing.api._auth import SESSION_COOKIE, ReadSession, forget_recent
from honing.api._headers import is_https
from honing.api._ids import PathId
from honing.web._render import TEMPLATES

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


class LoginRequired(Exception):
    def __init__(self, next_path: str):
        self.next_path = next_path


def page_principal(request: Request, session: ReadSession) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired(request.url.path)
    try:
        return accounts.principal_for(session, cookie, kind="session")
    except Unauthenticated:
        raise LoginRequired(request.url.path) from None


PagePrincipal = Annotated[Principal, Depends(page_principal)]
PageSession = ReadSession


def _render(request: Request, template: str, context: Any, status: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"page": context}, status_code=status)


def _safe_next(value: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@dataclass
class LoginPage:
    next: str
    error: str | None = None
    username: str = ""
    user: None = None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _render(request, "login.html", LoginPage(next=_safe_next(next)))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form()] = "/"):  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    page = LoginPage(next=_safe_next(next), username=username)
    try:
        _, secret = accounts.login(request.app.state.db, username, password,
                                   client=client_of(request), days=settings.session_days,
                                   throttle=accounts.ThrottlePolicy.from_settings(settings))
    except accounts.TooManyAttempts as error:
        page.error = error.message
        response = _render(request, "login.html", page, 429)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except Unauthenticated as error:
        page.error = error.message
        return _render(request, "login.html", page, 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=is_https(request),
                        max_age=settings.session_days * 86400)
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with request.app.state.db.writing() as session:
            accounts.logout(session, cookie, client=client_of(request))
        forget_recent(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@dataclass
class WorkspacesPage:
    user: Principal
    workspaces: list[tuple[Any, Role | None]]


@router.get("/", response_class=HTMLResponse)
def workspaces(request: Request, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    rows = [(w, accounts.role_in(session, principal, w))
            for w in accounts.list_workspaces(session, principal)]
    return _render(request, "workspaces.html", WorkspacesPage(principal, rows))


@dataclass
class WorkspacePage:
    user: Principal
    workspace: Any
    role: Role
    datasets: list[tuple[Any, Any]]


@router.get("/w/{workspace}", response_class=HTMLResponse)
def workspace(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> Response:
    ws = accounts.authorize(session, principal, workspace, Permission.enter)
    role = accounts.role_in(session, principal, ws)
    if not role.can(Permission.read):
        # A rater's way into a workspace is their queues: the datasets are not theirs to read.
        return RedirectResponse(f"/w/{quote(ws.name, safe='')}/queues", status_code=303)
    return _render(request, "workspace.html", WorkspacePage(principal, ws, role, datasets.list_datasets(session, ws)))


@dataclass
class DatasetPage:
    user: Principal
    workspace: Any
    dataset: Any
    version: Any
    info: datasets.VersionInfo
    versions: list[datasets.VersionInfo]
    page: datasets.ItemPage
    filters: dict[str, str]
    facets: dict[str, list[tuple[str, int]]]
    links: dict[str, str | None] = field(default_factory=dict)


@router.get("/w/{workspace}/datasets/{dataset}", response_class=HTMLResponse)
def dataset(request: Request, workspace: str, dataset: str, principal: PagePrincipal,
            session: PageSession, version: str | None = None,
            page: Annotated[int, Query(ge=1, le=10**6)] = 1) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    ds = datasets.get_dataset(session, ws, dataset)
    v = datasets.resolve_version(session, ds, version or None)
    # Every other query parameter filters on metadata: ?intent=vpn_issue&language=de
    filters = {k: val for k, val in request.query_params.items()
               if k not in {"version", "page"} and val}
    items = datasets.item_page(session, v, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                               filters=filters)
    base = {"version": v.number, **filters}
    last = max(1, -(-items.total // PAGE_SIZE))
    links = {
        "prev": f"?{urlencode({**base, 'page': page - 1})}" if page > 1 else None,
        "next": f"?{urlencode({**base, 'page': page + 1})}" if page < last else None,
        "pages": str(last),
        "current": str(page),
    }
    return _render(request, "dataset.html", DatasetPage(
        user=principal, workspace=ws, dataset=ds, version=v,
        info=datasets.version_info(session, ds, v), versions=datasets.list_versions(session, ds),
        page=items, filters=filters, facets=datasets.metadata_facets(session, v), links=links))


@dataclass
class CardPage:
    user: Principal
    workspace: Any
    dataset: Any
    card: datasets.DatasetCard
    body: str  # the card's Markdown without its YAML header (shown as the header's facts)


@router.get("/w/{workspace}/datasets/{dataset}/card", response_class=HTMLResponse)
def dataset_card(request: Request, workspace: str, dataset: str, principal: PagePrincipal,
                 session: PageSession, version: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    """The version's dataset card: the same Markdown `honing dataset card show` writes."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    ds = datasets.get_dataset(session, ws, dataset)
    ref = f"{ds.name}@{version}" if version else ds.name
    card = datasets.build_card(session, ws, ref, db=request.app.state.db,
                               max_age_s=request.app.state.settings.figure_max_age_s)
    text = datasets.render_card_markdown(card)
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return _render(request, "dataset_card.html", CardPage(principal, ws, ds, card, body))


@dataclass
class ItemPageContext:
    user: Principal
    workspace: Any
    item: datasets.StoredItem
    tool_results: dict[str, str]
    back: str
    signals: list[feedback.StoredSignal]  # what end users said about the item, oldest first


@router.get("/w/{workspace}/items/{item_id}", response_class=HTMLResponse)
def item(request: Request, workspace: str, item_id: PathId, principal: PagePrincipal,
         session: PageSession, back: str | None = None) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    stored = datasets.get_item(session, ws, item_id)
    # Map each tool call to its result so the page can show them together.
    results = {m.tool_call_id: m.text for m in stored.item.messages if m.role == "tool"}
    return _render(request, "item.html", ItemPageContext(
        principal, ws, stored, results, _safe_next(back) if back else f"/w/{ws.name}",
        feedback.item_signals(session, stored.id)))


def render_error(request: Request, error: HoningError) -> HTMLResponse:
    return _render(request, "error.html", {"error": error, "user": None}, error.status_code)


def login_redirect(request: Request, error: LoginRequired) -> RedirectResponse:
    query = request.url.query
    target = error.next_path + (f"?{query}" if query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
