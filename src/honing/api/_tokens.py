"""The caller's own API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from honing import accounts
from honing.api._auth import DB, CurrentPrincipal, ReadSession, credential, forget_recent
from honing.api._ids import PathId
from honing.api._schemas import ERROR_RESPONSES, TokenCreated, TokenIn, TokenOut

router = APIRouter(prefix="/api/tokens", tags=["tokens"], responses=ERROR_RESPONSES)


def _out(token) -> TokenOut:  # type: ignore[no-untyped-def]
    return TokenOut.model_validate(token, from_attributes=True)


@router.get("", response_model=list[TokenOut])
def list_tokens(principal: CurrentPrincipal, session: ReadSession) -> list[TokenOut]:
    return [_out(t) for t in accounts.list_tokens(session, principal.name)]


@router.post("", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, principal: CurrentPrincipal, db: DB, request: Request) -> TokenCreated:
    """A token made from a browser session ends with that session, unless a site admin asks
    for `outlive_session`."""
    settings = request.app.state.settings
    _, credential_secret = credential(request)
    with db.writing() as session:
        token, secret = accounts.create_token(
            session, principal, principal.name, body.name, days=body.days,
            default_days=settings.token_default_days, max_days=settings.token_max_days,
            minted_with=credential_secret, outlive_session=body.outlive_session)
        return TokenCreated(**_out(token).model_dump(), token=secret)


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: PathId, principal: CurrentPrincipal,
                 db: DB, request: Request) -> Response:
    with db.writing() as session:
        accounts.revoke_token(session, principal, token_id, owner=principal.name)
    forget_recent(request)
    return Response(status_code=204)
