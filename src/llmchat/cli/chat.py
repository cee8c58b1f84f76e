"""`llmchat chat`: chat from the terminal with a running llmchat server, answers streamed as they come.

A client of the /llmchat API like the web UI: it signs in, connects a session, streams each turn's events
and disconnects at the end. Ctrl-C during an answer stops that answer (the partial text is kept).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from typing import Annotated, Any

import httpx
import typer

from llmchat.chat.events import Error, Event, Final, SseDecoder, Thinking, Token, ToolEnd, ToolError, ToolStart
from llmchat.cli._common import console, err_console

_TIMEOUT = httpx.Timeout(30.0, read=None)


class ChatFailed(Exception):
    """The server refused a request; `detail` is its message."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ChatClient:
    """The /llmchat API of one server, for one signed-in user."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=_TIMEOUT)
        self.email: str = self._call("GET", "/auth/me")["email"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self.http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise ChatFailed(f"cannot reach {self.http.base_url} ({type(exc).__name__})") from None
        if response.is_error:
            raise ChatFailed(_detail(response))
        return response.json()

    def connect(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/llmchat/connect", {"user_id": self.email, **body})
        return result

    def send(self, message: str) -> Generator[Event, None, None]:
        """The events of one turn, as the server streams them; closing the iterator cancels the turn."""
        body = {"user_id": self.email, "message": message, "streaming": True}
        with self.http.stream("POST", "/llmchat/chat", json=body) as response:
            if response.is_error:
                response.read()
                raise ChatFailed(_detail(response))
            decoder = SseDecoder()
            for line in response.iter_lines():
                event = decoder.feed(line)
                if event is not None:
                    yield event

    def disconnect(self) -> None:
        self._call("POST", "/llmchat/disconnect", {"user_id": self.email})

    def close(self) -> None:
        self.http.close()


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return str(detail or f"HTTP {response.status_code}")


def _sign_in(url: str, token: str | None, email: str | None, password: str | None) -> dict[str, str]:
    if token:
        return {"Authorization": f"Bearer {token}"}
    if not email:
        raise ChatFailed("give --token, or --email to sign in with a password")
    secret = password or typer.prompt("Password", hide_input=True)
    try:
        response = httpx.post(f"{url.rstrip('/')}/auth/login", json={"email": email, "password": secret}, timeout=30)
    except httpx.HTTPError as exc:
        raise ChatFailed(f"cannot reach {url} ({type(exc).__name__})") from None
    if response.is_error:
        raise ChatFailed(_detail(response))
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class Printer:
    """Shows events to a person (text as it streams, tool calls dimmed) or as JSON lines for scripts."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def show(self, event: Event) -> None:
        if self.as_json:
            typer.echo(json.dumps({"event": event.type, "data": event.to_json()}, ensure_ascii=False))
        elif isinstance(event, Token):
            sys.stdout.write(event.content)
            sys.stdout.flush()
        elif isinstance(event, Thinking):
            console.print(event.content, end="", style="dim italic", markup=False, highlight=False)
        elif isinstance(event, ToolStart):
            console.print(f"\n→ {event.tool} {json.dumps(event.input)}", style="dim", markup=False, highlight=False)
        elif isinstance(event, ToolEnd):
            console.print(f"← {event.tool}: {_short(event.output)}", style="dim", markup=False, highlight=False)
        elif isinstance(event, ToolError):
            console.print(f"✗ {event.tool}: {event.error}", style="yellow", markup=False, highlight=False)
        elif isinstance(event, Final):
            console.print(" (stopped)" if event.cancelled else "", style="dim", highlight=False)
        elif isinstance(event, Error):
            err_console.print(f"\nerror: {event.error}", style="bold red", markup=False, highlight=False)


def _short(value: object, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _turn(client: ChatClient, message: str, printer: Printer) -> bool:
    """Run one turn; False when it ended with an error."""
    events = client.send(message)
    ok = True
    try:
        for event in events:
            printer.show(event)
            ok = ok and not isinstance(event, Error)
    except KeyboardInterrupt:
        events.close()
        printer.show(Final(content="", conversation_id="", cancelled=True))
    return ok


def chat(
    model: Annotated[str, typer.Option("--model", "-M", help="Model: its id, provider-slug/model_id or alias.")],
    server: Annotated[
        list[str] | None, typer.Option("--server", "-s", help="MCP server URL (streamable HTTP); repeatable.")
    ] = None,
    server_id: Annotated[
        list[str] | None, typer.Option("--server-id", help="Registered MCP server id; repeatable.")
    ] = None,
    message: Annotated[
        str | None, typer.Option("--message", "-m", help="Send this one message, print the answer and exit.")
    ] = None,
    system: Annotated[str | None, typer.Option(help="System prompt for the session.")] = None,
    temperature: Annotated[float | None, typer.Option(min=0, max=2, help="Sampling temperature, 0 to 2.")] = None,
    url: Annotated[str, typer.Option(help="The llmchat server.")] = "http://127.0.0.1:4444",
    token: Annotated[str | None, typer.Option(help="An API token or login token (else --email).")] = None,
    email: Annotated[str | None, typer.Option(help="Sign in with this email; the password is asked for.")] = None,
    password: Annotated[str | None, typer.Option(help="The password (asked for, hidden, when omitted).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every event as a JSON line, for scripts.")] = False,
) -> None:
    """Chat with a model and MCP tools through a running llmchat server.

    Type a message and press Enter; the answer streams in, tool calls shown as they run.
    Ctrl-C stops an answer; /reset starts a new conversation; /quit (or Ctrl-D) ends the session.
    """
    llm: dict[str, Any] = {"model": model, "system_prompt": system, "temperature": temperature}
    body = {
        "llm": {k: v for k, v in llm.items() if v is not None},
        "servers": [{"url": u} for u in server or []],
        "server_ids": server_id or [],
        "streaming": True,
    }
    printer = Printer(as_json)
    client: ChatClient | None = None
    try:
        client = ChatClient(url, _sign_in(url, token, email, password))
        connected = client.connect(body)
        if message is not None:
            if not _turn(client, message, printer):
                raise typer.Exit(1)
            return
        tools = ", ".join(connected["tools"]) or "none"
        console.print(f"Connected to {connected['model']} with tools: {tools}", style="dim", highlight=False)
        _repl(client, body, printer)
    except ChatFailed as exc:
        err_console.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None
    finally:
        if client is not None:
            _quietly_disconnect(client)


def _repl(client: ChatClient, body: dict[str, Any], printer: Printer) -> None:
    while True:
        try:
            line = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            return
        if line in ("/quit", "/exit"):
            return
        if line == "/reset":
            client.connect(body)
            console.print("New conversation.", style="dim")
        elif line:
            try:
                _turn(client, line, printer)
            except ChatFailed as exc:
                err_console.print(f"error: {exc.detail}", style="bold red", markup=False, highlight=False)


def _quietly_disconnect(client: ChatClient) -> None:
    try:
        client.disconnect()
    except ChatFailed:
        pass
    finally:
        client.close()
