"""The Step Functions tasks of the frame-analysis pipeline, one Lambda function each (template.yaml)."""

from __future__ import annotations

from frame_metric.pipeline import steps
from frame_metric.pipeline.frame_images import store_frame_images
from frame_metric.pipeline.transient import step_handler

probe = step_handler(steps.probe)
analyse = step_handler(steps.analyse)
select = step_handler(steps.select)
finalize = step_handler(steps.finalize)
fail = step_handler(steps.fail)
frame_images = step_handler(store_frame_images)
