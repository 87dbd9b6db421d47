"""API keys of a deployed stack: one per person or runner machine, all in the stack's usage plan.

API Gateway throttles per key (the plan's ApiRateLimit/ApiBurstLimit apply to each key on its own),
so a key per client keeps one busy runner from starving the others, and revoking one person's key
leaves everybody else working. The usage plan is the stack's (template.yaml output UsagePlanId)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from frame_metric.errors import BadRequest, Conflict, NotFound


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    enabled: bool
    created: str
    value: str | None = None  # only when just created

    def to_dict(self) -> dict[str, Any]:
        found = {"id": self.key_id, "name": self.name, "enabled": self.enabled, "created": self.created}
        if self.value is not None:
            found["value"] = self.value
        return found


def usage_plan_of_stack(stack: str, region: str | None = None, cloudformation: Any | None = None) -> str:
    """The usage plan id a deployed stack names in its outputs."""
    cloudformation = cloudformation or boto3.client("cloudformation", region_name=region)
    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        raise NotFound(f"stack {stack}: {exc.response['Error'].get('Message', exc)}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if "UsagePlanId" not in outputs:
        raise NotFound(f"stack {stack} has no UsagePlanId output: deploy the current template.yaml")
    return outputs["UsagePlanId"]


class ApiKeys:
    def __init__(self, usage_plan_id: str, region: str | None = None, client: Any | None = None) -> None:
        self.usage_plan_id = usage_plan_id
        self.client = client or boto3.client("apigateway", region_name=region)

    def list(self) -> list[ApiKey]:
        keys = []
        for page in self.client.get_paginator("get_usage_plan_keys").paginate(usagePlanId=self.usage_plan_id):
            for item in page.get("items", []):
                keys.append(self._describe(item["id"]))
        return sorted(keys, key=lambda key: (key.name, key.key_id))

    def create(self, name: str) -> ApiKey:
        name = name.strip()
        if not name or len(name) > 128:
            raise BadRequest("a key needs a name of 1 to 128 characters (a person or a runner machine)")
        if any(key.name == name for key in self.list()):
            raise Conflict(f"a key named {name} already exists in usage plan {self.usage_plan_id}")
        created = self.client.create_api_key(name=name, enabled=True,
                                             description="frame-metric client key (frame-metric keys create)")
        try:
            self.client.create_usage_plan_key(usagePlanId=self.usage_plan_id, keyId=created["id"], keyType="API_KEY")
        except (ClientError, BotoCoreError):
            self.client.delete_api_key(apiKey=created["id"])  # no key left outside the plan
            raise
        return ApiKey(created["id"], created["name"], bool(created.get("enabled")), str(created.get("createdDate", "")),
                      created.get("value"))

    def revoke(self, name_or_id: str) -> ApiKey:
        """Take the key out of the plan and delete it: requests with it are refused at once (403)."""
        matches = [key for key in self.list() if name_or_id in (key.key_id, key.name)]
        if not matches:
            raise NotFound(f"no key named or with id {name_or_id} in usage plan {self.usage_plan_id}")
        if len(matches) > 1:
            ids = ", ".join(key.key_id for key in matches)
            raise Conflict(f"several keys are named {name_or_id} ({ids}): revoke one by its id")
        key = matches[0]
        self.client.delete_usage_plan_key(usagePlanId=self.usage_plan_id, keyId=key.key_id)
        self.client.delete_api_key(apiKey=key.key_id)
        return key

    def _describe(self, key_id: str) -> ApiKey:
        item = self.client.get_api_key(apiKey=key_id, includeValue=False)
        return ApiKey(item["id"], item.get("name", ""), bool(item.get("enabled")), str(item.get("createdDate", "")))
