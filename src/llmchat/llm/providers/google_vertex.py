"""Gemini on Google Cloud Vertex AI: a project and location, with a service account key or the default credentials."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from llmchat.errors import InvalidInput, ProviderUnavailable
from llmchat.llm.providers._http import describe_status, network_error
from llmchat.llm.providers.base import ConfigField, DiscoveredModel, ProviderConnection, ProviderType

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider

DEFAULT_ENDPOINT = "https://aiplatform.googleapis.com"  # only shown in messages; the SDK picks the regional one


class GoogleVertexType(ProviderType):
    name = "google_vertex"
    label = "Google Vertex AI"
    needs_api_key = False
    sdk_modules = ("pydantic_ai.models.google", "pydantic_ai.providers.google_cloud", "google.oauth2.service_account")
    fields = (
        ConfigField("project", "Project ID", required=True),
        ConfigField("location", "Location", default="us-central1", help="e.g. us-central1, europe-west4 or global."),
        ConfigField(
            "credentials_json",
            "Service account key",
            secret=True,
            kind="json",
            help="The JSON key of a service account; when empty, Application Default Credentials are used.",
        ),
    )

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.google_cloud import GoogleCloudProvider

        return GoogleCloudProvider(
            credentials=_credentials(self.config_value(conn, "credentials_json")),
            project=self.config_value(conn, "project"),
            location=self.config_value(conn, "location"),
            base_url=conn.api_base,
        )

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        from pydantic_ai.models.google import GoogleModel

        return GoogleModel(model_id, provider=provider)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """Google's publisher models, through the SDK so the OAuth token is fetched and refreshed for us."""
        import httpx2
        from google.auth.exceptions import DefaultCredentialsError, RefreshError, TransportError
        from google.genai.errors import APIError

        client = self.provider(conn).client
        url = conn.api_base or DEFAULT_ENDPOINT
        try:
            async with asyncio.timeout(conn.timeout):
                pager = await client.aio.models.list(config={"query_base": True, "page_size": 1000})
        except APIError as exc:
            rejected = "Google rejected the credentials" if exc.code in (401, 403) else None
            raise ProviderUnavailable(describe_status(exc.code, rejected)) from exc
        except DefaultCredentialsError as exc:
            raise ProviderUnavailable(
                "no Google Cloud credentials: set a service account key or configure Application Default Credentials"
            ) from exc
        except RefreshError as exc:
            raise ProviderUnavailable("Google refused the service account credentials") from exc
        except (httpx2.HTTPError, TransportError, OSError) as exc:
            raise network_error(exc, url, conn.timeout) from exc
        return [
            DiscoveredModel(
                model_id=m.name.rsplit("/", 1)[-1],
                model_name=m.display_name or m.name.rsplit("/", 1)[-1],
                supports_vision=True,
                context_window=m.input_token_limit,
                max_output_tokens=m.output_token_limit,
            )
            for m in pager.page
            if m.name
        ]


def _credentials(value: object) -> Credentials | None:
    """Service account credentials from the key JSON (text or object); None means Application Default Credentials."""
    if value is None:
        return None
    from google.oauth2 import service_account

    try:
        info = json.loads(value) if isinstance(value, str) else value
        return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return,no-untyped-call]
            info, scopes=["https://www.googleapis.com/auth/cloud-platform"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("config.credentials_json is not a service account key (JSON).") from exc
