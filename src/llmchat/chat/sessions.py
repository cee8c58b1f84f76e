"""Chat sessions: connect, run turns, cancel, disconnect.

A session is split in two. Its *config* (model, servers, settings, conversation) is serialisable and lives
in a `ConfigStore`; its *live* state (the model object, the open MCP connections, the running turn) lives in
this process. Working histories live in a `HistoryStore`. Both stores are in-process for now; shared ones
let any worker serve any session later.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from llmchat import metrics
from llmchat.chat.config import ConfigStore, LLMConfig, MemoryConfigStore, ServerConfig, SessionConfig
from llmchat.chat.history import HistoryStore, MemoryHistoryStore
from llmchat.chat.running import RunningTurn
from llmchat.chat.schemas import (
    CancelResult,
    ConnectInput,
    ConnectResult,
    DisconnectResult,
    ServerInfo,
    ServerInput,
    StatusResult,
)
from llmchat.chat.turn import ModelSetup, Turn, TurnOptions
from llmchat.crypto import SecretBox
from llmchat.errors import Conflict, InvalidInput
from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.resolve import ResolvedModel, resolve_model
from llmchat.mcp import McpToolset, ServerSpec, bearer
from llmchat.mcp.catalogue import registered_specs
from llmchat.net import AddressPolicy
from llmchat.settings import Settings

log = logging.getLogger("llmchat.chat")

NO_SESSION = "No active session found. Please connect to a server first."
TURN_RUNNING = "A reply is still being generated for this session. Wait for it, or cancel it first."
CLOSE_WAIT = 5.0


@dataclass
class LiveSession:
    """What this process holds for a connected session: built at connect, reused by every turn."""

    config: SessionConfig
    setup: ModelSetup
    toolset: McpToolset
    servers: list[ServerInfo]
    turn: RunningTurn | None = None

    def busy(self) -> bool:
        return self.turn is not None and not self.turn.done()


class SessionManager:
    """Every chat session of this process, keyed by user (their email)."""

    def __init__(
        self, settings: Settings, *, configs: ConfigStore | None = None, history: HistoryStore | None = None
    ) -> None:
        self.settings = settings
        self.configs = configs or MemoryConfigStore()
        self.history = history or MemoryHistoryStore(settings.history_max_messages, settings.history_ttl)
        self._live: dict[str, LiveSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, user_id: str) -> asyncio.Lock:
        return self._locks.setdefault(user_id, asyncio.Lock())

    async def connect(
        self, db: AsyncSession, secrets: SecretBox, user_id: str, data: ConnectInput, *, user_token: str | None = None
    ) -> ConnectResult:
        """Open a new session for `user_id`, closing any previous one first; its history starts empty.

        `user_token` (the caller's login token) goes only to registered servers whose auth mode forwards it.
        """
        resolved = await resolve_model(db, data.llm.model, secrets=secrets, request_timeout=self.settings.llm_timeout)
        ids = data.server_ids or []
        registered = await registered_specs(db, secrets, ids, user_token=user_token)
        servers = [
            *((spec, _registered_config(spec, sid)) for spec, sid in zip(registered, ids, strict=True)),
            *self._user_servers(data, taken={spec.name for spec in registered}),
        ]
        async with self._lock(user_id):
            await self._end(user_id)
            toolset = await McpToolset.connect(
                [spec for spec, _ in servers],
                tool_timeout=self.settings.tool_timeout,
                max_result_bytes=self.settings.tool_result_max_bytes,
            )
            try:
                live = _live_session(user_id, data, resolved, servers, toolset)
                await self.configs.put(live.config)
            except BaseException:
                await toolset.close()
                raise
            self._live[user_id] = live
            metrics.CHAT_SESSIONS.inc()
        return ConnectResult(
            user_id=user_id,
            provider=resolved.provider_name,
            model=resolved.ref,
            tool_count=len(live.setup.params.function_tools),
            tools=[t.name for t in live.setup.params.function_tools],
            servers=live.servers,
        )

    async def start_turn(self, user_id: str, message: str, streaming: bool | None = None) -> RunningTurn:
        """Start a turn with `message`; 400 without a session or with an empty message, 409 while one runs."""
        if not message.strip():
            raise InvalidInput("Message cannot be empty.")
        live = self._session(user_id)
        if live.busy():
            raise Conflict(TURN_RUNNING)
        config = live.config
        history = await self.history.get(config.conversation_id)
        if live.busy() or self._live.get(user_id) is not live:
            raise Conflict(TURN_RUNNING)
        stream = config.streaming if streaming is None else streaming
        options = TurnOptions(self.settings.max_steps, self.settings.llm_timeout, stream, config.conversation_id)
        turn = Turn(live.setup, live.toolset, history, message, options)

        async def save(done: Turn) -> None:
            await self.history.append(config.conversation_id, done.new_messages)

        live.turn = RunningTurn(turn, save, stream=stream)
        return live.turn

    async def cancel(self, user_id: str) -> CancelResult:
        """Stop the running turn of `user_id`, if there is one."""
        live = self._live.get(user_id)
        if live is None or live.turn is None or not live.turn.cancel():
            return CancelResult(status="idle")
        return CancelResult(status="cancelled")

    async def disconnect(self, user_id: str) -> DisconnectResult:
        """End the session of `user_id`; safe to call when there is none."""
        async with self._lock(user_id):
            config = await self.configs.get(user_id)
            live = self._live.get(user_id)
            if config is None and live is None:
                return DisconnectResult(
                    status="no_active_session", user_id=user_id, message="No active session to disconnect."
                )
            try:
                await self._end(user_id, config)
            except Exception as exc:
                log.warning("cleanup of the chat session of %s failed", user_id, exc_info=True)
                return DisconnectResult(
                    status="disconnected_with_errors",
                    user_id=user_id,
                    message="Disconnected, but closing the session's connections failed.",
                    warning=type(exc).__name__,
                )
        return DisconnectResult(status="disconnected", user_id=user_id, message="Successfully disconnected.")

    async def status(self, user_id: str) -> StatusResult:
        live = self._live.get(user_id)
        if live is None:
            return StatusResult(user_id=user_id, connected=False)
        return StatusResult(
            user_id=user_id,
            connected=True,
            model=live.config.llm.model,
            servers=live.servers,
            conversation_id=live.config.conversation_id,
        )

    async def config(self, user_id: str) -> SessionConfig | None:
        return await self.configs.get(user_id)

    async def close_all(self) -> None:
        """Close every session (at shutdown)."""
        for user_id in list(self._live):
            try:
                await self._end(user_id)
            except Exception:
                log.warning("closing the chat session of %s failed", user_id, exc_info=True)

    def _session(self, user_id: str) -> LiveSession:
        live = self._live.get(user_id)
        if live is None:
            raise InvalidInput(NO_SESSION)
        return live

    async def _end(self, user_id: str, config: SessionConfig | None = None) -> None:
        """Forget the session of `user_id` everywhere: stop its turn, close its servers, drop its history.

        `config` is the stored config when the caller has read it already; a live session carries its own.
        """
        live = self._live.pop(user_id, None)
        if config is None:
            config = live.config if live is not None else await self.configs.get(user_id)
        await self.configs.delete(user_id)
        if config is not None:
            await self.history.clear(config.conversation_id)
        if live is None:
            return
        metrics.CHAT_SESSIONS.dec()
        if live.turn is not None and live.turn.cancel():
            await asyncio.wait({live.turn.task}, timeout=CLOSE_WAIT)
        await live.toolset.close()

    def _user_servers(self, data: ConnectInput, taken: set[str]) -> list[tuple[ServerSpec, ServerConfig]]:
        """The servers given by URL, as connection specs (under the SSRF policy for users) and config."""
        inputs = [*([data.server] if data.server else []), *(data.servers or [])]
        policy = AddressPolicy.for_users(self.settings)
        out: list[tuple[ServerSpec, ServerConfig]] = []
        for given in inputs:
            spec = _user_spec(given, policy, _server_name(given, taken))
            taken.add(spec.name)
            out.append(
                (spec, ServerConfig(name=spec.name, transport=spec.transport, url=spec.url, headers=spec.headers))
            )
        return out


def _live_session(
    user_id: str,
    data: ConnectInput,
    resolved: ResolvedModel,
    servers: Sequence[tuple[ServerSpec, ServerConfig]],
    toolset: McpToolset,
) -> LiveSession:
    """The model, its settings and tool definitions, built once for every turn of the session."""
    conn = resolved.connection
    tools = toolset.tools if resolved.supports_function_calling else []
    setup = ModelSetup.build(
        build_model(conn, resolved.model_id),
        model_settings(conn, data.llm.temperature, data.llm.max_tokens),
        tools,
        data.llm.system_prompt,
    )
    config = SessionConfig(
        user_id=user_id,
        conversation_id=uuid.uuid4().hex,
        llm=LLMConfig(
            model=resolved.ref,
            model_db_id=resolved.id,
            provider=resolved.provider_name,
            temperature=data.llm.temperature,
            max_tokens=data.llm.max_tokens,
            system_prompt=data.llm.system_prompt,
        ),
        servers=[server for _, server in servers],
        streaming=data.streaming,
    )
    infos = [
        ServerInfo(
            name=spec.name,
            url=spec.target,
            transport=spec.transport,
            tool_count=sum(1 for t in tools if t.server == spec.name),
        )
        for spec, _ in servers
    ]
    return LiveSession(config, setup, toolset, infos)


def _registered_config(spec: ServerSpec, server_id: str) -> ServerConfig:
    """A registered server in the config: its id is enough to rebuild it; its secrets stay in the catalogue."""
    return ServerConfig(name=spec.name, transport=spec.transport, url=spec.url, server_id=server_id)


def _user_spec(given: ServerInput, policy: AddressPolicy, name: str) -> ServerSpec:
    """A server a user typed in: a URL only (stdio runs commands, so only administrators register those)."""
    transport = given.transport or "streamable_http"
    if transport == "stdio":
        raise InvalidInput("stdio MCP servers can only be registered by an administrator; connect to it by server_ids.")
    if not given.url:
        raise InvalidInput(f"MCP server '{name}' needs a URL.")
    headers = dict(given.headers or {})
    token = (given.auth_token or "").strip()
    if token:
        headers["Authorization"] = bearer(token)
    return ServerSpec(name=name, transport=transport, url=given.url, headers=headers, policy=policy)


def _server_name(given: ServerInput, taken: set[str]) -> str:
    """The given name, or the URL's host; made unique within the session with -2, -3..."""
    base = (given.name or "").strip() or (urlsplit(given.url or "").hostname or "server")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name
