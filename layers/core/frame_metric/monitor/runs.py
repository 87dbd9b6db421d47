"""Monitoring runs: create (with a runner token), start, heartbeat, finish, fail, cancel; run history,
results, comparison, a linked screen recording; silent runners failed by the sweeper.

Every transition is one conditional update on the run item, so a finish racing a cancel or the
sweeper ends the run exactly once. The task's status, last run and last verdict follow its runs.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError

from frame_metric.data.connection import condition_failed
from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, MonitorTaskStatus, ScenarioScript
from frame_metric.data.monitor_runs import MonitorRun, RunStatus, SampleBatch
from frame_metric.data.sharding import newest_first, page, sharded_key
from frame_metric.data.video import Video, utcnow
from frame_metric.errors import Conflict, NotFound, ValidationFailed
from frame_metric.monitor import results, tokens
from frame_metric.monitor.step_timings import compare_steps, linked_actions, step_timings
from frame_metric.observability import tag
from frame_metric.settings import Settings, get_settings
from frame_metric.videos import records

if TYPE_CHECKING:  # pydantic is the API's dependency: the sweeper function imports this module too
    from frame_metric.monitor.run_schemas import CreateRunRequest, LinkVideoRequest, StartRunRequest

log = logging.getLogger(__name__)
MAX_PAGE = 100


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


MAX_VIDEOS = 100  # segments of at most 3 minutes: five hours of recording


def linked_videos(run: MonitorRun) -> list[dict[str, Any]]:
    """The run's recordings as stored: the list, or the single recording of runs linked before it."""
    if run.videos_json:
        return list(json.loads(run.videos_json))
    if run.video_id:
        return [{"video_id": run.video_id, "offset_s": float(run.video_offset_s or 0)}]
    return []


