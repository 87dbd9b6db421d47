"""DynamoDB Local on a busy machine: a store that accepts connections but answers late is waited for."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from frame_metric.localcloud.stores import TableStore


def test_a_late_answer_is_waited_for_not_taken_as_a_failure(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    answered = threading.Event()

    def serve() -> None:
        # The first connection gets no answer for longer than the probe's 1 s read timeout; the next one does.
        first, _ = listener.accept()
        time.sleep(1.5)
        first.close()
        second, _ = listener.accept()
        second.recv(65536)
        second.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        second.close()
        answered.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        TableStore(tmp_path, None, port).wait_ready(timeout=10)
        assert answered.wait(5)
    finally:
        listener.close()
        thread.join(timeout=5)
