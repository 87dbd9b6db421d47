"""Batches the server has not acknowledged yet, kept in order in a JSON-lines file on disk.

Each line is one batch; a line is fsynced before the append returns, so a batch handed to the spool
survives the runner being killed. Sent batches are dropped by rewriting the file atomically (the
ingest is idempotent per seq, so a batch sent twice after a crash between send and rewrite is safe)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._batches: list[dict[str, Any]] = self._load()

    def _load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        batches = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                batches.append(json.loads(line))
            except ValueError:
                break  # a torn last line from a crash mid-write: everything before it is whole
        return batches

    def __len__(self) -> int:
        with self._lock:
            return len(self._batches)

    def append(self, batch: dict[str, Any]) -> None:
        with self._lock:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(batch, separators=(",", ":")) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._batches.append(batch)

    def batches(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._batches)

    def head(self) -> dict[str, Any] | None:
        with self._lock:
            return self._batches[0] if self._batches else None

    def pop_head(self) -> None:
        with self._lock:
            self._batches.pop(0)
            self._rewrite()

    def _rewrite(self) -> None:
        if not self._batches:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(b, separators=(",", ":")) + "\n" for b in self._batches)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
