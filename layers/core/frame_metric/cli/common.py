"""What every command shares: the parser class (no abbreviations), the global options (accepted before
and after the command alike) and the API URL they name.

Light on purpose: `frame-metric --help` imports this and every command module's `register`, nothing
heavier (tests/unit/cli/test_startup.py checks)."""

from __future__ import annotations

import argparse
import os
from typing import Any

DEFAULT_API = "http://127.0.0.1:8000"


class Parser(argparse.ArgumentParser):
    """No abbreviated options: `--api` must never be read as `--api-key`. Subparsers are made with the
    parent's class, so every command and action inherits this."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def add_global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    parser.add_argument("--api", metavar="URL", default=default,
                        help=f"API base URL (default: $FRAME_METRIC_API or {DEFAULT_API}; `qr`: made here)")
    parser.add_argument("--api-key", metavar="KEY", default=default,
                        help="API key sent as x-api-key (default: $FRAME_METRIC_API_KEY); `serve` requires it")
    parser.add_argument("-v", "--verbose", action="store_true", default=default if default is not None else False,
                        help="log what happens inside")


def leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers that end a command line (`upload`, `task create`, ...), below `parser`."""
    found: list[argparse.ArgumentParser] = []
    seen: set[int] = set()
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if id(child) not in seen:  # aliases map to the same parser
                    seen.add(id(child))
                    found += leaf_parsers(child) or [child]
    return found


def spread_global_options(parser: argparse.ArgumentParser) -> None:
    """The global options on every command too. There they default to "not given" (SUPPRESS), so a
    value given before the command is kept and one given after it wins."""
    for leaf in leaf_parsers(parser):
        add_global_options(leaf, default=argparse.SUPPRESS)


def api_url(args: argparse.Namespace) -> str:
    return (getattr(args, "api", None) or os.environ.get("FRAME_METRIC_API") or DEFAULT_API).rstrip("/")
