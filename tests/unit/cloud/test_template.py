"""template.yaml, the ASL file, the handlers and the PynamoDB models agree with each other."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from frame_metric.data.connection import table_bindings
from frame_metric.localcloud.template import Template, render_definition
from frame_metric.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(ROOT)


def test_every_function_handler_exists(template: Template) -> None:
    for spec in template.functions().values():
        path = spec.code_dir / f"{spec.module}.py"
        assert path.is_file(), f"{spec.logical_id}: {path} missing"
        loader = importlib.util.spec_from_file_location(f"check_{spec.logical_id}", path)
        assert loader is not None and loader.loader is not None
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        assert callable(getattr(module, spec.attribute)) or spec.attribute == "app"


def test_runtime_is_python_312_or_newer(template: Template) -> None:
    runtime = template.globals["Function"]["Runtime"]
    assert runtime.startswith("python3.") and int(runtime.split(".")[1]) >= 12


def test_state_machine_placeholders_match_substitutions(template: Template) -> None:
    machine = template.state_machine()
    arns = {name: f"arn:aws:lambda:us-east-1:1:function:{name}" for name in template.functions()}
    definition = json.loads(render_definition(machine, arns))
    assert definition["StartAt"] == "Probe"
    text = machine.definition_path.read_text()
    for placeholder in machine.substitutions:
        assert f"${{{placeholder}}}" in text


def test_pipeline_timeout_matches_settings(template: Template) -> None:
    definition = json.loads(template.state_machine().definition_path.read_text())
    variables = template.globals["Function"]["Environment"]["Variables"]
    assert int(variables["FRAME_METRIC_PIPELINE_TIMEOUT"]) == definition["TimeoutSeconds"]
    assert Settings().pipeline_timeout_seconds == definition["TimeoutSeconds"]


def test_tables_match_models(template: Template) -> None:
    tables = template.of_type("AWS::DynamoDB::Table")
    by_ref = {"VideosTable": "videos_table"}
    settings = Settings()
    for logical_id, resource in tables.items():
        props = resource["Properties"]
        model = next(m for m, name in table_bindings(settings) if name == getattr(settings, by_ref[logical_id]))
        schema = model._get_schema()
        assert props["KeySchema"] == [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                                      for k in schema["key_schema"]]
        model_attrs = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == model_attrs
        model_indexes = {i["index_name"]: sorted((k["AttributeName"], k["KeyType"]) for k in i["key_schema"])
                         for i in schema.get("global_secondary_indexes", [])}
        template_indexes = {i["IndexName"]: sorted((k["AttributeName"], k["KeyType"]) for k in i["KeySchema"])
                            for i in props.get("GlobalSecondaryIndexes", [])}
        assert template_indexes == model_indexes


def _tool(name: str) -> str | None:
    folder = os.environ.get("FRAME_METRIC_TOOLS")
    candidate = Path(folder) / name if folder else None
    if candidate and candidate.exists():
        return str(candidate)
    return shutil.which(name)


@pytest.mark.parametrize("command", [["cfn-lint", "template.yaml"],
                                     ["sam", "validate", "--lint", "--region", "us-east-1"]])
def test_template_lints_clean(command: list[str]) -> None:
    tool = _tool(command[0])
    if tool is None:
        if os.environ.get("FRAME_METRIC_TOOLS"):
            pytest.fail(f"{command[0]} is missing from {os.environ['FRAME_METRIC_TOOLS']}")
        pytest.skip(f"{command[0]} not installed (make tools)")
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run([tool, *command[1:]], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
