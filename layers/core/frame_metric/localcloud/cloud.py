"""Start and stop the embedded local cloud: the resources of template.yaml, the trigger and the API.

Durable state (tables and objects) lives in a data directory, in DynamoDB Local and s3rver; what is
in flight (queued notifications, Step Functions executions) lives in moto's memory and is recovered
from the durable state after a restart.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import random
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote_plus

import boto3
import requests
from chalice.config import Config as ChaliceConfig
from chalice.local import ChaliceRequestHandler, LocalDevServer, RouteMatcher, create_local_server

from frame_metric.data import bind_models
from frame_metric.data.connection import table_bindings
from frame_metric.localcloud import access, console_site, own_stores
from frame_metric.localcloud.front_door import FrontDoorServer
from frame_metric.localcloud.lambda_runtime import LocalLambdaRuntime
from frame_metric.localcloud.stores import (
    LOOPBACK,
    EarlyTables,
    ObjectStoreServer,
    StoreError,
    TableStore,
    free_port,
    lock_data_dir,
)
from frame_metric.localcloud.template import Template, render_definition
from frame_metric.pipeline.recovery import has_interrupted, resume_interrupted
from frame_metric.settings import Settings, get_settings, reset_settings
from frame_metric.storage.s3 import s3_client

log = logging.getLogger(__name__)
ACCOUNT = "123456789012"
# The access key id s3rver knows; the secret is new at every start (local_secret), so only this process
# and its children can sign requests to the object store.
LOCAL_KEY = "S3RVER"
PIPELINE_START_SECONDS = 120.0  # how long an upload's notification may wait for the pipeline to start
# The in-flight cap (template.yaml MaxVideosInFlight) here, unless FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT says
# otherwise: as many videos as the local runtime runs pipeline functions at once (its threads per code
# folder), so a video admitted finds a thread and the rest wait in the queue, not in the runtime.
LOCAL_MAX_VIDEOS_IN_FLIGHT = 8


@dataclass
class LocalCloudOptions:
    api_port: int = 8000  # 0: any free port
    aws_port: int = 0
    host: str = "127.0.0.1"
    region: str = "us-east-1"
    stack: str = "frame-metric-local"
    # None: a throwaway directory, deleted at stop (demo, tests).
    data_dir: Path | None = None
    sweep_interval: float = 15.0
    # Extra environment for the handlers (e.g. FRAME_METRIC_SEGMENT_FRAMES in tests).
    environment: dict[str, str] = field(default_factory=dict)
    # Required as x-api-key on every route but sample ingest (as API Gateway does); None: open API.
    api_key: str | None = None
    # Stores the user runs (MinIO, LocalStack...), used instead of starting the embedded ones.
    s3_endpoint: str | None = None
    dynamodb_endpoint: str | None = None
    upload_poll_interval: float = 1.0  # with s3_endpoint: how often the upload prefix is listed


class LocalCloud:
    def __init__(self, options: LocalCloudOptions | None = None, early: EarlyTables | None = None) -> None:
        """`early`: DynamoDB Local already launched on a locked data directory (what `serve` does
        before importing this module); it then overrides options.data_dir."""
        self.options = options or LocalCloudOptions()
        self._early = early
        self.template = Template.load()
        self.runtime: LocalLambdaRuntime | None = None
        self.front_door: FrontDoorServer | None = None
        self.tables: TableStore | None = None
        self.objects: ObjectStoreServer | None = None
        self.api: LocalDevServer | None = None
        self.data_dir = self.options.data_dir
        self._throwaway = self.options.data_dir is None
        self._lock: IO[str] | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        # Set once the upload queue and the state machine exist (shortly after start() returns).
        self.pipeline_ready = threading.Event()
        self.pipeline_warm = threading.Event()  # and its code is loaded (benchmarks wait for it)
        self._saved_env: dict[str, str | None] = {}
        self._queue_url = ""
        self.physical: dict[str, str] = {}
        self.startup_seconds = 0.0
        self.local_secret = ""
        self._scanner: own_stores.UploadScanner | None = None
        self._interrupted = False  # a previous run left videos uploading or processing
        self.startup_phases: dict[str, float] = {}  # where start-up's time went, in order
        self._phase_mark = 0.0
        # Read per request, so a running cloud can be closed or opened (tests do).
        self.api_key = self.options.api_key

    # -- addresses -----------------------------------------------------------------------------

    @property
    def aws_endpoint(self) -> str:
        assert self.front_door is not None
        return f"http://{LOOPBACK}:{self.front_door.port}"

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return f"http://{self.options.host}:{self.api.server.server_address[1]}"

    @property
    def queue_url(self) -> str:
        """The upload queue's URL, once the pipeline has started (shortly after start() returns)."""
        if not self.pipeline_ready.wait(PIPELINE_START_SECONDS):
            raise StoreError("the local cloud's pipeline did not start")
        return self._queue_url

    @property
    def settings(self) -> Settings:
        return get_settings()

    def client(self, service: str) -> Any:
        """A boto3 client for a service of the local cloud (S3 and DynamoDB have their own stores)."""
        if service == "s3":  # SigV4 (the object store takes no other) and path-style, as the product's
            return s3_client(self.settings)
        endpoints = {"s3": self.settings.s3_endpoint_url, "dynamodb": self.settings.dynamodb_endpoint_url}
        return boto3.client(service, region_name=self.options.region,
                            endpoint_url=endpoints.get(service, self.aws_endpoint))

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        started = self._phase_mark = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        log.info("local cloud up in %.2f s (%s): api %s, data %s", self.startup_seconds,
                 ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.startup_phases.items()),
                 self.api_url, self.data_dir)
        if not self.api_key:
            log.warning("the local API at %s is open: no API key is required (loopback only)", self.api_url)
        return self

    def _start(self) -> None:
        access.check_bind(self.options.host, self.api_key)
        if self.options.api_port:
            with socket.socket() as probe:  # fail in a blink, not after the stores have started
                # As the HTTP server itself does: connections of a previous run lingering in TIME_WAIT
                # must not keep a restarted serve off its port.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((self.options.host, self.options.api_port))
        if self._early is not None:
            self.data_dir, self._lock, self.tables = self._early.data_dir, self._early.lock, self._early.tables
            self._throwaway = False
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="frame-metric-data-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            self._lock_data_dir()
        self.physical = self._physical_names()
        if self.options.s3_endpoint:
            # The user's object store knows its own credentials; moto and DynamoDB Local take any.
            credentials = own_stores.store_credentials()
        else:
            self.local_secret = secrets.token_hex(20)
            self._write_credentials()
            credentials = {"AWS_ACCESS_KEY_ID": LOCAL_KEY, "AWS_SECRET_ACCESS_KEY": self.local_secret}
        self._set_env({**credentials, "AWS_DEFAULT_REGION": self.options.region, "AWS_REGION": self.options.region})
        self._unset_env("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SFN")

        # The JVM starts slowest: launch DynamoDB Local and s3rver first, and do everything that needs
        # neither (the AWS front door, importing the API's code) while they start. (Children are
        # spawned from this thread: their parent-death signal is tied to the spawning thread.)
        root = self.template.root
        if self.tables is None and not self.options.dynamodb_endpoint:
            self.tables = TableStore(root, self.data_dir / "dynamodb", free_port())
            self.tables.launch()
        if not self.options.s3_endpoint:
            self.objects = ObjectStoreServer(root, self.data_dir / "objects", [self.physical["VideoBucket"]],
                                             self._deliver_s3_event, LOCAL_KEY, self.local_secret)
            self.objects.launch()
        self._phase("stores launched")

        arn_prefix = f"arn:aws:lambda:{self.options.region}:{ACCOUNT}:function:"
        self.runtime = LocalLambdaRuntime(self.template.functions(), arn_prefix)
        # Loopback whatever --host says: it answers the Lambda Invoke API and every moto service without
        # credentials (moto checks none), so it must be reachable from this machine only. Checking SigV4
        # would not do: moto's state-machine executor signs its Lambda calls with a pair written into
        # moto ("ak"/"sk"), which anyone could use too.
        self.front_door = FrontDoorServer(self.runtime, LOOPBACK, self.options.aws_port)
        self.front_door.start()
        # moto's state-machine executor calls Lambda (our runtime) at localhost:$MOTO_PORT.
        self._set_env({"MOTO_PORT": str(self.front_door.port), "AWS_ENDPOINT_URL": self.aws_endpoint})
        # moto finds a queue by the last part of its URL: the URL is known before the queue is made.
        self.physical["UploadQueue"] = f"{self.aws_endpoint}/{ACCOUNT}/{self._queue_name}"
        # No CloudWatch here to read metrics; handlers' JSON logs only for warnings and worse.
        quiet = {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}
        admission = {"FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT": os.environ.get("FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT")
                     or str(LOCAL_MAX_VIDEOS_IN_FLIGHT)}
        self._set_env({**self._function_environment(), **quiet, **admission, **self.options.environment})
        self.runtime.module("ApiFunction")  # the Chalice app and the domain: imports, no calls
        self._phase("front door and API code")

        if self.objects is not None:
            self.objects.wait_ready()
        if self.tables is not None:
            self.tables.wait_ready()
        self._phase("stores ready")
        tables = self.tables.endpoint if self.tables else self.options.dynamodb_endpoint
        objects = self.objects.endpoint if self.objects else self.options.s3_endpoint
        self._set_env({"AWS_ENDPOINT_URL_DYNAMODB": str(tables), "AWS_ENDPOINT_URL_S3": str(objects)})
        self._create_tables()
        # The user's own object store: the bucket made if missing before any upload can be asked for.
        self._scanner = self._own_bucket() if self.options.s3_endpoint else None
        self._phase("tables")
        self._interrupted = has_interrupted()
        if self._interrupted:
            # A previous run left videos in flight: restart them before the API can report them lost.
            self._start_pipeline()
            self._phase("pipeline and recovery")
        self._start_api()
        self._phase("api")
        # moto's state-machine interpreter takes seconds to load: the API answers meanwhile, and an
        # upload's notification waits for the pipeline (_deliver_s3_event).
        self._start_thread("pipeline-start", self._start_pipeline_in_background)

    def _phase(self, name: str) -> None:
        now = time.monotonic()
        self.startup_phases[name] = now - self._phase_mark
        self._phase_mark = now

    def _start_pipeline(self) -> None:
        """The queue, the state machine, the pollers and the sweeper; then what a previous run left in
        flight is finished."""
        if self.pipeline_ready.is_set():
            return
        self._create_pipeline_resources()
        self.pipeline_ready.set()
        if self._scanner is not None:
            self._start_thread("upload-scanner", functools.partial(self._scan_uploads, self._scanner))
        # The same admission as the cloud's SQS event source: at most TriggerMaxConcurrency triggers at once.
        for number in range(self.trigger_concurrency):
            # Clients made here, one per poller: creating boto3 clients in several threads at once races.
            self._start_thread(f"upload-poller-{number}", functools.partial(self._poll_uploads, self.client("sqs")))
        self._start_thread("sweeper", self._sweep_periodically)
        if self._interrupted:  # else nothing was left: a new upload's own notification starts it
            resume_interrupted(self.settings)

    def _start_pipeline_in_background(self) -> None:
        try:
            self._start_pipeline()
        except Exception:
            if not self._stopping.is_set():
                log.exception("starting the pipeline failed: uploads will not be analysed")
            return
        if self._stopping.is_set():
            return
        # Load what the first upload would otherwise wait for: the pipeline's code (PyAV, numpy) and
        # moto's state-machine interpreter.
        assert self.runtime is not None
        started = time.monotonic()
        for name in self.template.functions():
            self.runtime.module(name)
        self._warm_state_machines()
        self.pipeline_warm.set()
        log.info("pipeline code warmed in %.2f s", time.monotonic() - started)

    def _warm_state_machines(self) -> None:
        """moto parses a state machine's definition on its first execution (an ANTLR parser, about a
        second): run a one-state machine once so that a video's first execution does not pay for it."""
        sfn = self.client("stepfunctions")
        name = f"{self.options.stack}-warm-up"
        try:
            machine = sfn.create_state_machine(
                name=name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/frame-metric-local-pipeline",
                definition=json.dumps({"StartAt": "Warm", "States": {"Warm": {"Type": "Pass", "End": True}}}))
            sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="warm-up")
        except Exception:
            log.debug("warming moto's state machines failed (only the first video pays for it)", exc_info=True)

    def stop(self) -> None:
        self._stopping.set()
        if self.api is not None:
            self.api.shutdown()
            self.api.server.server_close()
        for thread in list(self._threads):
            thread.join(timeout=25)
        if self.front_door is not None:
            self.front_door.stop()
        if self.runtime is not None:
            self.runtime.shutdown()
        for store in (self.objects, self.tables):
            if store is not None:
                store.stop()
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if self._throwaway and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        reset_settings()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- resources -----------------------------------------------------------------------------

    def _lock_data_dir(self) -> None:
        assert self.data_dir is not None
        self._lock = lock_data_dir(self.data_dir)

    def _write_credentials(self) -> None:
        """This run's credentials for the object store, readable by this user only, for AWS tools
        (AWS_SHARED_CREDENTIALS_FILE=<data dir>/aws-credentials, profile frame-metric-local)."""
        assert self.data_dir is not None
        path = self.data_dir / "aws-credentials"
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"[frame-metric-local]\naws_access_key_id = {LOCAL_KEY}\n"
                         f"aws_secret_access_key = {self.local_secret}\n")

    def _physical_names(self) -> dict[str, str]:
        """Local names for the template's bucket, tables and state machine (CloudFormation would make
        its own): the stack name and the logical id."""
        stack = self.options.stack
        names = {name: f"{stack}-{name}" for name in self.template.of_type("AWS::DynamoDB::Table")}
        names["VideoBucket"] = f"{stack}-videos"
        names["VideoPipeline"] = f"arn:aws:states:{self.options.region}:{ACCOUNT}:stateMachine:{stack}-video-pipeline"
        # The local Lambda runtime knows functions by their logical ids.
        names.update({name: name for name in self.template.functions()})
        return names

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _unset_env(self, *names: str) -> None:
        for name in names:
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ.pop(name, None)

    def _resolve(self, value: Any) -> str:
        """A template value with !Ref to a resource or parameter, as the local stack names it."""
        if isinstance(value, dict) and "Ref" in value:
            target = value["Ref"]
            if target in self.physical:
                return self.physical[target]
            if target in self.template.parameters:
                return str(self.template.parameters[target].get("Default", ""))
            raise KeyError(f"template.yaml refers to {target}, which the local cloud does not create")
        return str(value)

    def _function_environment(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for spec in self.template.functions().values():
            for name, value in spec.environment.items():
                merged[name] = self._resolve(value)
        return merged

    def _create_pipeline_resources(self) -> None:
        """What lives in moto: the upload queue and the state machine."""
        requests.post(f"{self.aws_endpoint}/moto-api/config",
                      json={"stepfunctions": {"execute_state_machine": True}}, timeout=10).raise_for_status()
        self._queue_url = self.client("sqs").create_queue(
            QueueName=self._queue_name, Attributes={"VisibilityTimeout": "360"})["QueueUrl"]
        assert self.runtime is not None
        machine = self.template.state_machine()
        arns = {name: self.runtime.arn(name) for name in self.template.functions()}
        self.client("stepfunctions").create_state_machine(
            name=self.physical["VideoPipeline"].rsplit(":", 1)[-1], definition=render_definition(machine, arns),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/frame-metric-local-pipeline")

    @property
    def _queue_name(self) -> str:
        return f"{self.options.stack}-uploads"

    @property
    def trigger_concurrency(self) -> int:
        """template.yaml's TriggerMaxConcurrency (its default; the SQS event source's MaximumConcurrency)."""
        return int(self.template.parameters.get("TriggerMaxConcurrency", {}).get("Default", 1))

    def _create_tables(self) -> None:
        reset_settings()  # the stores' endpoints are known now
        settings = get_settings()
        bind_models(settings)
        # One ListTables instead of a DescribeTable per model: on a restart every table is there.
        existing = set(self.client("dynamodb").get_paginator("list_tables").paginate().build_full_result()
                       .get("TableNames", []))
        for model, name in table_bindings(settings):
            if name not in existing:
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)

    # -- background work -----------------------------------------------------------------------

    def _start_thread(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _deliver_s3_event(self, event: dict[str, Any]) -> None:
        """The bucket's notification configuration (template.yaml): ObjectCreated under uploads/ -> SQS,
        with keys URL-encoded as S3 sends them."""
        if not self.pipeline_ready.wait(PIPELINE_START_SECONDS):
            log.error("the pipeline did not start: upload event dropped (a restart picks the upload up)")
            return
        prefix = self.settings.upload_prefix
        for record in event.get("Records", []):
            key = record["s3"]["object"]["key"]
            if not record.get("eventName", "").startswith("ObjectCreated") or not key.startswith(prefix):
                continue
            record["s3"]["object"]["key"] = quote_plus(key, safe="/")
            record["s3"]["bucket"]["name"] = self.settings.bucket
            self.client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=json.dumps({"Records": [record]}))

    def _own_bucket(self) -> own_stores.UploadScanner:
        """The user's object store: the bucket made if missing, and a scanner for its new uploads."""
        client = s3_client(self.settings)
        own_stores.ensure_bucket(client, self.settings.bucket, self.options.region)
        scanner = own_stores.UploadScanner(client, self.settings.bucket, self.settings.upload_prefix,
                                           self._deliver_s3_event)
        scanner.baseline()
        return scanner

    def _scan_uploads(self, scanner: own_stores.UploadScanner) -> None:
        while not self._stopping.wait(self.options.upload_poll_interval):
            try:
                scanner.scan_once()
            except Exception:
                log.exception("listing the uploads of %s failed", self.options.s3_endpoint)

    def _poll_uploads(self, sqs: Any) -> None:
        """SQS -> the upload trigger function, as the cloud's SQS event source mapping does. A message is
        deleted only after the handler succeeded; otherwise it comes back (at least once)."""
        assert self.runtime is not None
        while not self._stopping.is_set():
            try:
                response = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1,
                                               WaitTimeSeconds=1, VisibilityTimeout=60,
                                               AttributeNames=["ApproximateReceiveCount", "SentTimestamp"])
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("polling the upload queue failed")
                time.sleep(1)
                continue
            for message in response.get("Messages", []):
                event = {"Records": [{"messageId": message["MessageId"], "body": message["Body"],
                                      "eventSource": "aws:sqs", "receiptHandle": message["ReceiptHandle"],
                                      "attributes": message.get("Attributes", {})}]}
                result = self.runtime.invoke("UploadTriggerFunction", json.dumps(event).encode())
                if result.error_type == "TooManyRequestsException":
                    # As the event source does for a throttled function: the message is tried again
                    # shortly (not after the whole visibility timeout), and nothing is lost.
                    sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                                  VisibilityTimeout=random.randint(1, 3))
                    continue
                if result.function_error:
                    log.error("upload trigger failed (message will be retried): %s", result.payload[:500])
                    continue
                if _reported_failure(result.payload, message["MessageId"]):
                    continue  # deferred for capacity: the trigger hid it for a while; it stays queued
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
        self.api = api_server(app, self.options.host, self.options.api_port, runtime=self.runtime, cloud=self,
                              console_dir=console_site.console_dir(self.template.root))
        self._start_thread("api", self.api.server.serve_forever)


