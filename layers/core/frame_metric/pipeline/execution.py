"""Starting, stopping and reading Step Functions executions for a video."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from frame_metric.settings import Settings, get_settings

log = logging.getLogger(__name__)


def execution_name(video_id: str, bucket: str, key: str, version: str) -> str:
    """Deterministic: S3 delivers events at least once, and the same object version must map to the
    same execution so that Step Functions itself refuses the duplicate (ExecutionAlreadyExists)."""
    digest = hashlib.sha256(f"{bucket}/{key}/{version}".encode()).hexdigest()[:20]
    return f"video-{video_id}-{digest}"[:80]


# Uploads registered through the API carry a fresh video id in their key: the key alone identifies the
# upload, so the execution name (the API's task_id) is known before the file arrives.
REGISTERED_UPLOAD = "registered"


def registered_execution_name(video_id: str, bucket: str, key: str) -> str:
    return execution_name(video_id, bucket, key, REGISTERED_UPLOAD)


@dataclass(frozen=True)
class StartOutcome:
    execution_arn: str
    started: bool  # False: the same object version already has an execution (a duplicate event)


class Executions:
    def __init__(self, settings: Settings | None = None, client: Any | None = None) -> None:
        self.settings = settings or get_settings()
        self.client = client or boto3.client(
            "stepfunctions", region_name=self.settings.region, endpoint_url=self.settings.endpoint_url
        )

    def _arn_for(self, name: str) -> str:
        machine = self.settings.state_machine_arn
        return machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"

    def start(self, name: str, payload: dict[str, Any]) -> StartOutcome:
        if not self.settings.state_machine_arn:
            raise RuntimeError("FRAME_METRIC_STATE_MACHINE_ARN is not set: no pipeline to start")
        try:
            response = self.client.start_execution(
                stateMachineArn=self.settings.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                log.info("execution %s already exists: duplicate event, nothing started", name)
                return StartOutcome(execution_arn=self._arn_for(name), started=False)
            raise
        return StartOutcome(execution_arn=response["executionArn"], started=True)

    def stop(self, execution_arn: str, cause: str) -> None:
        try:
            self.client.stop_execution(executionArn=execution_arn, error="Cancelled", cause=cause)
        except ClientError as exc:
            # Already finished or unknown: nothing left to stop.
            log.info("stop_execution(%s) ignored: %s", execution_arn, exc)

    def status(self, execution_arn: str) -> tuple[str, str | None]:
        """(status, cause) of an execution; ("MISSING", reason) when Step Functions no longer knows it."""
        try:
            response = self.client.describe_execution(executionArn=execution_arn)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return "MISSING", "the pipeline execution no longer exists"
            raise
        cause = response.get("cause") or response.get("error")
        return response["status"], cause
