"""The OpenAPI document describes every route the API function serves, with the methods it serves."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from frame_metric.api.openapi import openapi_document
from frame_metric.localcloud.template import Template
from tests.unit.cloud.handlers import ROOT

# The document itself and its viewer are not API operations.
UNDOCUMENTED = {"/openapi.json", "/docs", "/redoc", "/docs/{name}"}


def api_module() -> ModuleType:
    spec = Template.load(ROOT).functions()["ApiFunction"]
    loader = importlib.util.spec_from_file_location("test_openapi_api_app", spec.code_dir / f"{spec.module}.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def other_functions_routes() -> set[tuple[str, str]]:
    """API routes template.yaml gives to functions other than the Chalice app (e.g. sample ingest)."""
    found = set()
    for name, resource in Template.load(ROOT).of_type("AWS::Serverless::Function").items():
        for event in (resource["Properties"].get("Events") or {}).values():
            props = event.get("Properties", {})
            if name != "ApiFunction" and event.get("Type") == "Api":
                found.add((props["Path"], props["Method"].lower()))
    return found


def test_every_route_is_documented_with_its_methods() -> None:
    app = api_module().app
    served = {(path, method.lower()) for path, methods in app.routes.items() if path not in UNDOCUMENTED
              for method in methods} | other_functions_routes()
    paths = openapi_document()["paths"]
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    assert served - documented == set(), "routes missing from the OpenAPI document"
    assert documented - served == set(), "documented operations the app does not serve"


def test_monitor_operations_are_tagged_and_refer_to_schemas() -> None:
    document = openapi_document()
    monitor = {path: ops for path, ops in document["paths"].items() if path.startswith("/api/v1/monitor/")}
    assert "/api/v1/monitor/scripts/{script_id}/versions" in monitor
    schemas = document["components"]["schemas"]
    for path, operations in monitor.items():
        for method, operation in operations.items():
            if operation["tags"] != ["monitor"]:
                continue  # the runs half of the monitor API has its own tag
            assert set(operation["responses"]) - {"200"}, f"{method} {path} documents no errors"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                assert body["schema"]["$ref"].rsplit("/", 1)[-1] in schemas
    assert {"ProfileCreate", "ScriptValidateResponse", "TaskResponse", "TargetModel"} <= set(schemas)
