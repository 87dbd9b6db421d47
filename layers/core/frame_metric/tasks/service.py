"""What the task API does: tasks as named groups of completed videos, their statistics and export."""

from __future__ import annotations

import itertools
import uuid

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from frame_metric.data.connection import condition_failed, insert
from frame_metric.data.tasks import TaskStatus, TaskVideo, TimingTask
from frame_metric.data.video import FrameMark, Video, VideoStatus, utcnow
from frame_metric.errors import NotFound
from frame_metric.monitor.store import check_page
from frame_metric.storage.s3 import StoreBacked
from frame_metric.tasks import recompute as stats
from frame_metric.tasks.action_statistics import per_action
from frame_metric.tasks.schemas import (
    FailedVideo,
    MessageResponse,
    TaskCreate,
    TaskDetailResponse,
    TaskResponse,
    TaskStatsResponse,
    TaskUpdate,
    TaskVideoResponse,
    VideoAddResponse,
    VideoAddToTask,
)
from frame_metric.videos.actions import video_actions


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def to_response(task: TimingTask) -> TaskResponse:
    return TaskResponse(
        id=task.task_id, name=task.name, description=task.description, status=TaskStatus(task.status),
        total_videos=int(task.total_videos or 0), completed_videos=int(task.completed_videos or 0),
        failed_videos=int(task.failed_videos or 0), total_duration=task.total_duration,
        avg_duration=task.avg_duration, min_duration=task.min_duration, max_duration=task.max_duration,
        created_by=task.created_by, created_at=task.created_at, updated_at=task.updated_at,
        processing_videos=int(task.processing_videos or 0), median_duration=task.median_duration,
        p90_duration=task.p90_duration, stddev_duration=task.stddev_duration,
        total_frames=int(task.total_frames or 0), avg_frames_per_video=task.avg_frames_per_video,
    )


def get_task(task_id: str) -> TimingTask:
    try:
        return TimingTask.get(task_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"task {task_id} not found") from None


