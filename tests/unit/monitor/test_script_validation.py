"""Script validation reports problems by line and column, and never runs the script."""

from __future__ import annotations

from pathlib import Path

import pytest

from frame_metric.data.monitor_config import ScriptKind
from frame_metric.monitor.script_validation import validate, validate_python, validate_yaml

GOOD = """\
- launch_app: com.example.app
- launch_app: {package: com.example.app, activity: .Main, wait: 3}
- wait: 2
- tap: {x: 540, y: 1200}
- tap: Login
- tap: {id: "com.example:id/ok", timeout: 5}
- swipe: {from: [540, 1600], to: [540, 400], duration_ms: 300}
- swipe: {direction: left}
- input_text: "hello world"
- input_text: {text: "", clear: true}
- key: back
- key: 66
- wait_for_text: {text: Welcome, timeout: 10, gone: false}
- mark: home shown
- screenshot:
- screenshot: home
- shell: am broadcast -a com.example.RESET
- repeat:
    times: 2
    steps:
      - repeat: {times: 3, steps: [{tap: {x: 1, y: 2}}]}
- stop_app
"""


def lines(content: str) -> list[tuple[int, int | None, str]]:
    return [(e.line, e.column, e.message) for e in validate_yaml(content).errors]


def test_good_yaml_script() -> None:
    result = validate_yaml(GOOD)
    assert result.valid and result.errors == []
    assert result.steps == 21


@pytest.mark.parametrize(("content", "line", "column", "words"), [
    ("- wait: 1\n- fly: away\n", 2, 3, "unknown step 'fly'"),
    ("- wait: 1\n- tap: {x: 1}\n", 2, 8, "x and y together"),
    ("- tap: {x: 1, text: a}\n", 1, 8, "exactly one of x+y or text or id"),
    ("- wait: -1\n", 1, 9, "wait.seconds must be between 0 and 3600"),
    ("- wait: soon\n", 1, 9, "must be a number"),
    ("- wait: true\n", 1, 9, "must be a number"),
    ("- key: teleport\n", 1, 8, "keycode"),
    ("- swipe: {from: [1], to: [2, 3]}\n", 1, 17, "point"),
    ("- swipe: {direction: diagonal}\n", 1, 22, "up, down, left, right"),
    ("- mark:\n", 1, 8, "mark needs arguments"),
    ("- mark\n", 1, 3, "mark needs arguments"),
    ("- tap: {x: 1, y: 2, z: 3}\n", 1, 21, "no argument 'z'"),
    ("- {wait: 1, tap: Login}\n", 1, 3, "one key"),
    ("- 42\n", 1, 3, "one key"),
    ("- ? [a, b]\n  : 1\n", 1, 5, "unhashable key"),
    ("- tap: {? [1]: 2}\n", 1, 11, "unhashable key"),
    ("- repeat: {? {a: 1}: 2, times: 1, steps: [{wait: 1}]}\n", 1, 14, "unhashable key"),
    ("steps: []\n", 1, 1, "non-empty list"),
    ("- repeat: {steps: [{wait: 1}]}\n", 1, 11, "repeat needs times"),
    ("- repeat: {times: 0, steps: [{wait: 1}]}\n", 1, 19, "repeat.times"),
    ("- repeat: {times: 2}\n", 1, 11, "repeat needs steps"),
    ("- repeat: {times: 2, steps: []}\n", 1, 29, "non-empty list"),
    ("- repeat: {times: 2, steps: [{wait: 1}], every: 3}\n", 1, 42, "no argument 'every'"),
    ("- wait: 1\n- tap: [1, 2\n", 3, 1, "not valid YAML"),
    ("- wait: 1\n---\n- wait: 2\n", 2, 1, "expected a single document"),
    ("", 1, None, "empty"),
])
def test_yaml_problems_are_located(content: str, line: int, column: int | None, words: str) -> None:
    result = validate_yaml(content)
    assert not result.valid and result.steps is None
    first = result.errors[0]
    assert (first.line, first.column) == (line, column), result.errors
    assert words in first.message


