"""The append-only history of review marks: one item per mark, keyed (video_id, seq). seq is the video's
review_version the mark produced, so two marks can never write the same entry."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from frame_metric.data.video import ActionMark, utcnow


class MarkSnapshot(MapAttribute):
    """The marks of a video at one moment: what a review changed from or to."""

    first_frame_number = NumberAttribute(null=True)
    first_timestamp = NumberAttribute(null=True)
    last_frame_number = NumberAttribute(null=True)
    last_timestamp = NumberAttribute(null=True)
    duration = NumberAttribute(null=True)
    marking_method = UnicodeAttribute(null=True)


class ReviewEntry(Model):
    class Meta:
        table_name = "frame-metric-review-history"
        region = "us-east-1"
        host: str | None = None

    video_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    reviewer = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    before = MarkSnapshot()
    after = MarkSnapshot()
    # A correction of one action's frames (review/actions.py): which action, and its state before/after.
    action_index = NumberAttribute(null=True)
    action_before = ActionMark(null=True)
    action_after = ActionMark(null=True)
