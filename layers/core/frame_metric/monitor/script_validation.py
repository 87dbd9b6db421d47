"""Check a scenario script without running it, reporting problems by line.

YAML scripts are checked on the composed node tree (not the loaded values) because only nodes keep
their marks; Python scripts are only parsed. Nothing here ever executes the script.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from frame_metric.data.monitor_config import ScriptKind
from frame_metric.monitor.schemas import ScriptError, ScriptValidateResponse

MAX_STEPS = 2000  # also stops alias bombs: aliases reuse nodes, each visit counts
MAX_DEPTH = 5
KEYS = ("home", "back", "enter", "menu", "recent", "power", "volume_up", "volume_down", "delete", "tab",
        "search", "space", "escape")
DIRECTIONS = ("up", "down", "left", "right")

Check = Callable[[Any], str | None]


def _number(low: float = 0, high: float = 1e9) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        return None if low <= value <= high else f"must be between {low:g} and {high:g}"
    return check


def _integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        return None if low <= value <= high else f"must be between {low} and {high}"
    return check


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def _any_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"  # typing "" or spaces is legitimate


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _choice(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"
    return check


def _point(value: Any) -> str | None:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value))
    return None if ok else "must be a point [x, y] of two numbers >= 0"


def _key(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None if 0 <= value <= 400 else "keycode must be between 0 and 400"
    return None if value in KEYS else f"must be a keycode number or one of {', '.join(KEYS)}"


@dataclass(frozen=True)
class StepSpec:
    args: dict[str, Check]
    required: tuple[str, ...] = ()
    shorthand: str | None = None  # `- wait: 2` means `- wait: {seconds: 2}`
    one_of: tuple[tuple[str, ...], ...] = ()  # exactly one of these groups of arguments
    no_args: bool = False  # `- stop_app:` with nothing means the task's app


TIMEOUT = _number(0.1, 3600)
STEPS: dict[str, StepSpec] = {
    "launch_app": StepSpec({"package": _text, "activity": _text, "wait": _number(0, 600)}, shorthand="package",
                           no_args=True),
    "stop_app": StepSpec({"package": _text}, shorthand="package", no_args=True),
    "tap": StepSpec({"x": _number(), "y": _number(), "text": _text, "id": _text, "timeout": TIMEOUT},
                    shorthand="text", one_of=(("x", "y"), ("text",), ("id",))),
    "swipe": StepSpec({"from": _point, "to": _point, "direction": _choice(*DIRECTIONS),
                       "duration_ms": _integer(1, 10_000)}, one_of=(("from", "to"), ("direction",))),
    "input_text": StepSpec({"text": _any_text, "clear": _flag}, required=("text",), shorthand="text"),
    "key": StepSpec({"key": _key}, required=("key",), shorthand="key"),
    "wait": StepSpec({"seconds": _number(0, 3600)}, required=("seconds",), shorthand="seconds"),
    "wait_for_text": StepSpec({"text": _text, "timeout": TIMEOUT, "gone": _flag},
                              required=("text",), shorthand="text"),
    "mark": StepSpec({"name": _text}, required=("name",), shorthand="name"),
    "screenshot": StepSpec({"name": _text}, shorthand="name", no_args=True),
    "shell": StepSpec({"command": _text, "timeout": TIMEOUT}, required=("command",), shorthand="command"),
}
REPEAT = "repeat"
STEP_NAMES = (*STEPS, REPEAT)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[ScriptError] = []
        self.steps = 0

    def add(self, node: Node | yaml.Mark | None, message: str) -> None:
        mark = node.start_mark if isinstance(node, Node) else node
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else None
        self.errors.append(ScriptError(line=line, column=column, message=message))


def _value(node: Node) -> Any:
    return SafeConstructor().construct_document(node)


def _name(node: Node) -> str:
    """A mapping key as text. The safe loader already refuses list and mapping keys (unhashable);
    the stand-in only keeps this total."""
    return str(_value(node)) if isinstance(node, ScalarNode) else f"<{node.id}>"


def _check_args(name: str, spec: StepSpec, node: Node, problems: _Problems) -> None:
    if isinstance(node, ScalarNode) and _value(node) is None:
        if not spec.no_args:
            problems.add(node, f"{name} needs arguments: {', '.join(spec.args)}")
        return
    if not isinstance(node, MappingNode):
        if spec.shorthand is None:
            problems.add(node, f"{name} takes a mapping of arguments ({', '.join(spec.args)})")
            return
        node = MappingNode("tag:yaml.org,2002:map", [(ScalarNode("tag:yaml.org,2002:str", spec.shorthand,
                                                                  node.start_mark), node)], node.start_mark)
    given: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _name(key_node)
        if key not in spec.args:
            problems.add(key_node, f"{name} has no argument {key!r}; it takes {', '.join(spec.args)}")
            continue
        value = _value(value_node)
        complaint = spec.args[key](value)
        if complaint:
            problems.add(value_node, f"{name}.{key} {complaint}")
        given[key] = value
    missing = [arg for arg in spec.required if arg not in given]
    if missing:
        problems.add(node, f"{name} needs {', '.join(missing)}")
    if spec.one_of:
        groups = [group for group in spec.one_of if any(arg in given for arg in group)]
        wanted = " or ".join("+".join(group) for group in spec.one_of)
        if len(groups) != 1:
            problems.add(node, f"{name} needs exactly one of {wanted}")
        elif not all(arg in given for arg in groups[0]):
            problems.add(node, f"{name} needs {' and '.join(groups[0])} together")


def _check_repeat(node: Node, problems: _Problems, depth: int) -> None:
    if not isinstance(node, MappingNode):
        problems.add(node, "repeat takes a mapping with times and steps")
        return
    fields = {_name(key): (key, value) for key, value in node.value}
    for key, (key_node, _) in fields.items():
        if key not in ("times", "steps"):
            problems.add(key_node, f"repeat has no argument {key!r}; it takes times, steps")
    if "times" not in fields:
        problems.add(node, "repeat needs times")
    else:
        complaint = _integer(1, 10_000)(_value(fields["times"][1]))
        if complaint:
            problems.add(fields["times"][1], f"repeat.times {complaint}")
    if "steps" not in fields:
        problems.add(node, "repeat needs steps")
    else:
        _check_steps(fields["steps"][1], problems, depth + 1)


def _check_step(node: Node, problems: _Problems, depth: int) -> None:
    problems.steps += 1
    if problems.steps > MAX_STEPS:
        return
    if isinstance(node, ScalarNode) and isinstance(_value(node), str) and _value(node) in STEPS:
        name = _value(node)  # `- stop_app` alone: a step without arguments
        if not STEPS[name].no_args:
            problems.add(node, f"{name} needs arguments: {', '.join(STEPS[name].args)}")
        return
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        problems.add(node, f"each step is a mapping with one key, the step type: {', '.join(STEP_NAMES)}")
        return
    key_node, args_node = node.value[0]
    name = _name(key_node)
    if name == REPEAT:
        _check_repeat(args_node, problems, depth)
    elif name in STEPS:
        _check_args(name, STEPS[name], args_node, problems)
    else:
        problems.add(key_node, f"unknown step {name!r}; steps are {', '.join(STEP_NAMES)}")


def _check_steps(node: Node, problems: _Problems, depth: int) -> None:
    if depth > MAX_DEPTH:
        problems.add(node, f"repeat is nested more than {MAX_DEPTH} deep")
        return
    if not isinstance(node, SequenceNode) or not node.value:
        problems.add(node, "steps must be a non-empty list")
        return
    for step in node.value:
        _check_step(step, problems, depth)
        if problems.steps > MAX_STEPS:
            problems.add(step, f"more than {MAX_STEPS} steps")
            return


def validate_yaml(content: str) -> ScriptValidateResponse:
    problems = _Problems()
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader)
        if root is not None:  # refuses tags the safe loader does not know (!!python/...) before any walk
            _value(root)
    except yaml.MarkedYAMLError as exc:
        reason = exc.problem or exc.context or "unreadable"
        if reason.startswith("but ") and exc.context:  # "but found another document" alone says little
            reason = f"{exc.context}, {reason}"
        problems.add(exc.problem_mark or exc.context_mark, f"not valid YAML: {reason}")
        return ScriptValidateResponse(valid=False, errors=problems.errors)
    except yaml.YAMLError as exc:
        problems.add(None, f"not valid YAML: {exc}")
        return ScriptValidateResponse(valid=False, errors=problems.errors)
    if root is None:
        problems.add(None, "the script is empty; it needs a list of steps")
    else:
        _check_steps(root, problems, 0)
    problems.errors.sort(key=lambda e: (e.line, e.column or 0))
    return ScriptValidateResponse(valid=not problems.errors, errors=problems.errors,
                                  steps=None if problems.errors else problems.steps)


def _run_function(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found = [node for node in tree.body
             if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "run"]
    return found[-1] if found else None  # the last definition wins at import, as in Python


def validate_python(content: str) -> ScriptValidateResponse:
    errors: list[ScriptError] = []
    try:
        tree = ast.parse(content, filename="<script>", mode="exec")
    except SyntaxError as exc:
        errors.append(ScriptError(line=exc.lineno or 1, column=exc.offset or None,
                                  message=f"syntax error: {exc.msg}"))
        return ScriptValidateResponse(valid=False, errors=errors)
    except ValueError as exc:  # null bytes in the source
        return ScriptValidateResponse(valid=False, errors=[ScriptError(line=1, message=str(exc))])
    run = _run_function(tree)
    if run is None:
        errors.append(ScriptError(line=1, message="the script needs a top-level function run(driver)"))
    elif isinstance(run, ast.AsyncFunctionDef):
        errors.append(ScriptError(line=run.lineno, column=run.col_offset + 1,
                                  message="run(driver) must be a plain def, not async"))
    else:
        positional = [*run.args.posonlyargs, *run.args.args]
        without_default = len(positional) - len(run.args.defaults)
        kw_required = [a.arg for a, d in zip(run.args.kwonlyargs, run.args.kw_defaults, strict=True) if d is None]
        if not positional and run.args.vararg is None:
            errors.append(ScriptError(line=run.lineno, column=run.col_offset + 1,
                                      message="run must take the driver as its first argument: def run(driver)"))
        elif without_default > 1 or kw_required:
            errors.append(ScriptError(line=run.lineno, column=run.col_offset + 1,
                                      message="run is called with the driver only; its other arguments need defaults"))
    return ScriptValidateResponse(valid=not errors, errors=errors)


def validate(kind: ScriptKind, content: str) -> ScriptValidateResponse:
    return validate_yaml(content) if kind == ScriptKind.YAML else validate_python(content)
