"""Start and stop the embedded local cloud: AWS endpoint, resources of template.yaml, trigger, API."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from chalice.config import Config as ChaliceConfig
from chalice.local import LocalDevServer, create_local_server

from frame_metric.data import bind_models
from frame_metric.data.connection import table_bindings
from frame_metric.localcloud.front_door import FrontDoorServer
from frame_metric.localcloud.lambda_runtime import LocalLambdaRuntime
from frame_metric.localcloud.template import Template, render_definition
from frame_metric.settings import Settings, get_settings, reset_settings

log = logging.getLogger(__name__)
ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalCloudOptions:
    api_port: int = 8000  # 0: any free port
    aws_port: int = 0
    host: str = "127.0.0.1"
    region: str = "us-east-1"
    stack: str = "frame-metric-local"
    sweep_interval: float = 15.0
    # Extra environment for the handlers (e.g. FRAME_METRIC_SEGMENT_FRAMES in tests).
    environment: dict[str, str] = field(default_factory=dict)


class LocalCloud:
    def __init__(self, options: LocalCloudOptions | None = None) -> None:
        self.options = options or LocalCloudOptions()
        self.template = Template.load()
        self.runtime: LocalLambdaRuntime | None = None
        self.front_door: FrontDoorServer | None = None
        self.api: LocalDevServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._saved_env: dict[str, str | None] = {}
        self.queue_url = ""
        self.physical: dict[str, str] = {}

    # -- addresses -----------------------------------------------------------------------------

    @property
    def aws_endpoint(self) -> str:
        assert self.front_door is not None
        return f"http://{self.options.host}:{self.front_door.port}"

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return f"http://{self.options.host}:{self.api.server.server_address[1]}"

    @property
    def settings(self) -> Settings:
        return get_settings()

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.options.region, endpoint_url=self.aws_endpoint)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        started = time.monotonic()
        arn_prefix = f"arn:aws:lambda:{self.options.region}:{ACCOUNT}:function:"
        self.runtime = LocalLambdaRuntime(self.template.functions(), arn_prefix)
        self.front_door = FrontDoorServer(self.runtime, self.options.host, self.options.aws_port)
        self.front_door.start()
        self._set_env({
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
            "AWS_DEFAULT_REGION": self.options.region, "AWS_REGION": self.options.region,
            # moto's state-machine executor calls Lambda and other services at localhost:$MOTO_PORT.
            "MOTO_PORT": str(self.front_door.port), "AWS_ENDPOINT_URL": self.aws_endpoint,
        })
        requests.post(f"{self.aws_endpoint}/moto-api/config",
                      json={"stepfunctions": {"execute_state_machine": True}}, timeout=10).raise_for_status()
        self._create_resources()
        self._start_thread("upload-poller", self._poll_uploads)
        self._start_thread("sweeper", self._sweep_periodically)
        self._start_api()
        log.info("local cloud up in %.2f s: api %s, aws %s", time.monotonic() - started, self.api_url,
                 self.aws_endpoint)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self.api is not None:
            self.api.shutdown()
            self.api.server.server_close()
        for thread in self._threads:
            thread.join(timeout=25)
        if self.front_door is not None:
            self.front_door.stop()
        if self.runtime is not None:
            self.runtime.shutdown()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- resources -----------------------------------------------------------------------------

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _resolve(self, value: Any) -> str:
        """A template value with !Ref to a resource or parameter, as the local stack names it."""
        if isinstance(value, dict) and "Ref" in value:
            target = value["Ref"]
            if target in self.physical:
                return self.physical[target]
            parameters = self.template.parameters
            if target in parameters:
                return str(parameters[target].get("Default", ""))
            raise KeyError(f"template.yaml refers to {target}, which the local cloud does not create")
        return str(value)

    def _function_environment(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for spec in self.template.functions().values():
            for name, value in spec.environment.items():
                merged[name] = self._resolve(value)
        return merged

    def _create_resources(self) -> None:
        stack = self.options.stack
        self.physical = {"VideoBucket": f"{stack}-videos", "VideosTable": f"{stack}-videos"}
        self.physical["VideoPipeline"] = (
            f"arn:aws:states:{self.options.region}:{ACCOUNT}:stateMachine:{stack}-video-pipeline")
        self._set_env({**self._function_environment(), **self.options.environment})
        reset_settings()
        settings = get_settings()
        bind_models(settings)

        s3, sqs = self.client("s3"), self.client("sqs")
        s3.create_bucket(Bucket=settings.bucket)
        self.queue_url = sqs.create_queue(QueueName=f"{stack}-uploads",
                                          Attributes={"VisibilityTimeout": "180"})["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        s3.put_bucket_notification_configuration(Bucket=settings.bucket, NotificationConfiguration={
            "QueueConfigurations": [{
                "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": settings.upload_prefix}]}},
            }]})
        for model, _ in table_bindings(settings):
            if not model.exists():
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)

        assert self.runtime is not None
        machine = self.template.state_machine()
        arns = {name: self.runtime.arn(name) for name in self.template.functions()}
        definition = render_definition(machine, arns)
        self.client("stepfunctions").create_state_machine(
            name=self.physical["VideoPipeline"].rsplit(":", 1)[-1], definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/frame-metric-local-pipeline")

    # -- background work -----------------------------------------------------------------------

    def _start_thread(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _poll_uploads(self) -> None:
        """S3 -> SQS -> the upload trigger function, as the cloud's SQS event source mapping does.
        A message is deleted only after the handler succeeded; otherwise it comes back (at least once)."""
        assert self.runtime is not None
        sqs = self.client("sqs")
        while not self._stopping.is_set():
            try:
                response = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1,
                                               WaitTimeSeconds=1, VisibilityTimeout=60)
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("polling the upload queue failed")
                time.sleep(1)
                continue
            for message in response.get("Messages", []):
                event = {"Records": [{"messageId": message["MessageId"], "body": message["Body"],
                                      "eventSource": "aws:sqs", "receiptHandle": message["ReceiptHandle"]}]}
                result = self.runtime.invoke("UploadTriggerFunction", json.dumps(event).encode())
                if result.function_error:
                    log.error("upload trigger failed (message will be retried): %s", result.payload[:500])
                    continue
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _sweep_periodically(self) -> None:
        assert self.runtime is not None
        while not self._stopping.wait(self.options.sweep_interval):
            result = self.runtime.invoke("SweeperFunction", b"{}")
            if result.function_error:
                log.error("sweeper failed: %s", result.payload[:500])

    def _start_api(self) -> None:
        assert self.runtime is not None
        # The API function's module holds the Chalice app; chalice.local plays API Gateway for it.
        app = self.runtime.module("ApiFunction").app
        port = self.options.api_port
        self.api = create_local_server(app, ChaliceConfig(), self.options.host, port)
        self._start_thread("api", self.api.server.serve_forever)
