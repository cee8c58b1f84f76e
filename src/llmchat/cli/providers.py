"""`llmchat providers`: LLM providers in the configured database, the same way the admin API manages them."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from llmchat.cli._common import JsonOpt, Store, console, parse, print_json, reported_errors, run_with_store
from llmchat.errors import InvalidInput
from llmchat.llm import probe, service
from llmchat.llm.provider_config import provider_type
from llmchat.llm.schemas import DiscoverResult, HealthResult, ModelOut, ProviderCreate, ProviderOut
from llmchat.pagination import MAX_LIMIT, every_item

app = typer.Typer(
    help="Manage LLM providers: add them, list them, test them and discover their models.", no_args_is_help=True
)

ProviderArg = Annotated[str, typer.Argument(help="The provider's name, slug or id.")]


def _config_pairs(pairs: list[str]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--config expects key=value, got '{pair}'.")
        config[key.strip()] = value
    return config


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="A name people will recognise, e.g. 'OpenAI' or 'Local vLLM'.")],
    type_: Annotated[str, typer.Option("--type", help="The provider type; see `llmchat providers types`.")],
    api_base: Annotated[str | None, typer.Option(help="Base URL of the provider's API.")] = None,
    api_key: Annotated[
        str | None, typer.Option(help="API key; asked for, hidden, when the type needs one and it is omitted.")
    ] = None,
    api_version: Annotated[str | None, typer.Option(help="API version (e.g. for Azure OpenAI).")] = None,
    config: Annotated[
        list[str] | None, typer.Option("--config", help="A type-specific field as key=value; repeat for more.")
    ] = None,
    default_model: Annotated[str | None, typer.Option(help="Model to pick when none is given.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a provider. The API key and secret config fields are stored encrypted.

    Then check it with `llmchat providers test NAME` and add its models with
    `llmchat providers discover NAME --add-all`.
    """
    with reported_errors():
        ptype = provider_type(type_)
        data = parse(
            ProviderCreate,
            name=name,
            provider_type=type_,
            api_base=api_base,
            api_key=api_key,
            api_version=api_version,
            config=_config_pairs(config or []),
            default_model=default_model,
        )
    if data.api_key is None and ptype.needs_api_key:
        data.api_key = typer.prompt(f"API key for {name}", hide_input=True)
    provider = run_with_store(lambda s: service.create_provider(s.session, s.secrets, data))
    if as_json:
        print_json(provider)
        return
    console.print(f"Added provider {provider.name} ({provider.provider_type}), slug {provider.slug}.", highlight=False)


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List every provider with its type, address, state and last health check (secrets masked)."""
    providers = run_with_store(_all_providers)
    if as_json:
        print_json(providers)
        return
    table = Table("Name", "Slug", "Type", "API base", "Enabled", "Health")
    table.add_column("ID", overflow="fold")
    for p in providers:
        health = p.health_status + (f": {p.health_error}" if p.health_error else "")
        table.add_row(p.name, p.slug, p.provider_type, p.api_base or "", "yes" if p.enabled else "no", health, p.id)
    console.print(table)


async def _all_providers(store: Store) -> list[ProviderOut]:
    return await every_item(
        lambda offset: service.list_providers(store.session, store.secrets, limit=MAX_LIMIT, offset=offset)
    )


@app.command()
def types(as_json: JsonOpt = False) -> None:
    """List the provider types and the --config fields each one takes."""
    listing = service.list_provider_types()
    if as_json:
        print_json(listing)
        return
    table = Table("Type", "Label", "API key", "API base", "Config fields")
    for t in listing.types:
        fields = ", ".join(f.name + ("*" if f.required else "") + (" (secret)" if f.secret else "") for f in t.fields)
        base = "required" if t.needs_api_base and not t.default_api_base else (t.default_api_base or "")
        table.add_row(t.name, t.label, "required" if t.needs_api_key else "optional", base, fields)
    console.print(table)
    console.print("* required", highlight=False)


@app.command()
def test(provider: ProviderArg, as_json: JsonOpt = False) -> None:
    """Make a real authenticated request to the provider and print healthy or unhealthy with the reason.

    Exits with status 1 when the provider is unhealthy, so scripts can use it as a check.
    """

    async def work(store: Store) -> HealthResult:
        row = await service.find_provider(store.session, provider)
        timeout = store.settings.provider_timeout
        with console.status(f"Checking {row.name}…", spinner="dots"):
            return await probe.check_provider_health(store.session, store.secrets, row.id, request_timeout=timeout)

    result = run_with_store(work)
    if as_json:
        print_json(result)
    elif result.healthy:
        console.print(f"[green]healthy[/] ({result.latency_ms} ms)", highlight=False)
    else:
        console.print(f"[red]unhealthy[/]: {result.error}", highlight=False)
    if not result.healthy:
        raise typer.Exit(1)


@app.command()
def discover(
    provider: ProviderArg,
    add: Annotated[
        list[str] | None, typer.Option("--add", help="Add this model (by its model id); repeat for more.")
    ] = None,
    add_all: Annotated[bool, typer.Option("--add-all", help="Add every model the provider lists.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the models the provider offers, marking those already added, and optionally add them."""
    wanted: bool | list[str] = True if add_all else (add or False)

    async def work(store: Store) -> DiscoverResult:
        row = await service.find_provider(store.session, provider)
        timeout = store.settings.provider_timeout
        status = console.status(f"Asking {row.name} for its models…", spinner="dots")
        with nullcontext() if as_json else status:
            found = await probe.discover_models(store.session, store.secrets, row.id, request_timeout=timeout)
        selected = probe.models_to_add(found.models, wanted, row.name)
        added: list[ModelOut] = []
        with _adding_progress(hidden=as_json or not selected) as progress:
            task = progress.add_task("Adding models", total=len(selected))
            for model in selected:
                added.append(await probe.add_discovered_model(store.session, row.id, model))
                progress.advance(task)
        return found.model_copy(update={"added": added})

    result = run_with_store(work)
    if as_json:
        print_json(result)
        return
    now_added = {m.model_id for m in result.added}
    table = Table("Model ID", "Name", "Streaming", "Tools", "Vision", "Context", "Added")
    for m in result.models:
        state = "added now" if m.model_id in now_added else ("yes" if m.already_added else "")
        flags = ["yes" if v else "no" for v in (m.supports_streaming, m.supports_function_calling, m.supports_vision)]
        table.add_row(m.model_id, m.model_name, *flags, str(m.context_window or ""), state)
    console.print(table)
    console.print(f"{len(result.models)} models listed, {len(result.added)} added.", highlight=False)


def _adding_progress(*, hidden: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=hidden,
    )
