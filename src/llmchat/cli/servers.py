"""`llmchat servers`: registered MCP servers in the configured database, as the admin API manages them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from llmchat.cli._common import JsonOpt, Store, console, parse, print_json, reported_errors, run_with_store
from llmchat.errors import InvalidInput
from llmchat.mcp import catalogue
from llmchat.mcp.schemas import McpServerCreate, McpServerOut, McpServerTest
from llmchat.pagination import MAX_LIMIT, every_item

app = typer.Typer(help="Manage registered MCP servers: add them, list them and test them.", no_args_is_help=True)

ServerArg = Annotated[str, typer.Argument(help="The server's name or id.")]


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="A unique name; it prefixes tool names that collide with others.")],
    url: Annotated[str | None, typer.Option(help="Endpoint of a streamable HTTP or SSE server.")] = None,
    command: Annotated[str | None, typer.Option(help="Program that runs a stdio server.")] = None,
    arg: Annotated[list[str] | None, typer.Option("--arg", help="An argument for --command; repeat for more.")] = None,
    transport: Annotated[
        str | None, typer.Option(help="streamable_http, sse or stdio (default: stdio with --command, else HTTP).")
    ] = None,
    auth_mode: Annotated[
        str | None,
        typer.Option(help="none, bearer, headers or forward_user_token (default: from --token or --header)."),
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Bearer token; asked for, hidden, when --auth-mode bearer has none.")
    ] = None,
    header: Annotated[
        list[str] | None, typer.Option("--header", help="A header to send, as Name=value; repeat for more.")
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Register it switched off.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Register an MCP server. Its token and header values are stored encrypted.

    A stdio server: llmchat servers add files --command uvx --arg=mcp-server-fetch

    An HTTP server with a token (asked for when omitted):
    llmchat servers add search --url https://mcp.example.com/mcp --auth-mode bearer

    Then check it with: llmchat servers test NAME
    """
    with reported_errors():
        headers = _header_pairs(header or [])
        mode = auth_mode or ("bearer" if token else "headers" if headers else "none")
        if mode == "bearer" and not token:
            token = typer.prompt(f"Bearer token for {name}", hide_input=True)
        data = parse(
            McpServerCreate,
            name=name,
            transport=transport or ("stdio" if command else "streamable_http"),
            url=url,
            command=command,
            args=arg or [],
            auth_mode=mode,
            auth_token=token,
            headers=headers or None,
            enabled=not disabled,
        )
    server = run_with_store(lambda s: catalogue.create_server(s.session, s.secrets, data))
    if as_json:
        print_json(server)
        return
    console.print(f"Added MCP server {server.name} ({server.transport}), id {server.id}.", highlight=False)


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List the registered servers with their transport, target and auth mode (secrets masked)."""
    servers = run_with_store(_all_servers)
    if as_json:
        print_json(servers)
        return
    table = Table("Name", "Transport", "URL or command", "Auth", "Enabled")
    table.add_column("ID", overflow="fold")
    for s in servers:
        table.add_row(s.name, s.transport, _target(s), s.auth_mode, "yes" if s.enabled else "no", s.id)
    console.print(table)


async def _all_servers(store: Store) -> list[McpServerOut]:
    return await every_item(
        lambda offset: catalogue.list_servers(store.session, store.secrets, limit=MAX_LIMIT, offset=offset)
    )


@app.command()
def test(server: ServerArg, as_json: JsonOpt = False) -> None:
    """Connect to the server, list its tools and disconnect.

    Exits with status 1 when it cannot be used, so scripts can use it as a check. Servers registered with
    forward_user_token are tried without a token: the CLI has no signed-in user.
    """

    async def work(store: Store) -> McpServerTest:
        row = await catalogue.find_server(store.session, server)
        with console.status(f"Connecting to {row.name}…", spinner="dots"):
            return await catalogue.check_server(store.session, store.secrets, row.id)

    result = run_with_store(work)
    if as_json:
        print_json(result)
    elif result.ok:
        tools = ", ".join(result.tools or [])
        console.print(f"[green]ok[/] ({result.elapsed_ms} ms): {result.tool_count} tools: {tools}", highlight=False)
    else:
        console.print(f"[red]failed[/]: {result.error}", highlight=False)
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def remove(server: ServerArg) -> None:
    """Delete a registered server. Sessions already connected to it keep their connection until they end."""

    async def work(store: Store) -> str:
        row = await catalogue.find_server(store.session, server)
        await catalogue.delete_server(store.session, row.id)
        return row.name

    console.print(f"Removed MCP server {run_with_store(work)}.", highlight=False)


def _header_pairs(pairs: list[str]) -> dict[str, str]:
    headers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput("--header expects Name=value (e.g. --header X-Api-Key=...).")
        headers[key.strip()] = value
    return headers


def _target(server: McpServerOut) -> str:
    if server.transport == "stdio":
        return " ".join([server.command or "", *server.args])
    return server.url or ""
