"""`frame-metric keys create NAME | list | revoke NAME`: API keys of a deployed stack (AWS credentials
of the account, as for `sam deploy`). One key per person or runner machine: the usage plan's rate
applies to each key, and one key can be revoked without touching the others."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from frame_metric.cli.output import fail, print_json

if TYPE_CHECKING:
    from frame_metric.keys import ApiKeys


def register(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="API keys of a deployed stack: one per person or runner machine")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a key in the stack's usage plan and print its value")
    create.add_argument("name", help="who or what uses it (e.g. alice, runner-lab-3)")
    listing = actions.add_parser("list", help="the keys of the stack's usage plan")
    revoke = actions.add_parser("revoke", help="delete a key: requests with it are refused from then on")
    revoke.add_argument("name", help="the key's name or id")
    for action, handler in ((create, run_create), (listing, run_list), (revoke, run_revoke)):
        action.add_argument("--stack", default=os.environ.get("FRAME_METRIC_STACK", "frame-metric"),
                            help="the deployed stack (default: $FRAME_METRIC_STACK or frame-metric)")
        action.add_argument("--usage-plan", help="the usage plan id, instead of reading it from the stack")
        action.add_argument("--region", default=None, help="AWS region (default: your AWS configuration)")
        action.set_defaults(handler=handler)


def _keys(args: argparse.Namespace) -> ApiKeys:
    from frame_metric.keys import ApiKeys, usage_plan_of_stack  # boto3: only when a key command runs

    plan = args.usage_plan or usage_plan_of_stack(args.stack, args.region)
    return ApiKeys(plan, args.region)


def _guarded(args: argparse.Namespace, action: str) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from frame_metric.errors import FrameMetricError

    try:
        keys = _keys(args)
        if action == "create":
            created = keys.create(args.name)
            print_json(created.to_dict())
            print("frame-metric: send it as x-api-key (or FRAME_METRIC_API_KEY); keep it secret", flush=True)
        elif action == "list":
            print_json([key.to_dict() for key in keys.list()])
        else:
            print_json({**keys.revoke(args.name).to_dict(), "revoked": True})
    except FrameMetricError as exc:
        return fail(exc.detail)
    except NoCredentialsError:
        return fail("no AWS credentials: configure them as for `sam deploy` (aws configure, AWS_PROFILE)")
    except (ClientError, BotoCoreError) as exc:
        return fail(f"AWS refused: {exc}")
    return 0


def run_create(args: argparse.Namespace) -> int:
    return _guarded(args, "create")


def run_list(args: argparse.Namespace) -> int:
    return _guarded(args, "list")


def run_revoke(args: argparse.Namespace) -> int:
    return _guarded(args, "revoke")
