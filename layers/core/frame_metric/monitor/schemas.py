"""Request and response models of the scenario monitoring configuration API. Enums travel as strings;
request models refuse unknown fields so a misspelt field is an error, not silently dropped."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from frame_metric.data.monitor_config import MonitorTaskStatus, ScriptKind, TargetKind
from frame_metric.ids import EntityId
from frame_metric.monitor.catalog import Category, Op, Source, Stat

MAX_SCRIPT_CHARS = 256 * 1024  # well under DynamoDB's 400 KB item limit
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str | None, Field(None, max_length=2000)]
User = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S+$")]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageResponse(BaseModel):
    message: str


# -- catalog ---------------------------------------------------------------------------------------

class MetricResponse(BaseModel):
    name: str
    title: str
    unit: str
    source: Source
    category: Category
    default_interval_ms: int
    min_interval_ms: int
    stats: list[Stat] = Field(description="Statistics a threshold may use for this metric")
    description: str


# -- profiles --------------------------------------------------------------------------------------

class ThresholdModel(Request):
    stat: Stat
    op: Op
    value: float


class ProfileItemModel(Request):
    metric: str = Field(min_length=1, description="A name from GET /monitor/items")
    interval_ms: int | None = Field(None, ge=100, le=3_600_000,
                                    description="Sampling interval; the metric's default when omitted")
    thresholds: list[ThresholdModel] = Field(default_factory=list, max_length=10)


class ProfileCreate(Request):
    name: Name
    description: Description = None
    items: list[ProfileItemModel] = Field(min_length=1, max_length=50)
    created_by: User | None = None


class ProfileUpdate(Request):
    name: Name | None = None
    description: Description = None
    items: list[ProfileItemModel] | None = Field(None, min_length=1, max_length=50)


class ProfileItemResponse(BaseModel):
    metric: str
    interval_ms: int
    thresholds: list[ThresholdModel]


class ProfileResponse(BaseModel):
    profile_id: str
    name: str
    description: str | None
    items: list[ProfileItemResponse]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


# -- scripts ---------------------------------------------------------------------------------------

class ScriptCreate(Request):
    name: Name
    description: Description = None
    kind: ScriptKind
    content: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    created_by: User | None = None


class ScriptUpdate(Request):
    """Every update stores a new version; the kind of a script never changes."""

    content: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    name: Name | None = None
    description: Description = None
    created_by: User | None = Field(None, description="Author of this version")


class ScriptValidateRequest(Request):
    kind: ScriptKind
    content: str = Field(max_length=MAX_SCRIPT_CHARS)


class ScriptError(BaseModel):
    line: int = Field(description="1-based line of the problem")
    column: int | None = Field(None, description="1-based column, when known")
    message: str

    def text(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ScriptValidateResponse(BaseModel):
    valid: bool
    errors: list[ScriptError]
    steps: int | None = Field(None, description="Number of steps of a YAML script, repeats counted once")


class ScriptSummary(BaseModel):
    script_id: str
    name: str
    description: str | None
    kind: ScriptKind
    latest_version: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class ScriptResponse(ScriptSummary):
    version: int = Field(description="The version whose content this is")
    content: str
    version_created_by: str | None
    version_created_at: datetime


class ScriptVersionResponse(BaseModel):
    script_id: str
    version: int
    kind: ScriptKind
    created_by: str | None
    created_at: datetime


# -- tasks -----------------------------------------------------------------------------------------

ANDROID_FIELDS = ("device_serial", "package")
PROCESS_FIELDS = ("process_name", "pid", "command")


class TargetModel(Request):
    kind: TargetKind
    device_serial: str | None = Field(None, min_length=1, max_length=100,
                                      description="adb serial; the only connected device when omitted")
    package: str | None = Field(None, pattern=r"^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$", max_length=255)
    process_name: str | None = Field(None, min_length=1, max_length=255)
    pid: int | None = Field(None, gt=0)
    command: str | None = Field(None, min_length=1, max_length=2000,
                                description="Command the runner launches and then monitors")

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> TargetModel:
        mine, others = ((ANDROID_FIELDS, PROCESS_FIELDS) if self.kind == TargetKind.ANDROID
                        else (PROCESS_FIELDS, ANDROID_FIELDS))
        stray = [name for name in others if getattr(self, name) is not None]
        if stray:
            raise ValueError(f"{', '.join(stray)} do not apply to a {self.kind.value} target")
        if self.kind == TargetKind.ANDROID and not self.package:
            raise ValueError("an android target needs the app package")
        given = [name for name in mine if getattr(self, name) is not None]
        if self.kind == TargetKind.PROCESS and len(given) != 1:
            raise ValueError("a process target needs exactly one of process_name, pid, command")
        return self


class TaskCreate(Request):
    name: Name
    description: Description = None
    target: TargetModel
    profile_id: EntityId
    script_id: EntityId | None = Field(None, description="No script: monitor while a person uses the app")
    script_version: int | None = Field(None, ge=1, description="Pinned version; latest at run start if omitted")
    duration_limit_s: int = Field(600, ge=1, le=86_400)
    repeat_count: int = Field(1, ge=1, le=1000)
    created_by: User = "anonymous"

    @model_validator(mode="after")
    def _version_needs_script(self) -> TaskCreate:
        if self.script_version is not None and self.script_id is None:
            raise ValueError("script_version needs a script_id")
        return self


class TaskUpdate(Request):
    """Fields left out keep their value; script_id or script_version sent as null clear the pin."""

    name: Name | None = None
    description: Description = None
    target: TargetModel | None = None
    profile_id: EntityId | None = None
    script_id: EntityId | None = None
    script_version: int | None = Field(None, ge=1)
    duration_limit_s: int | None = Field(None, ge=1, le=86_400)
    repeat_count: int | None = Field(None, ge=1, le=1000)


class TaskResponse(BaseModel):
    task_id: str
    name: str
    description: str | None
    target: TargetModel
    profile_id: str
    script_id: str | None
    script_version: int | None
    duration_limit_s: int
    repeat_count: int
    created_by: str
    status: MonitorTaskStatus
    last_run_id: str | None
    last_run_at: datetime | None
    last_verdict: str | None = Field(description="pass | fail of the last finished run")
    run_count: int
    created_at: datetime
    updated_at: datetime