class TaskService(StoreBacked):
    # -- the task itself -----------------------------------------------------------------------

    def create(self, request: TaskCreate) -> TaskResponse:
        task = TimingTask(str(uuid.uuid4()), name=request.name, description=request.description,
                          created_by=request.created_by)
        task.save(condition=TimingTask.task_id.does_not_exist())
        return to_response(task)

    def list(self, user: str | None, skip: int = 0, limit: int = 20) -> list[TaskResponse]:
        check_page(skip, limit)
        if user is not None:
            query = TimingTask.by_creator.query(user, scan_index_forward=False)
        else:
            query = TimingTask.by_created.query("task", scan_index_forward=False)
        return [to_response(task) for task in itertools.islice(query, skip, skip + limit)]

    def update(self, task_id: str, request: TaskUpdate) -> TaskResponse:
        task = TimingTask(task_id)
        actions = [TimingTask.updated_at.set(utcnow())]
        if "name" in request.model_fields_set:
            actions.append(TimingTask.name.set(request.name))
        if "description" in request.model_fields_set:
            actions.append(TimingTask.description.set(request.description) if request.description
                           else TimingTask.description.remove())
        try:
            task.update(actions=actions, condition=TimingTask.task_id.exists())
        except UpdateError as exc:
            if condition_failed(exc):
                raise NotFound(f"task {task_id} not found") from None
            raise
        return to_response(task)

    def delete(self, task_id: str) -> MessageResponse:
        """The task and its video links; never the videos. Links go first, so a delete that stops half
        way can be sent again (the task is still there to find)."""
        get_task(task_id)
        with TaskVideo.batch_write() as batch:
            for link in TaskVideo.query(task_id, consistent_read=True):
                batch.delete(link)
        TimingTask(task_id).delete()
        return MessageResponse(message="任务删除成功")

    # -- its videos ----------------------------------------------------------------------------

    def add_videos(self, task_id: str, request: VideoAddToTask) -> VideoAddResponse:
        get_task(task_id)
        wanted = list(dict.fromkeys(request.video_ids))
        videos = stats.load_videos(wanted)
        present = {link.video_id for link in TaskVideo.query(task_id, consistent_read=True)}
        failed: list[FailedVideo] = []
        already: list[str] = []
        added = 0
        for video_id in wanted:
            video = videos.get(video_id)
            if video is None:
                failed.append(FailedVideo(video_id=video_id, reason=f"video {video_id} not found"))
            elif video.video_status != VideoStatus.COMPLETED:
                failed.append(FailedVideo(video_id=video_id, reason=f"video is {video.status}; only completed "
                                                                     "videos can be added"))
            elif video_id in present:
                already.append(video_id)
            elif self._link(task_id, video_id, request.notes):
                added += 1
            else:
                already.append(video_id)  # added by a concurrent request meanwhile
        if added:
            stats.recompute(task_id)
        return VideoAddResponse(message=f"成功添加 {added} 个视频到任务", added_count=added,
                                failed_videos=failed, already_in_task=already)

    def _link(self, task_id: str, video_id: str, notes: str | None) -> bool:
        counter = TimingTask(task_id)
        try:
            counter.update(actions=[TimingTask.next_order.add(1)], condition=TimingTask.task_id.exists())
        except UpdateError as exc:
            if condition_failed(exc):
                raise NotFound(f"task {task_id} not found") from None
            raise
        link = TaskVideo(task_id, video_id, link_id=str(uuid.uuid4()), order=int(counter.next_order),
                         notes=notes or None)
        return insert(link, TaskVideo.video_id.does_not_exist())

    def remove_video(self, task_id: str, video_id: str) -> MessageResponse:
        get_task(task_id)
        try:
            TaskVideo(task_id, video_id).delete(condition=TaskVideo.video_id.exists())
        except DeleteError as exc:
            if condition_failed(exc):
                raise NotFound(f"video {video_id} is not in task {task_id}") from None
            raise
        stats.recompute(task_id)
        return MessageResponse(message="视频已从任务中移除")

    # -- reading -------------------------------------------------------------------------------

    def detail(self, task_id: str) -> TaskDetailResponse:
        task = get_task(task_id)
        links = stats.task_links(task_id)
        videos = stats.load_videos(link.video_id for link in links)
        rows = [self._video_row(link, videos.get(link.video_id)) for link in links]
        return TaskDetailResponse(**to_response(task).model_dump(), videos=rows)

    def _url(self, mark: FrameMark | None) -> str | None:
        return self.store.presigned_get(mark.image_key) if mark is not None and mark.image_key else None

    def _video_row(self, link: TaskVideo, video: Video | None) -> TaskVideoResponse:
        first = video.first_frame if video else None
        last = video.last_frame if video else None
        return TaskVideoResponse(
            id=link.link_id, video_id=link.video_id, order=int(link.order),
            duration=video.measured_duration if video else None,
            first_frame_time=None if first is None else float(first.timestamp),
            last_frame_time=None if last is None else float(last.timestamp),
            notes=link.notes, added_at=link.added_at,
            video_filename=video.filename if video else None,
            video_status=video.video_status if video else None,
            video_width=_int(video.width) if video else None, video_height=_int(video.height) if video else None,
            first_frame_url=self._url(first), last_frame_url=self._url(last),
            first_frame_number=None if first is None else int(first.frame_number),
            last_frame_number=None if last is None else int(last.frame_number),
            video_duration=video.duration if video else None, fps=video.fps if video else None,
            frame_count=_int(video.frame_count) if video else None,
            marking_method=video.marking_method if video else None,
            actions=video_actions(video) if video else [],
        )

    def calculate_stats(self, task_id: str) -> TaskResponse:
        task = stats.recompute(task_id)
        if task is None:
            raise NotFound(f"task {task_id} not found")
        return to_response(task)

    def statistics(self, task_id: str) -> TaskStatsResponse:
        task = to_response(get_task(task_id))
        videos = stats.load_videos(link.video_id for link in stats.task_links(task_id))
        completed = [v for v in videos.values() if v.video_status == VideoStatus.COMPLETED]
        by_action, note = per_action([[a.model_dump() for a in video_actions(v)] for v in completed])
        return TaskStatsResponse(
            actions=by_action, actions_note=note,
            task_id=task.id, task_name=task.name, status=task.status, total_videos=task.total_videos,
            completed_videos=task.completed_videos, processing_videos=task.processing_videos,
            failed_videos=task.failed_videos, total_duration=task.total_duration, avg_duration=task.avg_duration,
            min_duration=task.min_duration, max_duration=task.max_duration, total_frames=task.total_frames,
            avg_frames_per_video=task.avg_frames_per_video, median_duration=task.median_duration,
            p90_duration=task.p90_duration, stddev_duration=task.stddev_duration,
        )
