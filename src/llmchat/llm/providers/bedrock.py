"""Amazon Bedrock: the Converse API through boto3, signed with SigV4 (explicit keys or the default AWS chain)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from llmchat.errors import ProviderUnavailable
from llmchat.llm.providers._http import describe_status, network_error
from llmchat.llm.providers.base import ConfigField, DiscoveredModel, ProviderConnection, ProviderType

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider


class BedrockType(ProviderType):
    name = "bedrock"
    label = "Amazon Bedrock"
    needs_api_key = False
    sdk_modules = ("pydantic_ai.models.bedrock", "pydantic_ai.providers.bedrock")
    fields = (
        ConfigField("region", "AWS region", required=True, help="e.g. us-east-1."),
        ConfigField("aws_access_key_id", "Access key ID", help="When empty, the default AWS credential chain is used."),
        ConfigField("aws_secret_access_key", "Secret access key", secret=True),
        ConfigField("aws_session_token", "Session token", secret=True, help="Only for temporary credentials."),
    )

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.bedrock import BedrockProvider

        return BedrockProvider(**self._aws(conn), base_url=conn.api_base)

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        from pydantic_ai.models.bedrock import BedrockConverseModel

        return BedrockConverseModel(model_id, provider=provider)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """ListFoundationModels (text output) on the Bedrock control plane; boto3 blocks, so it runs in a thread."""
        summaries = await asyncio.to_thread(self._list_foundation_models, conn)
        return [
            DiscoveredModel(
                model_id=s["modelId"],
                model_name=s.get("modelName") or s["modelId"],
                supports_streaming=s.get("responseStreamingSupported", True),
                supports_vision="IMAGE" in s.get("inputModalities", []),
            )
            for s in summaries
            if "modelId" in s
        ]

    def _list_foundation_models(self, conn: ProviderConnection) -> list[dict[str, Any]]:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        aws = self._aws(conn)
        region = aws.pop("region_name")
        url = conn.api_base or f"https://bedrock.{region}.amazonaws.com"
        config = Config(connect_timeout=conn.timeout, read_timeout=conn.timeout, retries={"total_max_attempts": 1})
        try:
            session = boto3.Session(**aws, region_name=region)
            client = session.client("bedrock", endpoint_url=conn.api_base, config=config)
            response = client.list_foundation_models(byOutputModality="TEXT")
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            rejected = "the AWS credentials were rejected" if status == 403 else None
            raise ProviderUnavailable(describe_status(status, rejected)) from exc
        except NoCredentialsError as exc:
            raise ProviderUnavailable("no AWS credentials: set the access key or configure the AWS chain") from exc
        except BotoCoreError as exc:
            raise network_error(exc, url, conn.timeout) from exc
        summaries: list[dict[str, Any]] = response.get("modelSummaries", [])
        return summaries

    def _aws(self, conn: ProviderConnection) -> dict[str, Any]:
        return {
            "region_name": self.config_value(conn, "region"),
            "aws_access_key_id": self.config_value(conn, "aws_access_key_id"),
            "aws_secret_access_key": self.config_value(conn, "aws_secret_access_key"),
            "aws_session_token": self.config_value(conn, "aws_session_token"),
        }
