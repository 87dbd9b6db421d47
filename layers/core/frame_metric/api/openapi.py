"""The OpenAPI 3.1 document of the HTTP API, built from the pydantic models the routes use.

Chalice has no schema generation of its own; one table of operations here keeps the document next to
the models it describes, and a test checks every route of the app appears in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from frame_metric import __version__
from frame_metric.data.monitor_config import MonitorTaskStatus
from frame_metric.data.video import VideoStatus
from frame_metric.ids import MAX_ID_LENGTH
from frame_metric.monitor import catalog
from frame_metric.monitor import run_schemas as monitor_runs
from frame_metric.monitor import schemas as monitor
from frame_metric.qr import schemas as qr
from frame_metric.review import actions as review_actions
from frame_metric.review import schemas as review
from frame_metric.tasks import schemas as tasks
from frame_metric.videos import schemas, waiting

API = "/api/v1"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    response_list: bool = False
    body: type[BaseModel] | None = None
    multipart: dict[str, str] | None = None  # field -> "file" | "files" | "string" (+ "?": optional)
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    produces: str = "application/json"  # anything else: the answer is that file itself


# An id or a name looked up by key, in the query (api/http.py query_id).
_QUERY_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
PAGING = {
    "skip": {"type": "integer", "minimum": 0, "default": 0},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
}

OPERATIONS: list[Operation] = [
    Operation("get", "/", "Service information", "system"),
    Operation("get", "/health", "Health check", "system"),
    Operation("post", f"{API}/video/upload", "Upload one .mp4 and start processing", "video",
              schemas.VideoUploadResponse, multipart={"file": "file", "options": "string?"},
              errors=(400, 413, 415, 422)),
    Operation("post", f"{API}/video/batch-upload", "Upload up to 5 .mp4 files", "video",
              schemas.BatchUploadResponse, multipart={"files": "files", "options": "string?"},
              errors=(400, 413, 415, 422)),
    Operation("post", f"{API}/video/upload-url", "Presigned S3 PUT URL for a large file", "video",
              schemas.PresignedUploadResponse, body=schemas.PresignedUploadRequest, errors=(400, 413, 422)),
    Operation("get", f"{API}/video/list", "List videos, newest first", "video", schemas.VideoStatusResponse,
              response_list=True, errors=(422,),
              query={**PAGING, "status": {"type": "string", "enum": [s.value for s in VideoStatus]}}),
    Operation("get", f"{API}/video/{{video_id}}/status", "Status and result of one video", "video",
              schemas.VideoStatusResponse, errors=(404,)),
    Operation("get", f"{API}/video/{{video_id}}/progress", "Processing progress", "video",
              schemas.TaskProgress, errors=(404, 422),
              query={"wait": {"type": "integer", "minimum": 0, "maximum": waiting.MAX_WAIT_SECONDS, "default": 0,
                              "description": "with since: answer once the progress changes, at most this long"},
                     "since": {"type": "string",
                               "description": "status/progress/current_step of the progress last seen"}}),
    Operation("post", f"{API}/video/{{video_id}}/cancel", "Cancel processing", "video",
              schemas.CancelTaskResponse, errors=(404, 409)),
]

# Scenario monitoring configuration (frame_metric/api/monitor_config_routes.py).
MONITOR = f"{API}/monitor"
OPERATIONS += [
    Operation("get", f"{MONITOR}/items", "Metric catalog: unit, source, default interval, stats", "monitor",
              monitor.MetricResponse, response_list=True, errors=(422,),
              query={"source": {"type": "string", "enum": [s.value for s in catalog.Source]}}),
    Operation("get", f"{MONITOR}/items/{{metric}}", "One metric of the catalog", "monitor",
              monitor.MetricResponse, errors=(404,)),
    Operation("post", f"{MONITOR}/profiles", "Create a monitor profile", "monitor",
              monitor.ProfileResponse, body=monitor.ProfileCreate, errors=(400, 422)),
    Operation("get", f"{MONITOR}/profiles", "List profiles, newest first", "monitor", monitor.ProfileResponse,
              response_list=True, query=PAGING, errors=(422,)),
    Operation("get", f"{MONITOR}/profiles/{{profile_id}}", "One profile", "monitor", monitor.ProfileResponse,
              errors=(404,)),
    Operation("put", f"{MONITOR}/profiles/{{profile_id}}", "Change a profile (fields sent are replaced)",
              "monitor", monitor.ProfileResponse, body=monitor.ProfileUpdate, errors=(400, 404, 422)),
    Operation("delete", f"{MONITOR}/profiles/{{profile_id}}", "Delete a profile no task uses", "monitor",
              monitor.MessageResponse, errors=(404, 409)),
    Operation("post", f"{MONITOR}/scripts/validate", "Check a script without storing or running it",
              "monitor", monitor.ScriptValidateResponse, body=monitor.ScriptValidateRequest, errors=(400, 422)),
    Operation("post", f"{MONITOR}/scripts", "Create a scenario script, version 1", "monitor",
              monitor.ScriptResponse, body=monitor.ScriptCreate, errors=(400, 422)),
    Operation("get", f"{MONITOR}/scripts", "List scripts, newest first", "monitor", monitor.ScriptSummary,
              response_list=True, query=PAGING, errors=(422,)),
    Operation("get", f"{MONITOR}/scripts/{{script_id}}", "A script with the content of its latest version",
              "monitor", monitor.ScriptResponse, errors=(404, 422),
              query={"version": {"type": "integer", "minimum": 1}}),
    Operation("get", f"{MONITOR}/scripts/{{script_id}}/versions", "Versions of a script, newest first",
              "monitor", monitor.ScriptVersionResponse, response_list=True, errors=(404,)),
    Operation("put", f"{MONITOR}/scripts/{{script_id}}", "Store a new version of a script", "monitor",
              monitor.ScriptResponse, body=monitor.ScriptUpdate, errors=(400, 404, 409, 422)),
    Operation("delete", f"{MONITOR}/scripts/{{script_id}}", "Delete a script and its versions", "monitor",
              monitor.MessageResponse, errors=(404, 409)),
    Operation("post", f"{MONITOR}/tasks", "Create a monitoring task", "monitor", monitor.TaskResponse,
              body=monitor.TaskCreate, errors=(400, 409, 422)),
    Operation("get", f"{MONITOR}/tasks", "Task list, newest first, by creator and status", "monitor",
              monitor.TaskResponse, response_list=True, errors=(422,),
              query={**PAGING, "user": _QUERY_ID,
                     "status": {"type": "string", "enum": [s.value for s in MonitorTaskStatus]}}),
    Operation("get", f"{MONITOR}/tasks/{{task_id}}", "One task with its last run and verdict", "monitor",
              monitor.TaskResponse, errors=(404,)),
    Operation("put", f"{MONITOR}/tasks/{{task_id}}", "Change a task (fields sent are replaced)", "monitor",
              monitor.TaskResponse, body=monitor.TaskUpdate, errors=(400, 404, 409, 422)),
    Operation("delete", f"{MONITOR}/tasks/{{task_id}}", "Delete a task that is not running", "monitor",
              monitor.MessageResponse, errors=(404, 409)),
]

# Monitoring runs, ingest and live data (frame_metric/api/monitor_run_routes.py; POST .../samples is the
# ingest function). Runner actions need `Authorization: Bearer <run token>`.
OPERATIONS += [
    Operation("post", f"{API}/monitor/tasks/{{task_id}}/runs", "Create a run; returns run_id and run_token (once)",
              "monitor-runs", body=monitor_runs.CreateRunRequest, errors=(404, 422)),
    Operation("get", f"{API}/monitor/tasks/{{task_id}}/runs", "A task's runs, newest first", "monitor-runs",
              query=PAGING, errors=(404, 422)),
    Operation("get", f"{API}/monitor/runs/{{run_id}}", "One run (status, verdict, linked video)", "monitor-runs",
              errors=(404,)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/start", "Runner: start the run (token)", "monitor-runs",
              errors=(401, 403, 404, 409)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/heartbeat", "Runner: still alive (token)", "monitor-runs",
              errors=(401, 403, 404, 409)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/finish", "Runner: finish; computes results and verdict",
              "monitor-runs", errors=(401, 403, 404, 409)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/fail", "Runner: fail with a reason (token)", "monitor-runs",
              body=monitor_runs.FailRunRequest, errors=(401, 403, 404, 409, 422)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/cancel", "Cancel (runner token, or none from the console)",
              "monitor-runs", errors=(403, 404, 409)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/samples", "Runner: a batch of samples and marks (idempotent "
              "per seq)", "monitor-runs", body=monitor_runs.SampleBatchRequest,
              errors=(400, 401, 403, 404, 409, 413, 422)),
    Operation("get", f"{API}/monitor/runs/{{run_id}}/samples", "Live data after a cursor, downsampled",
              "monitor-runs", errors=(404, 422),
              query={"since": {"type": "integer", "minimum": 0, "default": 0},
                     "max_points": {"type": "integer", "minimum": 10, "maximum": 10000, "default": 1000}}),
    Operation("get", f"{API}/monitor/runs/{{run_id}}/results", "Stats per metric and mark segment, verdict, jank",
              "monitor-runs", errors=(404,)),
    Operation("get", f"{API}/monitor/runs/compare", "Two runs side by side with deltas", "monitor-runs",
              errors=(404, 422), query={"a": _QUERY_ID, "b": _QUERY_ID}),
    Operation("get", f"{API}/monitor/runs/{{run_id}}/export", "CSV or Excel (summary + samples sheets)",
              "monitor-runs", errors=(404, 422), query={"format": {"type": "string", "enum": ["csv", "excel"]}}),
    Operation("put", f"{API}/monitor/runs/{{run_id}}/video", "Link a screen recording (video id, offset)",
              "monitor-runs", body=monitor_runs.LinkVideoRequest, errors=(404, 422)),
    Operation("post", f"{API}/monitor/runs/{{run_id}}/videos", "Link one more recording (a segment) at its offset",
              "monitor-runs", body=monitor_runs.LinkVideoRequest, errors=(404, 422)),
]

# Timing tasks and review (frame_metric/api/task_routes.py, review_routes.py): sections 2 and 3 of the spec.
TASK = f"{API}/task"
REVIEW = f"{API}/review"
OPERATIONS += [
    Operation("post", f"{TASK}/create", "Create a task of videos", "task", tasks.TaskResponse, body=tasks.TaskCreate,
              errors=(400, 422)),
    Operation("get", f"{TASK}/list", "List tasks, newest first, by creator", "task", tasks.TaskResponse,
              response_list=True, errors=(422,), query={**PAGING, "user": _QUERY_ID}),
    Operation("get", f"{TASK}/{{task_id}}", "A task with all its videos and first/last frame URLs", "task",
              tasks.TaskDetailResponse, errors=(404,)),
    Operation("put", f"{TASK}/{{task_id}}", "Change a task's name or description", "task", tasks.TaskResponse,
              body=tasks.TaskUpdate, errors=(400, 404, 422)),
    Operation("delete", f"{TASK}/{{task_id}}", "Delete a task and its video links (never the videos)", "task",
              tasks.MessageResponse, errors=(404,)),
    Operation("post", f"{TASK}/{{task_id}}/videos", "Add completed videos (others listed in failed_videos)",
              "task", tasks.VideoAddResponse, body=tasks.VideoAddToTask, errors=(400, 404, 422)),
    Operation("delete", f"{TASK}/{{task_id}}/videos/{{video_id}}", "Remove a video from a task", "task",
              tasks.MessageResponse, errors=(404,)),
    Operation("post", f"{TASK}/{{task_id}}/calculate-stats", "Recompute the statistics now", "task",
              tasks.TaskResponse, errors=(404,)),
    Operation("get", f"{TASK}/{{task_id}}/statistics", "Statistics: counts, durations, median, p90, stddev, frames",
              "task", tasks.TaskStatsResponse, errors=(404,)),
    Operation("get", f"{TASK}/{{task_id}}/export", "Timing data as an .xlsx or .csv (UTF-8 BOM) download", "task",
              errors=(404, 422), query={"format": {"type": "string", "enum": ["excel", "csv"], "default": "excel"}}),
    Operation("get", f"{REVIEW}/pending", "Videos that need review and have not been reviewed", "review",
              review.VideoReviewResponse, response_list=True, errors=(422,),
              query={**PAGING, "include_frames": {"type": "boolean", "default": False}}),
    Operation("get", f"{REVIEW}/{{video_id}}", "Everything to review a video: marks, candidates, all frames",
              "review", review.VideoReviewResponse, errors=(404, 409)),
    Operation("post", f"{REVIEW}/{{video_id}}/mark", "Mark first and last frames by hand", "review",
              review.FrameMarkingResponse, body=review.FrameMarkingRequest, errors=(400, 404, 409, 422)),
    Operation("post", f"{REVIEW}/{{video_id}}/actions/{{index}}/mark",
              "Correct one action's operation, response and finish frames", "review",
              review_actions.ActionMarkingResponse, body=review_actions.ActionMarkingRequest,
              errors=(400, 404, 409, 422)),
    Operation("get", f"{REVIEW}/{{video_id}}/history", "Every mark of a video, oldest first", "review",
              review.ReviewHistoryEntry, response_list=True, errors=(404,)),
]

# QR codes (frame_metric/api/qr_routes.py): the answer is the image itself.
QR_FORM = {"words": "string", "picture": "file", "version": "integer?", "level": "string?",
           "colorized": "boolean?", "contrast": "number?", "brightness": "number?"}
OPERATIONS += [
    Operation("post", f"{API}/qr/simple", "Plain QR code (PNG) that scans to exactly `words`", "qr",
              body=qr.QRCodeRequest, errors=(400, 422), produces="image/png"),
    Operation("post", f"{API}/qr/artistic", "QR code blended into a PNG/JPEG/BMP picture (PNG)", "qr",
              multipart=QR_FORM, errors=(400, 413, 415, 422), produces="image/png"),
    Operation("post", f"{API}/qr/animated", "QR code blended into every frame of a GIF (GIF)", "qr",
              multipart=QR_FORM, errors=(400, 413, 415, 422), produces="image/gif"),
]

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# Access (README "Access control"): an API key on every operation, as API Gateway's usage plan checks
# it; sample ingest takes the run token instead.
_SECURITY_SCHEMES = {"api_key": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                     "run_token": {"type": "http", "scheme": "bearer"}}
_TOKEN_ONLY = {("post", f"{API}/monitor/runs/{{run_id}}/samples")}


def _component_name(model: type[BaseModel]) -> str:
    # Video tasks and monitoring tasks both have a TaskCreate/TaskUpdate/TaskResponse (each module keeps the
    # names its spec uses): the monitoring ones are qualified in the document.
    if model.__module__ == monitor.__name__ and model.__name__.startswith("Task"):
        return f"Monitor{model.__name__}"
    return model.__name__


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    name = _component_name(model)
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for nested, definition in schema.pop("$defs", {}).items():
        components[nested] = definition
    components[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _multipart(fields: dict[str, str]) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    kinds = {"file": binary, "files": {"type": "array", "items": binary}, "string": {"type": "string"},
             "integer": {"type": "integer"}, "number": {"type": "number"}, "boolean": {"type": "boolean"}}
    schema = {"type": "object", "properties": {name: kinds[kind.rstrip("?")] for name, kind in fields.items()},
              "required": [name for name, kind in fields.items() if not kind.endswith("?")]}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


# Path ids as frame_metric.ids allows them: the fuzzer's negative cases send ones that break this.
_PATH_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        spec: dict[str, Any] = {"summary": op.summary, "tags": [op.tag], "operationId": _operation_id(op)}
        if (op.method, op.path) in _TOKEN_ONLY:
            spec["security"] = [{"run_token": []}]
        parameters = [{"name": name, "in": "path", "required": True, "schema": _PATH_ID}
                      for name in _path_params(op.path)]
        parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                       for name, schema in op.query.items()]
        if parameters:
            spec["parameters"] = parameters
        if op.body is not None:
            spec["requestBody"] = {"required": True,
                                   "content": {"application/json": {"schema": _ref(op.body, components)}}}
        if op.multipart is not None:
            spec["requestBody"] = _multipart(op.multipart)
        ok: dict[str, Any] = {"type": "object"}
        if op.response is not None:
            ref = _ref(op.response, components)
            ok = {"type": "array", "items": ref} if op.response_list else ref
        if op.produces != "application/json":
            ok = {"type": "string", "format": "binary"}
        spec["responses"] = {"200": {"description": "OK", "content": {op.produces: {"schema": ok}}}}
        for code in sorted({*op.errors, *_implied_errors(op)}):
            error = {"schema": {"$ref": "#/components/schemas/Error"}}
            spec["responses"][str(code)] = {"description": "Error", "content": {"application/json": error}}
        paths.setdefault(op.path, {})[op.method] = spec
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "frame-metric", "version": __version__,
                 "description": "Frame-exact response times from screen recordings. Errors are {\"detail\": ...}."},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": _SECURITY_SCHEMES},
        "security": [{"api_key": []}],
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document


def _implied_errors(op: Operation) -> set[int]:
    """Answers every operation of a kind can give, whatever its own list says: a JSON body may be no
    JSON (400) or the wrong shape (422), a form the wrong type (415), any query value out of range (422)."""
    implied: set[int] = set()
    if _path_params(op.path):
        implied.add(404)  # an id that names nothing, or cannot be an id at all (frame_metric.ids)
    if op.body is not None:
        implied |= {400, 422}
    if op.multipart is not None:
        implied |= {400, 413, 415}
    if op.query:
        implied.add(422)
    return implied


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _operation_id(op: Operation) -> str:
    words = [part.strip("{}").replace("-", "_") for part in op.path.split("/") if part and part not in ("api", "v1")]
    return "_".join([op.method, *words]) or op.method
