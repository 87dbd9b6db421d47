"""One local endpoint for every AWS API: Lambda Invoke goes to our runtime, the rest to moto.

moto's Step Functions executor calls Lambda at http://localhost:$MOTO_PORT; listening on that port and
answering `POST /2015-03-31/functions/{name}/invocations` ourselves is what makes state machines run
our real handlers, with no patch inside moto.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from frame_metric.localcloud.lambda_runtime import LocalLambdaRuntime

log = logging.getLogger(__name__)
_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")


class FrontDoor:
    def __init__(self, runtime: LocalLambdaRuntime) -> None:
        self.runtime = runtime
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        match = _INVOKE.match(environ.get("PATH_INFO", ""))
        if match and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = environ["wsgi.input"].read(length) if length else b""
            name = unquote(match.group("name"))
            if environ.get("HTTP_X_AMZ_INVOCATION_TYPE") == "Event":
                result = self.runtime.invoke_event(name, payload)
            else:
                result = self.runtime.invoke(name, payload)
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(result.payload))),
                       ("X-Amz-Executed-Version", "$LATEST"), ("X-Amzn-RequestId", str(uuid.uuid4()))]
            if result.function_error:
                headers.append(("X-Amz-Function-Error", result.function_error))
            if result.error_type:
                headers.append(("X-Amzn-ErrorType", result.error_type))
            start_response(f"{result.status} {'OK' if result.status < 300 else 'Error'}", headers)
            return [result.payload]
        return self.moto(environ, start_response)


class _QuietMotoHandler(MotoRequestHandler):
    """Every SDK call of every function passes here: one access-log line each drowns what matters."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("aws: %s %s", self.requestline, code)


class FrontDoorServer:
    def __init__(self, runtime: LocalLambdaRuntime, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server(host, port, FrontDoor(runtime), threaded=True,
                                                  request_handler=_QuietMotoHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="front-door", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
