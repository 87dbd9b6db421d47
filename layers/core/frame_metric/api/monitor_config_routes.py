"""Routes of the scenario monitoring configuration API (mounted at /api/v1/monitor): metric catalog,
profiles, scenario scripts and tasks. Views only parse the request and call the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from frame_metric.api.http import View, guarded, json_body, json_response, query_id, query_int, query_str
from frame_metric.data import bind_models
from frame_metric.errors import NotFound, ValidationFailed
from frame_metric.monitor import catalog
from frame_metric.monitor.profiles import ProfileService
from frame_metric.monitor.schemas import (
    MetricResponse,
    ProfileCreate,
    ProfileUpdate,
    ScriptCreate,
    ScriptUpdate,
    ScriptValidateRequest,
    TaskCreate,
    TaskUpdate,
)
from frame_metric.monitor.scripts import ScriptService
from frame_metric.monitor.tasks import TaskService
from frame_metric.settings import per_settings


@per_settings
def _bound() -> None:
    bind_models()


def profiles() -> ProfileService:
    _bound()
    return ProfileService()


def scripts() -> ScriptService:
    _bound()
    return ScriptService()


def tasks() -> TaskService:
    _bound()
    return TaskService()


def monitor_config_blueprint() -> Blueprint:
    """A new blueprint per app. (Chalice pops `methods` from a blueprint's stored route options when it
    registers them, so one blueprint registered with a second app -- app.py loaded again, as the handler
    tests and the local runtime do -- would turn every route into GET.)"""
    bp = Blueprint(__name__)

    def route(path: str, **options: Any) -> Callable[[View], View]:
        return lambda view: bp.route(path, **options)(guarded(view))

    def _request() -> Request:
        return bp.current_request

    def _page() -> tuple[int, int]:
        return query_int(_request(), "skip", 0), query_int(_request(), "limit", 20)

    # -- metric catalog ---------------------------------------------------------------------------

    @route("/items")
    def list_items() -> Response:
        source = query_str(_request(), "source")
        if source is not None and source not in set(catalog.Source):
            raise ValidationFailed(f"source must be one of {', '.join(catalog.Source)}")
        wanted = catalog.available_on(None if source is None else catalog.Source(source))
        return json_response([MetricResponse(**asdict(metric)) for metric in wanted])

    @route("/items/{metric}")
    def get_item(metric: str) -> Response:
        found = catalog.find(metric)
        if found is None:
            raise NotFound(f"unknown metric {metric!r}; known metrics are {', '.join(catalog.names())}")
        return json_response(MetricResponse(**asdict(found)))

    # -- profiles -------------------------------------------------------------------------------------

    @route("/profiles", methods=["POST"])
    def create_profile() -> Response:
        return json_response(profiles().create(json_body(_request(), ProfileCreate)))

    @route("/profiles")
    def list_profiles() -> Response:
        return json_response(profiles().list(*_page()))

    @route("/profiles/{profile_id}")
    def get_profile(profile_id: str) -> Response:
        return json_response(profiles().get(profile_id))

    @route("/profiles/{profile_id}", methods=["PUT"])
    def update_profile(profile_id: str) -> Response:
        return json_response(profiles().update(profile_id, json_body(_request(), ProfileUpdate)))

    @route("/profiles/{profile_id}", methods=["DELETE"])
    def delete_profile(profile_id: str) -> Response:
        return json_response(profiles().delete(profile_id))

    # -- scripts --------------------------------------------------------------------------------------

    @route("/scripts/validate", methods=["POST"])
    def validate_script() -> Response:
        return json_response(scripts().validate(json_body(_request(), ScriptValidateRequest)))

    @route("/scripts", methods=["POST"])
    def create_script() -> Response:
        return json_response(scripts().create(json_body(_request(), ScriptCreate)))

    @route("/scripts")
    def list_scripts() -> Response:
        return json_response(scripts().list(*_page()))

    @route("/scripts/{script_id}")
    def get_script(script_id: str) -> Response:
        raw = query_str(_request(), "version")
        version = None if raw is None else query_int(_request(), "version", 0)
        if version is not None and version < 1:
            raise ValidationFailed("version must be 1 or more")
        return json_response(scripts().get(script_id, version))

    @route("/scripts/{script_id}/versions")
    def list_script_versions(script_id: str) -> Response:
        return json_response(scripts().versions(script_id))

    @route("/scripts/{script_id}", methods=["PUT"])
    def update_script(script_id: str) -> Response:
        return json_response(scripts().update(script_id, json_body(_request(), ScriptUpdate)))

    @route("/scripts/{script_id}", methods=["DELETE"])
    def delete_script(script_id: str) -> Response:
        return json_response(scripts().delete(script_id))

    # -- tasks ----------------------------------------------------------------------------------------

    @route("/tasks", methods=["POST"])
    def create_task() -> Response:
        return json_response(tasks().create(json_body(_request(), TaskCreate)))

    @route("/tasks")
    def list_tasks() -> Response:
        request = _request()
        return json_response(tasks().list(query_id(request, "user"), query_str(request, "status"), *_page()))

    @route("/tasks/{task_id}")
    def get_task(task_id: str) -> Response:
        return json_response(tasks().get(task_id))

    @route("/tasks/{task_id}", methods=["PUT"])
    def update_task(task_id: str) -> Response:
        return json_response(tasks().update(task_id, json_body(_request(), TaskUpdate)))

    @route("/tasks/{task_id}", methods=["DELETE"])
    def delete_task(task_id: str) -> Response:
        force = (query_str(_request(), "force") or "false").lower()
        if force not in ("true", "false"):
            raise ValidationFailed("force must be true or false")
        return json_response(tasks().delete(task_id, force=force == "true"))

    return bp
