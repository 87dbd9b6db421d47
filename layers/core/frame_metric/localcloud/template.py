"""Read template.yaml: which handler each function runs and how the state machine is wired."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub...) read as their long forms."""


def _cfn_tag(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def project_root() -> Path:
    """The folder holding template.yaml: the package lives in layers/core/frame_metric of it."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "template.yaml").is_file() and (parent / "functions").is_dir():
            return parent
    raise FileNotFoundError("template.yaml not found above the frame_metric package: run from a clone")


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    module: str
    attribute: str
    timeout: int
    environment: dict[str, Any]


@dataclass(frozen=True)
class StateMachineSpec:
    logical_id: str
    definition_path: Path
    substitutions: dict[str, str]  # placeholder -> logical id of the function whose ARN it takes


@dataclass(frozen=True)
class Template:
    root: Path
    resources: dict[str, Any]
    globals: dict[str, Any]
    parameters: dict[str, Any]

    @classmethod
    def load(cls, root: Path | None = None) -> Template:
        root = root or project_root()
        document = yaml.load((root / "template.yaml").read_text(), Loader=_CfnLoader)
        return cls(root=root, resources=document["Resources"], globals=document.get("Globals", {}),
                   parameters=document.get("Parameters", {}))

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res["Type"] == kind}

    def functions(self) -> dict[str, FunctionSpec]:
        defaults = self.globals.get("Function", {})
        found = {}
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            module, attribute = props["Handler"].rsplit(".", 1)
            env = dict(defaults.get("Environment", {}).get("Variables", {}))
            env.update(props.get("Environment", {}).get("Variables", {}))
            found[name] = FunctionSpec(
                logical_id=name, code_dir=self.root / props["CodeUri"], module=module, attribute=attribute,
                timeout=int(props.get("Timeout", defaults.get("Timeout", 3))), environment=env,
            )
        return found

    def state_machine(self, logical_id: str = "VideoPipeline") -> StateMachineSpec:
        props = self.resources[logical_id]["Properties"]
        substitutions = {}
        for placeholder, value in props.get("DefinitionSubstitutions", {}).items():
            target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
            if not target or target[1] != "Arn":
                raise ValueError(f"substitution {placeholder}: only !GetAtt Function.Arn is supported locally")
            substitutions[placeholder] = target[0]
        return StateMachineSpec(logical_id, self.root / props["DefinitionUri"], substitutions)


def render_definition(spec: StateMachineSpec, arns: dict[str, str]) -> str:
    """The ASL with its ${Placeholders} replaced, as Step Functions' DefinitionSubstitutions do."""
    text = spec.definition_path.read_text()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in spec.substitutions:
            raise KeyError(f"{spec.definition_path.name} uses ${{{name}}}, which template.yaml does not define")
        return arns[spec.substitutions[name]]

    rendered = re.sub(r"\$\{([A-Za-z0-9]+)\}", replace, text)
    json.loads(rendered)  # fail here, not inside the executor, if the result is not JSON
    return rendered
