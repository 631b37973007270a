"""Ending a child process: ask it to go, wait a little, kill it if it is still there."""

from __future__ import annotations

import signal
import subprocess

__all__ = ["stop_process"]


def stop_process(process: subprocess.Popen, *, grace: float = 10.0, ask: bool = True) -> None:
    """Send SIGTERM (unless ``ask`` is false: the caller asked another way, e.g. by closing stdin), wait up
    to ``grace`` seconds, then SIGKILL and reap."""
    if ask and process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
