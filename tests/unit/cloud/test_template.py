"""template.yaml, the ASL file, the handlers and the PynamoDB models agree with each other."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
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
    by_ref = {"VideosTable": "videos_table", "MonitorProfilesTable": "profiles_table",
              "ScenarioScriptsTable": "scripts_table", "ScriptVersionsTable": "script_versions_table",
              "MonitorTasksTable": "monitor_tasks_table",
              "MonitorRunsTable": "monitor_runs_table", "SampleBatchesTable": "sample_batches_table",
              "TimingTasksTable": "timing_tasks_table", "TaskVideosTable": "task_videos_table",
              "ReviewHistoryTable": "review_history_table"}
    assert set(tables) == set(by_ref), "every table in template.yaml is bound to a model"
    settings = Settings()
    for logical_id, resource in tables.items():
        props = resource["Properties"]
        model = next(m for m, name in table_bindings(settings) if name == getattr(settings, by_ref[logical_id]))
        schema = model._get_schema()
        # DynamoDB wants HASH before RANGE; PynamoDB lists keys by attribute name.
        assert props["KeySchema"] == sorted(({"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                                             for k in schema["key_schema"]), key=lambda k: k["KeyType"])
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


def _tree_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def test_sam_build_fits_the_lambda_size_limit(tmp_path: Path) -> None:
    """Each function with the core layer stays under Lambda's 250 MB unzipped limit (sam build with the
    host's python3.12, as on a machine without Docker)."""
    sam = _tool("sam")
    # A real 3.12 interpreter (pyenv's shims on PATH are not one unless 3.12 is selected).
    candidates = [Path(sys.executable).parent / "python3.12"] if sys.version_info[:2] == (3, 12) else []
    candidates += sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))
    python312 = next((str(p) for p in candidates if p.exists()), None)
    if sam is None or python312 is None:
        if os.environ.get("FRAME_METRIC_TOOLS"):
            pytest.fail("sam or python3.12 missing for the packaging check")
        pytest.skip("sam or python3.12 not installed")
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{Path(python312).parent}:{os.environ['PATH']}"}
    build = tmp_path / "build"
    result = subprocess.run([sam, "build", "--region", "us-east-1", "--build-dir", str(build),
                             "--cache-dir", str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    layer = _tree_bytes(build / "CoreLayer")
    limit = 250 * 1024 * 1024
    for function in Template.load(ROOT).functions():
        total = _tree_bytes(build / function) + layer
        assert total < limit * 0.95, f"{function}: {total / 2**20:.0f} MiB with the layer"
