"""What the review API does: the videos waiting for a reviewer, the data to review one, marks with an
append-only history, and the statistics of every task that contains a re-marked video.

A mark is one transaction: the video's marks (conditional on the review_version it read) and the history
entry numbered by the new version. Two reviewers marking at once both succeed, one after the other: the
one that commits second re-reads the video and applies on top, so the later mark wins and the history
holds both, each with the state it replaced."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from frame_metric.data.connection import condition_failed
from frame_metric.data.review import MarkSnapshot, ReviewEntry
from frame_metric.data.sharding import newest_first, page
from frame_metric.data.video import FrameMark, MarkingMethod, Video, VideoStatus, utcnow
from frame_metric.errors import Conflict, ValidationFailed
from frame_metric.monitor.store import check_page, connection
from frame_metric.review.frame_images import request_frame_images
from frame_metric.review.frames import Frame, FrameCatalog
from frame_metric.review.schemas import (
    FrameMarkingRequest,
    FrameMarkingResponse,
    MarkState,
    ReviewHistoryEntry,
    VideoReviewResponse,
)
from frame_metric.storage.s3 import StoreBacked
from frame_metric.tasks.recompute import recompute_for_video
from frame_metric.videos import records
from frame_metric.videos.actions import action_response

ATTEMPTS = 5


def _snapshot(video: Video) -> MarkSnapshot:
    first, last = video.first_frame, video.last_frame
    return MarkSnapshot(
        first_frame_number=None if first is None else int(first.frame_number),
        first_timestamp=None if first is None else float(first.timestamp),
        last_frame_number=None if last is None else int(last.frame_number),
        last_timestamp=None if last is None else float(last.timestamp),
        duration=video.measured_duration, marking_method=video.marking_method,
    )


def _state(snapshot: MarkSnapshot) -> MarkState:
    def number(value: float | None) -> int | None:
        return None if value is None else int(value)

    return MarkState(first_frame_number=number(snapshot.first_frame_number), first_timestamp=snapshot.first_timestamp,
                     last_frame_number=number(snapshot.last_frame_number), last_timestamp=snapshot.last_timestamp,
                     duration=snapshot.duration, marking_method=snapshot.marking_method)


class ReviewService(StoreBacked):
    def _completed(self, video_id: str) -> Video:
        video = records.get_video(video_id)
        if video.video_status != VideoStatus.COMPLETED:
            raise Conflict(f"video {video_id} is {video.status}; only completed videos can be reviewed")
        return video

    # -- reading -------------------------------------------------------------------------------

    def pending(self, skip: int = 0, limit: int = 20, include_frames: bool = False) -> list[VideoReviewResponse]:
        """Completed videos the pipeline flagged (needs_review) that nobody has marked yet, newest first."""
        check_page(skip, limit)
        waiting = newest_first(
            Video.by_status, VideoStatus.COMPLETED.value,
            filter_condition=(Video.needs_review == True) & Video.reviewed_at.does_not_exist())  # noqa: E712
        return [self.to_review(video, include_frames) for video in page(Video, waiting, "video_id", skip, limit)]

    def review(self, video_id: str) -> VideoReviewResponse:
        return self.to_review(self._completed(video_id), include_frames=True)

    def to_review(self, video: Video, include_frames: bool) -> VideoReviewResponse:
        catalog = FrameCatalog(video, self.store)
        return VideoReviewResponse(
            video_id=video.video_id, filename=video.filename, status=video.video_status,
            total_frames=None if video.frame_count is None else int(video.frame_count),
            extracted_frames=len(catalog.frames), marking_method=MarkingMethod(video.marking_method),
            ai_confidence=video.ai_confidence, marked_first_frame=catalog.mark_detail(video.first_frame),
            marked_last_frame=catalog.mark_detail(video.last_frame),
            first_candidates=[catalog.detail(int(c.frame_number), float(c.timestamp))
                              for c in video.first_candidates or []],
            last_candidates=[catalog.detail(int(c.frame_number), float(c.timestamp))
                             for c in video.last_candidates or []],
            all_frames=[catalog.detail(frame.frame_number) for frame in catalog.frames] if include_frames else [],
            needs_review=bool(video.needs_review), reviewed_by=video.reviewed_by, reviewed_at=video.reviewed_at,
            duration=video.measured_duration, review_reasons=list(video.review_reasons or []),
            review_notes=video.review_notes,
        )

    def history(self, video_id: str) -> list[ReviewHistoryEntry]:
        records.get_video(video_id)  # 404 for an unknown video
        return [ReviewHistoryEntry(seq=int(entry.seq), video_id=entry.video_id, reviewer=entry.reviewer,
                                   notes=entry.notes, created_at=entry.created_at, before=_state(entry.before),
                                   after=_state(entry.after),
                                   action_index=None if entry.action_index is None else int(entry.action_index),
                                   action_before=action_response(entry.action_before) if entry.action_before else None,
                                   action_after=action_response(entry.action_after) if entry.action_after else None)
                for entry in ReviewEntry.query(video_id, consistent_read=True)]

    # -- marking -------------------------------------------------------------------------------

    def mark(self, video_id: str, request: FrameMarkingRequest) -> FrameMarkingResponse:
        catalog: FrameCatalog | None = None
        for _ in range(ATTEMPTS):
            video = self._completed(video_id)
            catalog = FrameCatalog(video, self.store) if catalog is None else catalog
            first, last = self._chosen(video, catalog, request)
            kept = (first.frame_number == catalog.ai_frame_number("first")) + \
                   (last.frame_number == catalog.ai_frame_number("last"))
            # Both AI frames confirmed is still a human's mark (the spec: marking sets manual).
            method = MarkingMethod.HYBRID if kept == 1 else MarkingMethod.MANUAL
            seq = self._commit(video, catalog, first, last, method, request)
            if seq is None:
                continue  # another mark committed since we read the video: apply on top of it
            catalog.video = records.get_video(video_id)  # frame types follow the new marks
            # A frame the pipeline kept no picture of gets one shortly (the thumbnail stands in meanwhile).
            request_frame_images(video_id, [frame.frame_number for frame in (first, last)
                                            if catalog.image_key(frame.frame_number) is None], self.settings)
            return FrameMarkingResponse(
                video_id=video_id, message="标记成功", first_frame=catalog.detail(first.frame_number),
                last_frame=catalog.detail(last.frame_number), marking_method=method,
                duration=round(last.timestamp - first.timestamp, 6), history_seq=seq,
                tasks_updated=recompute_for_video(video_id),
            )
        raise Conflict(f"video {video_id} kept changing under {ATTEMPTS} attempts to mark it; try again")

    @staticmethod
    def _chosen(video: Video, catalog: FrameCatalog, request: FrameMarkingRequest) -> tuple[Frame, Frame]:
        if not catalog.frames:
            raise Conflict(f"video {video.video_id} has no frame table to review (it was analysed without one)")
        found = []
        for name, wanted in (("first_frame_id", request.first_frame_id), ("last_frame_id", request.last_frame_id)):
            frame = catalog.by_id.get(wanted)
            if frame is None:
                raise ValidationFailed(f"{name}: {wanted} is not a frame of video {video.video_id}")
            found.append(frame)
        first, last = found
        if last.timestamp <= first.timestamp:
            raise ValidationFailed(f"the last frame (#{last.frame_number} at {last.timestamp:.3f} s) must come after "
                                   f"the first frame (#{first.frame_number} at {first.timestamp:.3f} s)")
        return first, last

    def _commit(self, video: Video, catalog: FrameCatalog, first: Frame, last: Frame, method: MarkingMethod,
                request: FrameMarkingRequest) -> int | None:
        """The new version number, or None when another mark won the race."""
        version = int(video.review_version or 0)
        now = utcnow()

        def mark(frame: Frame, scores: dict[int, float | None]) -> FrameMark:
            return FrameMark(frame_number=frame.frame_number, timestamp=frame.timestamp,
                             score=scores.get(frame.frame_number), image_key=catalog.image_key(frame.frame_number))

        after = Video(video.video_id, first_frame=mark(first, catalog.first_scores),
                      last_frame=mark(last, catalog.last_scores), marking_method=method.value)
        entry = ReviewEntry(video.video_id, version + 1, reviewer=request.reviewer, notes=request.review_notes or None,
                            created_at=now, before=_snapshot(video), after=_snapshot(after))
        notes = Video.review_notes.set(request.review_notes) if request.review_notes else Video.review_notes.remove()
        return commit_mark(video, [
            Video.first_frame.set(after.first_frame), Video.last_frame.set(after.last_frame),
            Video.marking_method.set(method.value), Video.needs_review.set(False),
            Video.reviewed_by.set(request.reviewer), Video.reviewed_at.set(now), notes, Video.updated_at.set(now),
        ], entry)


def commit_mark(video: Video, updates: list[Any], entry: ReviewEntry) -> int | None:
    """One mark in one transaction: the video's updates, conditional on the review_version it was read
    with, and the history entry (numbered by the next version). The new version, or None when another
    mark committed since the video was read."""
    version = int(video.review_version or 0)
    unchanged = Video.review_version == version
    if version == 0:  # items written before reviews existed have no counter yet
        unchanged = unchanged | Video.review_version.does_not_exist()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(Video(video.video_id), actions=[*updates, Video.review_version.set(version + 1)],
                               condition=unchanged & (Video.status == VideoStatus.COMPLETED.value))
            transaction.save(entry, condition=ReviewEntry.seq.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            return None
        raise
    return version + 1
