"""Monitor profiles: named selections of catalog metrics with intervals and pass/fail thresholds."""

from __future__ import annotations

import uuid

from pynamodb.exceptions import DoesNotExist, PutError

from frame_metric.data.connection import condition_failed
from frame_metric.data.monitor_config import MonitorProfile, ProfileItem, Threshold
from frame_metric.data.video import utcnow
from frame_metric.errors import NotFound, ValidationFailed
from frame_metric.monitor import catalog
from frame_metric.monitor.schemas import (
    MessageResponse,
    ProfileCreate,
    ProfileItemModel,
    ProfileItemResponse,
    ProfileResponse,
    ProfileUpdate,
    ThresholdModel,
)
from frame_metric.monitor.store import page
from frame_metric.monitor.tasks import delete_unused


def check_items(items: list[ProfileItemModel]) -> None:
    """All problems at once, so a client fixes its profile in one round trip."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        metric = catalog.find(item.metric)
        where = f"items.{index}"
        if metric is None:
            problems.append(f"{where}.metric: unknown metric {item.metric!r}; see GET /api/v1/monitor/items")
            continue
        if item.metric in seen:
            problems.append(f"{where}.metric: {item.metric} is listed twice")
        seen.add(item.metric)
        if item.interval_ms is not None and item.interval_ms < metric.min_interval_ms:
            problems.append(f"{where}.interval_ms: {item.metric} cannot be sampled faster than every "
                            f"{metric.min_interval_ms} ms")
        for t_index, threshold in enumerate(item.thresholds):
            if threshold.stat not in metric.stats:
                allowed = ", ".join(stat.value for stat in metric.stats)
                problems.append(f"{where}.thresholds.{t_index}.stat: {threshold.stat.value} does not apply to "
                                f"{item.metric}; use one of {allowed}")
    if problems:
        raise ValidationFailed("; ".join(problems))


def _stored_items(items: list[ProfileItemModel]) -> list[ProfileItem]:
    # The default interval is resolved when saved, so later catalog changes never alter a profile.
    return [ProfileItem(metric=item.metric,
                        interval_ms=item.interval_ms or catalog.BY_NAME[item.metric].default_interval_ms,
                        thresholds=[Threshold(stat=t.stat.value, op=t.op.value, value=t.value)
                                    for t in item.thresholds])
            for item in items]


def to_response(profile: MonitorProfile) -> ProfileResponse:
    items = [ProfileItemResponse(metric=item.metric, interval_ms=int(item.interval_ms),
                                 thresholds=[ThresholdModel(stat=t.stat, op=t.op, value=t.value)
                                             for t in item.thresholds or []])
             for item in profile.items or []]
    return ProfileResponse(profile_id=profile.profile_id, name=profile.name, description=profile.description,
                           items=items, created_by=profile.created_by, created_at=profile.created_at,
                           updated_at=profile.updated_at)


def get_profile(profile_id: str) -> MonitorProfile:
    try:
        return MonitorProfile.get(profile_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"profile {profile_id} not found") from None


class ProfileService:
    def create(self, request: ProfileCreate) -> ProfileResponse:
        check_items(request.items)
        profile = MonitorProfile(str(uuid.uuid4()), name=request.name, description=request.description,
                                 items=_stored_items(request.items), created_by=request.created_by)
        profile.save(condition=MonitorProfile.profile_id.does_not_exist())
        return to_response(profile)

    def get(self, profile_id: str) -> ProfileResponse:
        return to_response(get_profile(profile_id))

    def list(self, skip: int = 0, limit: int = 20) -> list[ProfileResponse]:
        query = MonitorProfile.by_created.query("profile", scan_index_forward=False)
        return [to_response(profile) for profile in page(query, skip, limit)]

    def update(self, profile_id: str, request: ProfileUpdate) -> ProfileResponse:
        if not request.model_fields_set:
            raise ValidationFailed("nothing to update: send name, description or items")
        if request.items is not None:
            check_items(request.items)
        profile = get_profile(profile_id)
        if request.name is not None:
            profile.name = request.name
        if "description" in request.model_fields_set:
            profile.description = request.description
        if request.items is not None:
            profile.items = _stored_items(request.items)
        profile.updated_at = utcnow()
        try:  # a profile deleted meanwhile must not come back
            profile.save(condition=MonitorProfile.profile_id.exists())
        except PutError as exc:
            if condition_failed(exc):
                raise NotFound(f"profile {profile_id} not found") from None
            raise
        return to_response(profile)

    def delete(self, profile_id: str) -> MessageResponse:
        delete_unused(get_profile(profile_id), "profile", "profile_id")
        return MessageResponse(message=f"profile {profile_id} deleted")
