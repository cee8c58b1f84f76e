"""The catalogue service on SQLite and PostgreSQL: secrets encrypted at rest, specs for users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import SecretBox, generate_key
from llmchat.db import Database
from llmchat.errors import Conflict, InvalidInput
from llmchat.mcp import McpToolset, catalogue
from llmchat.mcp.schemas import McpServerCreate, McpServerUpdate
from llmchat.net import REGISTERED_SERVERS

TOKEN = "catalogue-secret-token"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    database = Database(database_url)
    await database.upgrade()
    try:
        async with database.session() as session:
            yield session
    finally:
        await database.dispose()


@pytest.fixture
def secrets() -> SecretBox:
    return SecretBox([generate_key()])


async def test_secrets_are_stored_encrypted(db: AsyncSession, secrets: SecretBox) -> None:
    data = McpServerCreate(name="api", url="https://mcp.example.com/mcp", auth_mode="bearer", auth_token=TOKEN)
    await catalogue.create_server(db, secrets, data)
    headers = McpServerCreate(name="hdr", url="https://x.example.com/mcp", auth_mode="headers", headers={"K": TOKEN})
    await catalogue.create_server(db, secrets, headers)
    raw = (await db.execute(text("SELECT auth_token_enc, headers_enc FROM mcp_servers"))).all()
    assert raw
    assert all(TOKEN not in str(value) for row in raw for value in row)
    with pytest.raises(Conflict):
        await catalogue.create_server(db, secrets, data.model_copy(update={"name": "API"}))


async def test_specs_carry_the_auth_of_each_mode(db: AsyncSession, secrets: SecretBox) -> None:
    bearer = await catalogue.create_server(
        db, secrets, McpServerCreate(name="b", url="http://10.1.2.3/mcp", auth_mode="bearer", auth_token=TOKEN)
    )
    forward = await catalogue.create_server(
        db, secrets, McpServerCreate(name="f", url="http://10.1.2.3/mcp", auth_mode="forward_user_token")
    )
    stdio = await catalogue.create_server(
        db, secrets, McpServerCreate(name="s", transport="stdio", command="node", args=["a.js", "--x"])
    )
    specs = await catalogue.registered_specs(db, secrets, [bearer.id, forward.id, stdio.id], user_token="jwt-1")
    assert [dict(s.headers) for s in specs] == [
        {"Authorization": f"Bearer {TOKEN}"},
        {"Authorization": "Bearer jwt-1"},
        {},
    ]
    assert {s.policy for s in specs} == {REGISTERED_SERVERS}
    assert (specs[2].command, specs[2].args) == ("node", ("a.js", "--x"))
    no_user = await catalogue.registered_specs(db, secrets, [forward.id])
    assert dict(no_user[0].headers) == {}

    await catalogue.update_server(db, secrets, forward.id, McpServerUpdate(enabled=False))
    with pytest.raises(InvalidInput, match="MCP server 'f' is disabled"):
        await catalogue.registered_specs(db, secrets, [forward.id])
    with pytest.raises(InvalidInput, match="No registered MCP server with id 'gone'"):
        await catalogue.registered_specs(db, secrets, ["gone"])


async def test_registered_servers_open_as_a_toolset(
    db: AsyncSession, secrets: SecretBox, everything_http_url: str, everything_sse_url: str
) -> None:
    one = await catalogue.create_server(db, secrets, McpServerCreate(name="one", url=everything_http_url))
    two = await catalogue.create_server(
        db, secrets, McpServerCreate(name="two", transport="sse", url=everything_sse_url)
    )
    toolset = await McpToolset.connect(await catalogue.registered_specs(db, secrets, [one.id, two.id]))
    try:
        assert (await toolset.call("two_echo", {"message": "hi"})).text == "Echo: hi"
    finally:
        await toolset.close()
