"""Hearing of a video's progress without polling: `GET .../progress?wait=S&since=TOKEN` answers as
soon as the progress differs from the one the caller last saw (its token), or after S seconds.

The server re-reads one DynamoDB item every READ_INTERVAL seconds meanwhile, so a client learns of
a change within that, with one request per change instead of one per fixed sleep. Kept free of heavy
imports: the CLI's client uses it too.
"""

from __future__ import annotations

MAX_WAIT_SECONDS = 20  # API Gateway ends an integration at 29 s
READ_INTERVAL = 0.1  # seconds between reads: a change is seen within it (avg 0.05 s), at 10 GetItems a second


def progress_token(status: str, progress: int, current_step: str | None) -> str:
    """What a progress answer says, in one comparable string."""
    return f"{status}/{int(progress)}/{current_step or ''}"