def view(run: MonitorRun, video: dict[str, Any] | None = None,
         videos: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A run as the API shows it (never the token hash)."""
    return {"run_id": run.run_id, "task_id": run.task_id, "status": run.status,
            "script_id": run.script_id, "script_version": run.script_version,
            "profile": json.loads(run.profile_json), "created_by": run.created_by,
            "created_at": _iso(run.created_at), "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at), "last_heartbeat": _iso(run.last_heartbeat),
            "heartbeat_timeout_s": int(run.heartbeat_timeout_s), "failure_reason": run.failure_reason,
            "verdict": run.verdict, "batches": int(run.arrivals), "clock_origin": run.clock_origin,
            "video_id": run.video_id, "video": video,
            # with details (status, frames on the run's timeline) where the caller looked them up
            "videos": videos if videos is not None else linked_videos(run)}


def _profile_snapshot(profile_id: str) -> dict[str, Any]:
    try:
        profile = MonitorProfile.get(profile_id)
    except MonitorProfile.DoesNotExist:
        raise ValidationFailed(f"the task's profile {profile_id} no longer exists") from None
    return {"profile_id": profile.profile_id, "name": profile.name,
            "items": [{"metric": item.metric, "interval_ms": int(item.interval_ms),
                       "thresholds": [{"stat": t.stat, "op": t.op, "value": float(t.value)}
                                      for t in item.thresholds or []]}
                      for item in profile.items or []]}


def load_samples(run_id: str) -> tuple[list[results.Sample], list[results.Mark]]:
    samples: list[results.Sample] = []
    marks: list[results.Mark] = []
    for batch in SampleBatch.query(run_id, consistent_read=True):
        samples.extend((float(t), str(m), float(v)) for t, m, v in json.loads(batch.samples_json))
        marks.extend((float(t), str(n)) for t, n in json.loads(batch.marks_json))
    samples.sort()
    marks.sort(key=lambda mark: mark[0])  # marks at one time keep the order they were made in
    return samples, marks


def load_marks(run_id: str) -> list[results.Mark]:
    """The run's marks alone (a long run's samples are large: they are not read)."""
    marks = [(float(t), str(n)) for batch in SampleBatch.query(run_id, consistent_read=True,
                                                               attributes_to_get=["run_id", "seq", "marks_json"])
             for t, n in json.loads(batch.marks_json or "[]")]
    marks.sort(key=lambda mark: mark[0])
    return marks


class RunService:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    # -- reading -------------------------------------------------------------------------------

    def run(self, run_id: str) -> MonitorRun:
        try:
            return MonitorRun.get(run_id, consistent_read=True)
        except MonitorRun.DoesNotExist:
            raise NotFound(f"run {run_id} not found") from None

    def get(self, run_id: str) -> dict[str, Any]:
        run = self.run(run_id)
        return view(run, self._video(run), self._videos(run))

    def list_for_task(self, task_id: str, skip: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        if skip < 0 or not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"skip must be >= 0 and limit 1-{MAX_PAGE}")
        self._task(task_id)
        found = MonitorRun.by_task.query(task_id, scan_index_forward=False, limit=skip + limit)
        return [view(run) for run in page(MonitorRun, found, "run_id", skip, limit)]

    def _task(self, task_id: str) -> MonitorTask:
        try:
            return MonitorTask.get(task_id)
        except MonitorTask.DoesNotExist:
            raise NotFound(f"task {task_id} not found") from None

    # -- lifecycle -----------------------------------------------------------------------------

    def create(self, task_id: str, request: CreateRunRequest) -> dict[str, Any]:
        task = self._task(task_id)
        script_version = task.script_version
        if task.script_id and script_version is None:
            try:
                script_version = ScenarioScript.get(task.script_id).latest_version
            except ScenarioScript.DoesNotExist:
                raise ValidationFailed(f"the task's script {task.script_id} no longer exists") from None
        token = tokens.new_token()
        run_id = str(uuid.uuid4())
        tag(run_id=run_id)  # what this request logs from here on is about it
        run = MonitorRun(run_id, task_id=task_id, token_hash=tokens.hash_token(token),
                         script_id=task.script_id, script_version=script_version,
                         profile_json=json.dumps(_profile_snapshot(task.profile_id)),
                         heartbeat_timeout_s=request.heartbeat_timeout_s or self.settings.run_heartbeat_timeout_seconds,
                         created_by=request.created_by)
        run.save(condition=MonitorRun.run_id.does_not_exist())
        self._update_task(task_id, [MonitorTask.run_count.add(1), MonitorTask.last_run_id.set(run.run_id),
                                    MonitorTask.last_run_at.set(run.created_at)])
        # The token is shown once, here: only its hash is kept.
        return {**view(run), "run_token": token}

    def _transition(self, run: MonitorRun, allowed: tuple[RunStatus, ...], actions: list[Any],
                    action_name: str, extra: Any = None) -> MonitorRun:
        condition = MonitorRun.status.is_in(*[s.value for s in allowed])
        if extra is not None:
            condition = condition & extra
        try:
            run.update(actions=[*actions, MonitorRun.updated_at.set(utcnow())], condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                current = self.run(run.run_id)
                raise Conflict(f"run {run.run_id} is {current.status}: cannot {action_name} it") from None
            raise
        return run

    def _authorised(self, run_id: str, token: str | None) -> MonitorRun:
        run = self.run(run_id)
        tokens.check(token, run.token_hash)
        return run

    def start(self, run_id: str, token: str | None, request: StartRunRequest) -> dict[str, Any]:
        run = self._authorised(run_id, token)
        if run.run_status == RunStatus.RUNNING:
            return view(run)  # a runner retrying its start after a lost answer
        now = utcnow()
        self._transition(run, (RunStatus.CREATED,), [
            MonitorRun.status.set(RunStatus.RUNNING.value), MonitorRun.started_at.set(now),
            MonitorRun.active_shard.set(sharded_key(RunStatus.RUNNING.value, run.run_id)),
            MonitorRun.last_heartbeat.set(now), MonitorRun.clock_origin.set(request.clock_origin)], "start")
        self._update_task(run.task_id, [MonitorTask.status.set(MonitorTaskStatus.RUNNING.value),
                                        MonitorTask.last_run_id.set(run.run_id)])
        return view(run)

    def heartbeat(self, run_id: str, token: str | None) -> dict[str, Any]:
        run = self._authorised(run_id, token)
        self._transition(run, (RunStatus.RUNNING,), [MonitorRun.last_heartbeat.set(utcnow())], "heartbeat")
        return {"run_id": run.run_id, "status": run.status, "last_heartbeat": _iso(run.last_heartbeat),
                "heartbeat_timeout_s": int(run.heartbeat_timeout_s)}

    def finish(self, run_id: str, token: str | None) -> dict[str, Any]:
        run = self._authorised(run_id, token)
        if run.run_status == RunStatus.COMPLETED:
            # Idempotent for a retried finish, which also completes what a 503 (a throttled task
            # update after the run's own) left undone: the task follows its latest run.
            self._end_task(run, MonitorTaskStatus.COMPLETED, run.verdict)
            return view(run)
        summary = self.results_of(run)
        self._transition(run, (RunStatus.RUNNING,), [
            MonitorRun.status.set(RunStatus.COMPLETED.value), MonitorRun.finished_at.set(utcnow()),
            MonitorRun.active_shard.remove(),
            MonitorRun.verdict.set(summary["verdict"]),
            MonitorRun.summary_json.set(json.dumps(_brief(summary)))], "finish")
        self._end_task(run, MonitorTaskStatus.COMPLETED, summary["verdict"])
        return view(run)

    def fail(self, run_id: str, token: str | None, reason: str) -> dict[str, Any]:
        run = self._authorised(run_id, token)
        if run.run_status == RunStatus.FAILED:
            self._end_task(run, MonitorTaskStatus.FAILED, "fail")  # a retried fail, as a retried finish
            return view(run)
        return self._fail(run, reason)

    def _fail(self, run: MonitorRun, reason: str, extra: Any = None) -> dict[str, Any]:
        self._transition(run, (RunStatus.CREATED, RunStatus.RUNNING), [
            MonitorRun.status.set(RunStatus.FAILED.value), MonitorRun.finished_at.set(utcnow()),
            MonitorRun.active_shard.remove(),
            MonitorRun.failure_reason.set(reason[:2000]), MonitorRun.verdict.set("fail")], "fail", extra)
        self._end_task(run, MonitorTaskStatus.FAILED, "fail")
        return view(run)

    def cancel(self, run_id: str, token: str | None) -> dict[str, Any]:
        """From the runner (with its token) or from the console (no token: the console has no access
        control of its own yet, see README). A wrong token is still refused."""
        run = self.run(run_id)
        if token is not None:
            tokens.check(token, run.token_hash)
        self._transition(run, (RunStatus.CREATED, RunStatus.RUNNING), [
            MonitorRun.status.set(RunStatus.CANCELLED.value), MonitorRun.finished_at.set(utcnow()),
            MonitorRun.active_shard.remove()], "cancel")
        self._end_task(run, MonitorTaskStatus.CANCELLED, None)
        return view(run)

    def _end_task(self, run: MonitorRun, status: MonitorTaskStatus, verdict: str | None) -> None:
        # Only the task's latest run speaks for the task: an old run ending late changes nothing.
        try:
            MonitorTask(run.task_id).update(
                actions=[MonitorTask.status.set(status.value), MonitorTask.last_verdict.set(verdict),
                         MonitorTask.updated_at.set(utcnow())],
                condition=MonitorTask.last_run_id == run.run_id)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def _update_task(self, task_id: str, actions: list[Any]) -> None:
        try:
            MonitorTask(task_id).update(actions=[*actions, MonitorTask.updated_at.set(utcnow())],
                                        condition=MonitorTask.task_id.exists())
        except UpdateError as exc:
            if not condition_failed(exc):  # the task was deleted meanwhile: the run still counts
                raise

    # -- results -------------------------------------------------------------------------------

    def results_of(self, run: MonitorRun) -> dict[str, Any]:
        samples, marks = load_samples(run.run_id)
        computed = results.compute(samples, marks, json.loads(run.profile_json))
        return {"run_id": run.run_id, "task_id": run.task_id, "status": run.status, **computed,
                "video": self._video(run), "videos": self._videos(run),
                "step_timings": step_timings(marks, linked_videos(run), _frame_table)}

    def results(self, run_id: str) -> dict[str, Any]:
        return self.results_of(self.run(run_id))

    def compare(self, a: str | None, b: str | None) -> dict[str, Any]:
        if not a or not b:
            raise ValidationFailed("compare needs two runs: ?a=RUN_ID&b=RUN_ID")
        left, right = self.results(a), self.results(b)
        compared = results.compare(left, right)
        brief = {key: {"run_id": r["run_id"], "task_id": r["task_id"], "status": r["status"],
                       "verdict": r["verdict"], "sample_count": r["sample_count"], "jank": r["jank"]}
                 for key, r in (("a", left), ("b", right))}
        return {**brief, **compared, "steps": compare_steps(left["step_timings"], right["step_timings"])}

    # -- screen recording ----------------------------------------------------------------------

    def link_video(self, run_id: str, request: LinkVideoRequest) -> dict[str, Any]:
        run = self.run(run_id)
        self._must_exist(request.video_id)
        # the one recording of the run: it replaces any list linked before
        single = [{"video_id": request.video_id, "offset_s": request.offset_s}]
        run.update(actions=[MonitorRun.video_id.set(request.video_id),
                            MonitorRun.video_offset_s.set(request.offset_s),
                            MonitorRun.videos_json.set(json.dumps(single)), MonitorRun.updated_at.set(utcnow())])
        try_apply_run_steps(request.video_id, run.run_id)
        return view(run, self._video(run), self._videos(run))

    def add_video(self, run_id: str, request: LinkVideoRequest) -> dict[str, Any]:
        """Links one more recording (a segment) at its offset on the run's timeline. Linking a video
        already linked moves it (a retried request changes nothing). The list stays in offset order and
        its first entry is also the run's single `video_id`."""
        run = self.run(run_id)
        self._must_exist(request.video_id)
        videos = [v for v in linked_videos(run) if v["video_id"] != request.video_id]
        if len(videos) >= MAX_VIDEOS:
            raise ValidationFailed(f"run {run_id} already links {MAX_VIDEOS} recordings, the most it can")
        videos.append({"video_id": request.video_id, "offset_s": request.offset_s})
        videos.sort(key=lambda v: v["offset_s"])
        run.update(actions=[MonitorRun.video_id.set(videos[0]["video_id"]),
                            MonitorRun.video_offset_s.set(videos[0]["offset_s"]),
                            MonitorRun.videos_json.set(json.dumps(videos)), MonitorRun.updated_at.set(utcnow())])
        try_apply_run_steps(request.video_id, run.run_id)
        return view(run, self._video(run), self._videos(run))

    @staticmethod
    def _must_exist(video_id: str) -> None:
        try:
            Video.get(video_id)
        except Video.DoesNotExist:
            raise NotFound(f"video {video_id} not found") from None

    def _videos(self, run: MonitorRun) -> list[dict[str, Any]]:
        return [self._placed(link["video_id"], float(link["offset_s"])) for link in linked_videos(run)]

    def _video(self, run: MonitorRun) -> dict[str, Any] | None:
        """The linked recording's first/last frames on the run's timeline (offset + frame time)."""
        if not run.video_id:
            return None
        return self._placed(run.video_id, float(run.video_offset_s or 0))

    @staticmethod
    def _placed(video_id: str, offset: float) -> dict[str, Any]:
        try:
            video = Video.get(video_id)
        except Video.DoesNotExist:
            return {"video_id": video_id, "status": "missing", "offset_s": offset}
        first = float(video.first_frame.timestamp) + offset if video.first_frame else None
        last = float(video.last_frame.timestamp) + offset if video.last_frame else None
        return {"video_id": video.video_id, "status": video.status, "offset_s": offset,
                "first_frame_t": first, "last_frame_t": last, "duration": video.measured_duration}

    # -- deleting a task -----------------------------------------------------------------------

    def delete_runs_of_task(self, task_id: str, force: bool) -> int:
        """What deleting a task does to its runs: a task with runs is kept (409) unless force, which
        deletes every run and its samples first. Returns how many runs were deleted."""
        runs = list(MonitorRun.by_task.query(task_id))
        if runs and not force:
            raise Conflict(f"task {task_id} has {len(runs)} run(s): delete with ?force=true to delete them "
                           "and their samples too")
        for run in runs:
            with SampleBatch.batch_write() as batch:
                for item in SampleBatch.query(run.run_id, attributes_to_get=["run_id", "seq"]):
                    batch.delete(item)
            run.delete()
        return len(runs)


