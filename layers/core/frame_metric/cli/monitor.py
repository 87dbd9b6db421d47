"""`frame-metric monitor metrics|profile|script|task|run ...`: what device monitoring has stored, from the
command line: the metric catalog, profiles, scenario scripts, monitoring tasks and their runs (results,
export, compare). `frame-metric run` plays a task; these commands read what it left."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frame_metric.cli.common import api_url
from frame_metric.cli.output import guarded, print_json, save_download

if TYPE_CHECKING:
    from frame_metric.client import FrameMetricClient


def _page(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    return parser


def _one(actions: argparse._SubParsersAction, name: str, help_text: str, key: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text)
    parser.add_argument(key)
    parser.add_argument("--json", action="store_true")
    return parser


def register(commands: argparse._SubParsersAction) -> None:
    monitor = commands.add_parser("monitor", help="device monitoring: metrics, profiles, scripts, tasks, runs",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = monitor.add_subparsers(dest="monitor_kind", metavar="KIND", required=True)

    metrics = kinds.add_parser("metrics", help="the metrics a profile can sample, with units")
    metrics.add_argument("--source", choices=("android", "process", "both"),
                         help="only those a target kind gives (both: those every kind gives)")
    metrics.add_argument("--json", action="store_true")
    metrics.set_defaults(handler=run_metrics)

    profile = kinds.add_parser("profile", help="monitoring profiles: list, show")
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    _page(actions.add_parser("list", help="profiles, newest first")).set_defaults(handler=run_profile_list)
    _one(actions, "show", "a profile: its metrics, intervals and thresholds", "profile_id").set_defaults(
        handler=run_profile_show)

    script = kinds.add_parser("script", help="scenario scripts: list, show")
    actions = script.add_subparsers(dest="script_command", metavar="ACTION", required=True)
    _page(actions.add_parser("list", help="scripts, newest first")).set_defaults(handler=run_script_list)
    show = _one(actions, "show", "a script's versions and content", "script_id")
    show.add_argument("--version", dest="script_version", type=int, help="this version (default: the latest)")
    show.set_defaults(handler=run_script_show)

    task = kinds.add_parser("task", help="monitoring tasks: list, show")
    actions = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="monitoring tasks, newest first")
    listing.add_argument("--user", help="only tasks created by this user")
    listing.add_argument("--status", help="only tasks in this status (idle, running, completed, failed...)")
    _page(listing)
    listing.set_defaults(handler=run_task_list)
    _one(actions, "show", "a task: target, profile, script, limits, its latest runs", "task_id").set_defaults(
        handler=run_task_show)

    run = kinds.add_parser("run", help="monitoring runs: list, show, export, compare")
    actions = run.add_subparsers(dest="run_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the runs of a task, newest first")
    listing.add_argument("task_id")
    _page(listing)
    listing.set_defaults(handler=run_run_list)
    _one(actions, "show", "a run's summary: verdict, events, jank, statistics with units", "run_id").set_defaults(
        handler=run_run_show)
    export = actions.add_parser("export", help="download a run's results and samples as .csv or .xlsx")
    export.add_argument("run_id")
    export.add_argument("--format", choices=["csv", "excel"], default="csv")
    export.add_argument("-o", "--output", type=Path, help="file or folder to write (default: the server's name, here)")
    export.set_defaults(handler=run_run_export)
    compare = actions.add_parser("compare", help="two runs side by side: each metric's stats and the change")
    compare.add_argument("run_a", metavar="RUN_A")
    compare.add_argument("run_b", metavar="RUN_B")
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=run_run_compare)


def _client(args: argparse.Namespace) -> FrameMetricClient:
    from frame_metric.client import FrameMetricClient

    return FrameMetricClient(api_url(args))


def _day(stamp: str | None) -> str:
    return "-" if not stamp else stamp[:19].replace("T", " ")


def _number(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _listed(args: argparse.Namespace, items: list[dict[str, Any]], empty: str) -> bool:
    """Prints JSON or the empty note; True when the caller still has rows to print."""
    if args.json:
        print_json(items)
        return False
    if not items:
        print(empty)
        return False
    return True


# -- metrics and profiles ------------------------------------------------------------------------

@guarded
def run_metrics(args: argparse.Namespace) -> int:
    found = _client(args).monitor("/items", source=args.source)
    if not _listed(args, found, "no metrics"):
        return 0
    for metric in found:
        print(f"{metric['name']:<22}{metric['unit']:<7}{metric['source']:<9}{metric['title']}")
    return 0


def _unit(metric: str, units: dict[str, str]) -> str:
    unit = units.get(metric, "")
    return f" {unit}" if unit and unit != "count" else ""


def _units(client: FrameMetricClient) -> dict[str, str]:
    return {metric["name"]: metric["unit"] for metric in client.monitor("/items")}


@guarded
def run_profile_list(args: argparse.Namespace) -> int:
    found = _client(args).monitor("/profiles", skip=args.skip, limit=args.limit)
    if not _listed(args, found, "no monitoring profiles (make one in the console, or with "
                               "`frame-metric run --profile app_cpu,memory_rss ...`)"):
        return 0
    for profile in found:
        metrics = ", ".join(item["metric"] for item in profile["items"])
        print(f"{profile['profile_id']}  {profile['name']}  ({metrics})")
    return 0


@guarded
def run_profile_show(args: argparse.Namespace) -> int:
    client = _client(args)
    profile = client.monitor(f"/profiles/{args.profile_id}")
    if args.json:
        print_json(profile)
        return 0
    units = _units(client)
    about = f": {profile['description']}" if profile["description"] else ""
    print(f"{profile['profile_id']}  {profile['name']}{about}")
    for item in profile["items"]:
        checks = "; ".join(f"{t['stat']} {t['op']} {t['value']:g}{_unit(item['metric'], units)}"
                           for t in item["thresholds"])
        print(f"  {item['metric']:<22} every {item['interval_ms']} ms" + (f"  pass when {checks}" if checks else ""))
    return 0


# -- scripts -------------------------------------------------------------------------------------

@guarded
def run_script_list(args: argparse.Namespace) -> int:
    found = _client(args).monitor("/scripts", skip=args.skip, limit=args.limit)
    if not _listed(args, found, "no scenario scripts"):
        return 0
    for script in found:
        print(f"{script['script_id']}  {script['kind']:<6} v{script['latest_version']:<3} {script['name']}")
    return 0


@guarded
def run_script_show(args: argparse.Namespace) -> int:
    script = _client(args).monitor(f"/scripts/{args.script_id}", version=args.script_version)
    if args.json:
        print_json(script)
        return 0
    print(f"{script['script_id']}  {script['name']}  {script['kind']} v{script['version']} "
          f"(latest v{script['latest_version']}, {_day(script['version_created_at'])})")
    print(script["content"].rstrip("\n"))
    return 0


# -- tasks ---------------------------------------------------------------------------------------

def _target(target: dict[str, Any]) -> str:
    if target["kind"] == "android":
        return f"android {target.get('package')}" + (f" on {target['device_serial']}" if target.get("device_serial")
                                                     else "")
    for key in ("command", "process_name", "pid"):
        if target.get(key) is not None:
            return f"process {key.replace('_', ' ')} {target[key]}"
    return target["kind"]


@guarded
def run_task_list(args: argparse.Namespace) -> int:
    found = _client(args).monitor("/tasks", user=args.user, status=args.status, skip=args.skip, limit=args.limit)
    if not _listed(args, found, "no monitoring tasks"):
        return 0
    for task in found:
        print(f"{task['task_id']}  {task['status']:<10} {task.get('last_verdict') or '-':<5} {task['name']}  "
              f"({_target(task['target'])})")
    return 0


@guarded
def run_task_show(args: argparse.Namespace) -> int:
    from frame_metric.client import ApiError

    client = _client(args)
    task = client.monitor(f"/tasks/{args.task_id}")
    runs = client.monitor(f"/tasks/{args.task_id}/runs", limit=5)
    if args.json:
        print_json({**task, "runs": runs})
        return 0
    try:  # names, not ids; a profile or script deleted meanwhile is shown by its id
        profile = client.monitor(f"/profiles/{task['profile_id']}")["name"]
    except ApiError:
        profile = task["profile_id"]
    script = "none (monitor only)"
    if task["script_id"]:
        try:
            stored = client.monitor(f"/scripts/{task['script_id']}", version=task["script_version"])
            script = f"{stored['name']} v{stored['version']}"
        except ApiError:
            script = task["script_id"]
        script += "" if task["script_version"] else " (always the latest)"
    print(f"{task['task_id']}  {task['name']}  {task['status']}")
    print(f"  target:   {_target(task['target'])}")
    print(f"  profile:  {profile}")
    print(f"  script:   {script}")
    print(f"  limit:    {task['duration_limit_s']} s, played {task['repeat_count']} time(s) per run")
    if not runs:
        print(f"  no runs yet (run it with: frame-metric run {task['task_id']})")
    for run in runs:
        print(f"  run {run['run_id']}  {run['status']:<9} {run['verdict'] or '-':<5} {_day(run['created_at'])}")
    return 0


# -- runs ----------------------------------------------------------------------------------------

@guarded
def run_run_list(args: argparse.Namespace) -> int:
    found = _client(args).monitor(f"/tasks/{args.task_id}/runs", skip=args.skip, limit=args.limit)
    if not _listed(args, found, f"task {args.task_id} has no runs yet (run it with: frame-metric run {args.task_id})"):
        return 0
    for run in found:
        print(f"{run['run_id']}  {run['status']:<9} {run['verdict'] or '-':<5} {_day(run['created_at'])}"
              + (f"  {run['failure_reason']}" if run.get("failure_reason") else ""))
    return 0


@guarded
def run_run_show(args: argparse.Namespace) -> int:
    from frame_metric.runner.summary import describe

    client = _client(args)
    run = client.monitor(f"/runs/{args.run_id}")
    results = client.monitor(f"/runs/{args.run_id}/results")
    if args.json:
        print_json({"run": run, "results": results})
        return 0
    print(describe(run, results))
    return 0


@guarded
def run_run_export(args: argparse.Namespace) -> int:
    print(save_download(*_client(args).export_run(args.run_id, args.format), args.output))
    return 0


COMPARED = ("avg", "p95", "max")


def _change(delta: dict[str, Any], stat: str) -> str:
    value, pct = delta.get(stat), delta.get(f"{stat}_pct")
    if value is None:
        return "-"
    return f"{value:+.2f}" + (f" ({pct:+.0f}%)" if pct is not None else "")


@guarded
def run_run_compare(args: argparse.Namespace) -> int:
    compared = _client(args).monitor("/runs/compare", a=args.run_a, b=args.run_b)
    if args.json:
        print_json(compared)
        return 0
    for key in ("a", "b"):
        run = compared[key]
        jank = run.get("jank")
        print(f"{key}: run {run['run_id']}  {run['status']}, verdict {run['verdict'] or '-'}, "
              f"{run['sample_count']} samples" + (f", jank {jank['jank']} (big {jank['big_jank']})" if jank else ""))
    header = f"{'metric':<22}{'unit':<7}" + "".join(f"{f'{stat} a':>10}{f'{stat} b':>10}{'b - a':>18}"
                                                    for stat in COMPARED)
    print(header)
    for metric, row in compared["metrics"].items():
        print(f"{metric:<22}{row.get('unit', ''):<7}" + "".join(
            f"{_number(row['a'].get(stat)):>10}{_number(row['b'].get(stat)):>10}{_change(row['delta'], stat):>18}"
            for stat in COMPARED))
    return 0
