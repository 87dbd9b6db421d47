"""The command line's shape: no abbreviations, global options on either side of the command, a
`--help` that imports nothing heavy, and every command module light at import."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from frame_metric.cli import qr as qr_cli
from frame_metric.cli.common import leaf_parsers
from frame_metric.cli.main import COMMAND_MODULES, build_parser, main

# What a command's handler may need, never `--help` or the building of the parser: the HTTP stack, the
# runner and its device libraries, the analysis, the local cloud, data and export libraries.
HEAVY = ("requests", "urllib3", "tqdm", "pydantic", "numpy", "av", "cv2", "PIL", "boto3", "botocore", "pynamodb",
         "chalice", "psutil", "adbutils", "openpyxl", "moto", "qrcode", "frame_metric.client",
         "frame_metric.runner.core", "frame_metric.runner.api", "frame_metric.analysis", "frame_metric.localcloud",
         "frame_metric.qr", "frame_metric.videos")

PROBE = """
import json, sys
from frame_metric.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--help",), ("monitor", "run", "--help"), ("review", "mark", "--help"),
                                  ("run", "--help"), ("analyze", "--help")])
def test_help_imports_nothing_heavy(argv: tuple[str, ...]) -> None:
    loaded = modules_after(*argv)
    heavy = sorted(name for name in loaded if any(name == h or name.startswith(f"{h}.") for h in HEAVY))
    assert heavy == [], f"`frame-metric {' '.join(argv)}` imported {heavy}"


def test_no_parser_takes_abbreviations() -> None:
    parser = build_parser()
    every = [parser, *leaf_parsers(parser)]
    assert len(every) > 30 and all(not p.allow_abbrev for p in every)
    with pytest.raises(SystemExit):  # `--api` is not read as a prefix of `--api-key` nor the reverse
        parser.parse_args(["--api-k", "x", "list"])


@pytest.mark.parametrize("argv", [
    ["--api", "http://h:1", "--api-key", "k", "-v", "list"],
    ["list", "--api", "http://h:1", "--api-key", "k", "-v"],
    ["--api", "http://h:1", "list", "--api-key", "k", "--verbose"],
])
def test_global_options_before_and_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.api, args.api_key, args.verbose, args.command) == ("http://h:1", "k", True, "list")


def test_global_options_reach_nested_commands_and_default_off() -> None:
    parser = build_parser()
    args = parser.parse_args(["monitor", "run", "compare", "a", "b", "--api", "http://h:2"])
    assert (args.api, args.run_a, args.run_b, args.verbose) == ("http://h:2", "a", "b", False)
    plain = parser.parse_args(["task", "list"])
    assert (plain.api, plain.api_key, plain.verbose) == (None, None, False)
    after_wins = parser.parse_args(["--api", "http://first", "status", "v1", "--api", "http://second"])
    assert after_wins.api == "http://second"


def test_every_command_module_registers() -> None:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert {"serve", "upload", "list", "analyze", "review", "task", "run", "monitor", "demo", "qr"} <= set(
        commands.choices)
    assert len(COMMAND_MODULES) == len(set(COMMAND_MODULES))


def test_qr_levels_match_the_service() -> None:
    from frame_metric.qr import Level

    assert tuple(level.value for level in Level) == qr_cli.LEVELS


def test_refused_connection_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from frame_metric.localcloud.cloud import free_port

    url = f"http://127.0.0.1:{free_port()}"
    calls = (["--api", url, "list"], ["monitor", "task", "list", "--api", url], ["review", "pending", "--api", url])
    for argv in calls:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and url in err and "connection refused" in err and "frame-metric serve" in err
        assert "urllib3" not in err and "HTTPConnectionPool" not in err


def test_docs_cli_covers_every_command() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = [leaf.prog.removeprefix("frame-metric ") for leaf in leaf_parsers(build_parser())]
    missing = [command for command in commands if f"`{command}" not in text or f"frame-metric {command}" not in text]
    assert missing == [], f"docs/cli.md lacks a line or an example of: {missing}"