def _reported_failure(payload: bytes, message_id: str) -> bool:
    """Whether a handler's answer lists this message in batchItemFailures (ReportBatchItemFailures):
    the event source then leaves it in the queue."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return False
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    return any(isinstance(f, dict) and f.get("itemIdentifier") == message_id for f in failures or [])


def api_server(app: Any, host: str, port: int, **handler_options: Any) -> LocalDevServer:
    """chalice.local's server for the API function's app, answering through _QuietRequestHandler."""
    config = ChaliceConfig()
    server = create_local_server(app, config, host, port)
    # Access lines go to the log (visible with -v), not to the terminal of every user.
    server.server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        _QuietRequestHandler, app_object=app, config=config, **handler_options)
    return server


# Routes template.yaml gives to a function of their own on the same API (more specific than {proxy+}):
# (method, path pattern) -> function. The same handler serves them here as in the cloud.
_OWN_FUNCTION_ROUTES = [("POST", re.compile(r"^/api/v1/monitor/runs/(?P<run_id>[^/?]+)/samples/?(?:\?.*)?$"),
                         "IngestFunction")]


class _QuietRequestHandler(ChaliceRequestHandler):
    # http.server writes the headers and the body in two sends: with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms) on every request of a kept-alive connection.
    disable_nagle_algorithm = True

    def __init__(self, *args: Any, runtime: LocalLambdaRuntime | None = None, cloud: LocalCloud | None = None,
                 console_dir: Path | None = None, **kwargs: Any) -> None:
        self.runtime = runtime  # set before the base class handles the request in its __init__
        self.cloud = cloud
        self.console_dir = console_dir
        self.app_object = kwargs["app_object"]
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("api: " + format, *args)

    def _generic_handle(self) -> None:
        if self.command in ("GET", "HEAD") and self.console_dir is not None and console_site.is_console_path(self.path):
            self._send_console_file(self.console_dir)
            return
        # The console's static files pass without a key (a browser navigating cannot send one); its
        # calls to the API carry the key.
        expected = self.cloud.api_key if self.cloud is not None else None
        if expected and access.needs_key(self.command, self.path) and not access.key_accepted(
                self.headers.get(access.API_KEY_HEADER), expected):
            self._parse_payload()  # read the body, so the client gets the answer rather than a reset
            self._send_http_response(403, {"Content-Type": "application/json"},
                                     json.dumps({"detail": access.MISSING_KEY}))
            return
        for method, pattern, function in _OWN_FUNCTION_ROUTES:
            match = pattern.match(self.path)
            if self.command == method and match and self.runtime is not None:
                self._invoke_function(function, match.groupdict())
                return
        if not self._route_exists():
            self._parse_payload()
            path = self.path.split("?")[0]
            self._send_http_response(404, {"Content-Type": "application/json"},
                                     json.dumps({"detail": f"no such endpoint: {self.command} {path}"}))
            return
        super()._generic_handle()

    def _route_exists(self) -> bool:
        """chalice.local answers a path no route matches as API Gateway does without gateway
        responses (403 "Missing Authentication Token"); the API's contract is a 404 naming it."""
        try:
            RouteMatcher(list(self.app_object.routes)).match_route(self.path)
        except ValueError:
            return False
        return True

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, made-up ones) is a 405 in the API's shape, as API Gateway
        # answers it, not http.server's 501 HTML page.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self._parse_payload()
        self._send_http_response(405, {"Content-Type": "application/json"},
                                 json.dumps({"detail": f"method {self.command} is not allowed"}))

    def _send_console_file(self, dist: Path) -> None:
        reply = console_site.serve(dist, self.path)
        headers = {"Content-Type": reply.content_type, "Cache-Control": "no-cache"}
        if reply.location:
            headers["Location"] = reply.location
        self._send_http_response(reply.status, headers, b"" if self.command == "HEAD" else reply.body)

    def _invoke_function(self, function: str, path_parameters: dict[str, str]) -> None:
        """API Gateway's Lambda proxy integration: the request as a proxy event, the handler's
        {statusCode, headers, body} back as the HTTP response."""
        assert self.runtime is not None
        headers, body = self._parse_payload()
        path, _, query = self.path.partition("?")
        event = {"httpMethod": self.command, "path": path, "resource": path, "headers": headers,
                 "queryStringParameters": dict(p.split("=", 1) for p in query.split("&") if "=" in p) or None,
                 "pathParameters": path_parameters, "isBase64Encoded": True,
                 "body": base64.b64encode(body or b"").decode("ascii"), "requestContext": {"httpMethod": self.command}}
        result = self.runtime.invoke(function, json.dumps(event).encode())
        if result.function_error:
            log.error("%s failed: %s", function, result.payload[:500])
            self._send_http_response(502, {"Content-Type": "application/json"},
                                     json.dumps({"detail": f"{function} failed"}))
            return
        response = json.loads(result.payload)
        out = response.get("body") or ""
        payload = base64.b64decode(out) if response.get("isBase64Encoded") else out
        self._send_http_response(int(response.get("statusCode", 200)), dict(response.get("headers") or {}), payload)
