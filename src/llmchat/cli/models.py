"""`llmchat models`: the models of each LLM provider, in the configured database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from llmchat.cli._common import JsonOpt, Store, console, parse, print_json, run_with_store
from llmchat.llm import service
from llmchat.llm.schemas import ModelCreate, ModelOut
from llmchat.pagination import MAX_LIMIT, every_item

app = typer.Typer(help="Manage the models users can chat with: add them and list them.", no_args_is_help=True)


@app.command()
def add(
    provider: Annotated[str, typer.Argument(help="The provider's name, slug or id.")],
    model_id: Annotated[str, typer.Argument(help="The provider's own name for the model, e.g. 'gpt-4o'.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the model id).")] = None,
    alias: Annotated[str | None, typer.Option(help="A short name users may pick the model by.")] = None,
    context_window: Annotated[int | None, typer.Option(help="Context window in tokens.")] = None,
    max_output_tokens: Annotated[int | None, typer.Option(help="Most tokens the model may answer with.")] = None,
    streaming: Annotated[bool, typer.Option(help="The model can stream its answer.")] = True,
    tools: Annotated[bool, typer.Option(help="The model can call tools (function calling).")] = True,
    vision: Annotated[bool, typer.Option(help="The model accepts images.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a model to a provider. Users then pick it as PROVIDER-SLUG/MODEL_ID, by its alias, or by MODEL_ID."""

    async def work(store: Store) -> ModelOut:
        row = await service.find_provider(store.session, provider)
        data = parse(
            ModelCreate,
            provider_id=row.id,
            model_id=model_id,
            model_name=name,
            model_alias=alias,
            context_window=context_window,
            max_output_tokens=max_output_tokens,
            supports_streaming=streaming,
            supports_function_calling=tools,
            supports_vision=vision,
        )
        return await service.create_model(store.session, data)

    model = run_with_store(work)
    if as_json:
        print_json(model)
        return
    console.print(f"Added model {model.ref} ({model.model_name}).", highlight=False)


@app.command("list")
def list_(
    provider: Annotated[str | None, typer.Option(help="Only this provider's models (name, slug or id).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the models with their provider, capabilities and whether users can pick them."""

    async def work(store: Store) -> list[ModelOut]:
        provider_id = (await service.find_provider(store.session, provider)).id if provider else None
        return await every_item(
            lambda offset: service.list_models(store.session, provider_id=provider_id, limit=MAX_LIMIT, offset=offset)
        )

    models = run_with_store(work)
    if as_json:
        print_json(models)
        return
    table = Table()
    table.add_column("Reference", no_wrap=True)
    for header in ("Name", "Alias", "Can", "Enabled"):
        table.add_column(header)
    table.add_column("ID", overflow="fold")
    for m in models:
        can = [name for name, v in _CAPABILITIES if getattr(m, v)]
        table.add_row(m.ref, m.model_name, m.model_alias or "", ", ".join(can), "yes" if m.enabled else "no", m.id)
    console.print(table)


_CAPABILITIES = (
    ("stream", "supports_streaming"),
    ("tools", "supports_function_calling"),
    ("vision", "supports_vision"),
)