def test_nested_repeat_errors_point_inside() -> None:
    content = "- repeat:\n    times: 2\n    steps:\n      - wait: 1\n      - repeat:\n          times: 2\n" \
              "          steps:\n            - tap: {y: 3}\n"
    assert lines(content) == [(8, 20, "tap needs x and y together")]


def test_every_error_is_reported_in_order() -> None:
    found = lines("- fly: 1\n- wait: x\n- key: nope\n")
    assert [line for line, _, _ in found] == [1, 2, 3]


def test_depth_and_size_limits() -> None:
    deep = "- wait: 1\n"
    for _ in range(7):
        deep = "- repeat:\n    times: 1\n    steps:\n" + "\n".join("      " + row for row in deep.splitlines()) + "\n"
    assert any("nested more than" in message for _, _, message in lines(deep))
    # Aliases reuse nodes, so the document stays small while the walk would not: every visit counts.
    bomb = "- repeat: {times: 1, steps: &s0 [" + ", ".join(["{wait: 1}"] * 50) + "]}\n"
    for i in range(1, 6):
        bomb += f"- repeat: {{times: 1, steps: &s{i} [" + ", ".join(
            [f"{{repeat: {{times: 1, steps: *s{i - 1}}}}}"] * 10) + "]}\n"
    assert any("more than" in message for _, _, message in lines(bomb))


def test_yaml_is_never_executed() -> None:
    for content in ("- !!python/object/apply:os.system ['true']\n", "- wait: !!python/name:os.system\n"):
        result = validate_yaml(content)
        assert not result.valid and "not valid YAML" in result.errors[0].message
        assert "constructor" in result.errors[0].message and result.errors[0].line == 1


def test_good_python_script() -> None:
    source = "import time\n\n\ndef helper():\n    return 1\n\n\ndef run(driver, pause=0.5):\n    driver.tap(1, 2)\n"
    assert validate_python(source).valid


@pytest.mark.parametrize(("content", "line", "column", "words"), [
    ("def run(driver):\n    x = (\n", 2, 9, "syntax error"),
    ("def run(driver)\n    pass\n", 1, 16, "syntax error"),
    ("x = 1\n", 1, None, "run(driver)"),
    ("def helper(driver):\n    pass\n", 1, None, "run(driver)"),
    ("\n\nasync def run(driver):\n    pass\n", 3, 1, "not async"),
    ("def run():\n    pass\n", 1, 1, "driver as its first argument"),
    ("def run(driver, device):\n    pass\n", 1, 1, "need defaults"),
    ("def run(driver, *, strict):\n    pass\n", 1, 1, "need defaults"),
    ("class A:\n    def run(self, driver):\n        pass\n", 1, None, "top-level"),
    ("def run(driver):\n    pass\n\x00", 1, None, "null bytes"),
])
def test_python_problems_are_located(content: str, line: int, column: int | None, words: str) -> None:
    result = validate_python(content)
    assert not result.valid
    first = result.errors[0]
    assert (first.line, first.column) == (line, column), result.errors
    assert words in first.message


def test_python_is_only_parsed(tmp_path: Path) -> None:
    marker = str(tmp_path / "ran")
    source = f"open({marker!r}, 'w').write('x')\n\ndef run(driver):\n    pass\n"
    assert validate(ScriptKind.PYTHON, source).valid
    assert not Path(marker).exists()


def test_documented_example_is_valid() -> None:
    page = (Path(__file__).resolve().parents[3] / "docs" / "monitoring.md").read_text()
    section = page[page.index("## Configuration"):]
    example = section[section.index("```yaml\n") + 8:section.index("```", section.index("```yaml\n") + 8)]
    result = validate_yaml(example)
    assert result.valid, result.errors