def _frame_table(video_id: str) -> list[dict[str, Any]] | None:
    """An analysed recording's per-frame table (S3), or None while it has none."""

    try:
        video = Video.get(video_id)
    except Video.DoesNotExist:
        return None
    if video.status != "completed":
        return None
    return _stored_table(video_id)


def _stored_table(video_id: str) -> list[dict[str, Any]] | None:
    from frame_metric.storage.keys import VideoKeys
    from frame_metric.storage.s3 import ObjectStore

    try:
        return list(ObjectStore().get_json(VideoKeys(video_id).frames_table)["frames"])
    except Exception as exc:  # an analysis stored without a table (or lost): no step timings from it
        log.warning("no frame table for video %s: %s", video_id, exc)
        return None


def run_step_actions(video: Video, analysed: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The actions of a run's recording with the run's scenario steps (linked_actions), or None: not a
    linked recording, no frame table yet, or a person reviewed it (they keep what they marked)."""
    if not video.linked_run_id or video.reviewed_by:
        return None
    try:
        run = MonitorRun.get(video.linked_run_id)
    except MonitorRun.DoesNotExist:
        return None
    link = next((v for v in linked_videos(run) if v["video_id"] == video.video_id), None)
    frames = _stored_table(video.video_id) if link else None
    if link is None or not frames:
        return None
    return linked_actions(load_marks(run.run_id), float(link["offset_s"]), frames, analysed)


def try_apply_run_steps(video_id: str, run_id: str) -> bool:
    """apply_run_steps, but a link (or a finished analysis) stands even when the steps cannot be
    applied now: the video's actions stay the analysis' own, linking again retries, the log says why."""
    try:
        return apply_run_steps(video_id, run_id)
    except Exception:
        log.warning("the steps of run %s could not be applied to video %s", run_id, video_id, exc_info=True)
        return False


def apply_run_steps(video_id: str, run_id: str) -> bool:
    """When a recording is linked to a run: remember the run on the video, and an analysed video
    takes the run's steps as its actions now (one analysed later takes them in the pipeline's
    Finalize). True when its actions changed."""
    from frame_metric.storage.s3 import ObjectStore
    from frame_metric.tasks.recompute import recompute_for_video
    from frame_metric.videos.stored_actions import action_marks

    try:
        video = Video.get(video_id, consistent_read=True)
    except Video.DoesNotExist:
        return False
    if video.linked_run_id != run_id:
        video.update(actions=[Video.linked_run_id.set(run_id)])
    if video.status != "completed" or not video.analysis_key:
        return False
    analysed = ObjectStore().get_json(video.analysis_key).get("actions") or []
    actions = run_step_actions(video, analysed)
    if actions is None or actions == analysed:
        return False
    changed = records.update_if(video_id, ["completed"], [Video.actions.set(action_marks(actions))])
    if changed:
        recompute_for_video(video_id)
    return changed


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    """What the run item keeps of its results (small: whole-run stats, not segments)."""
    return {key: summary[key] for key in ("sample_count", "mark_count", "metrics", "jank", "verdict", "failures")}


def fail_silent_runs(settings: Settings | None = None) -> int:
    """The sweeper's part for runs: a running run whose runner went silent for longer than its
    heartbeat timeout is failed (with the reason), never left running. Returns how many."""
    settings = settings or get_settings()
    service = RunService(settings)
    now = utcnow()
    ended = 0
    for key in newest_first(MonitorRun.active_runs, RunStatus.RUNNING.value):
        run = MonitorRun.get(key.run_id, consistent_read=True)  # the index holds keys only
        if run.run_status != RunStatus.RUNNING:
            continue
        last = run.last_heartbeat or run.started_at or run.created_at
        timeout = int(run.heartbeat_timeout_s or settings.run_heartbeat_timeout_seconds)
        if now - last <= timedelta(seconds=timeout):
            continue
        try:
            # Only if no heartbeat came since this read.
            unchanged = (MonitorRun.last_heartbeat == run.last_heartbeat if run.last_heartbeat
                         else MonitorRun.last_heartbeat.does_not_exist())
            service._fail(run, f"the runner went silent: no heartbeat or samples for {timeout} s", unchanged)
            ended += 1
        except Conflict:
            pass  # it ended meanwhile
        except Exception:  # one bad item must not stop the sweep of the others
            log.exception("failing silent run %s failed", run.run_id)
    return ended
