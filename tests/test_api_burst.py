"""A burst of simultaneous reads over real HTTP: every request is answered, none waits for
a pooled connection that only another waiting request could release."""

from __future__ import annotations

import asyncio

import httpx

from conftest import make_user
from honing.accounts import Role
from honing.api import create_app
from live_server import serve


def test_150_simultaneous_reads_all_succeed(db, settings, workspace):
    token = make_user(db, "lee", Role.lead)
    app = create_app(db, settings)

    async def burst(base: str) -> list[int]:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, timeout=60,
                                     limits=httpx.Limits(max_connections=200)) as http:
            responses = await asyncio.gather(*[
                http.get("/api/workspaces/helpdesk", headers=headers) for _ in range(150)])
        return [r.status_code for r in responses]

    with serve(app) as base:
        codes = asyncio.run(burst(base))
    assert codes == [200] * 150
