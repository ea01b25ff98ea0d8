"""Commands of `omo` run as children of another, kept running until their parent stops them.

Two uses: `omo project` runs a projection someone waits on live (the stores' work, behind every
open WatchShipments) in a process of its own, since as a thread beside the other runners its
every database round trip waited for the interpreter lock behind their batches; `omo serve
--stream-port` serves the held streams from a second server process, since in the checkout's
process every stream's send waits for the same interpreter lock as the checkout's calls.

The parent starts a child again when it exits on its own (not faster than once a second, so a
failing child cannot spin); the child is told its parent's pid (`--parent-pid`) and stops when
that parent is gone, so a parent killed outright leaves nothing behind; stop() asks it to stop
(SIGTERM) and kills it past a timeout. What makes a restart safe is the child's own: a
projection's lease and position, a server's statelessness.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

log = logging.getLogger("omo")

RESTART_AFTER_SECONDS = 1.0


class ChildCommand:
    """`omo <arguments> --parent-pid <this process>`, kept running until stop()."""

    def __init__(self, label: str, arguments: list[str]):
        self.label = label
        self.command = [sys.executable, "-m", "services.cli", *arguments, "--parent-pid", str(os.getpid())]
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._exited_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> ChildCommand:
        self.process = subprocess.Popen(self.command)
        self._exited_at = None
        log.info("%s in process %d", self.label, self.process.pid)
        return self

    def check(self) -> None:
        """Starts the child again if it has exited (not before RESTART_AFTER_SECONDS)."""
        if self.process is None or self.process.poll() is None:
            return
        now = time.monotonic()
        if self._exited_at is None:
            self._exited_at = now
            log.warning("%s (process %d) exited with status %s; starting it again", self.label, self.process.pid, self.process.returncode)
        if now - self._exited_at >= RESTART_AFTER_SECONDS:
            self.restarts += 1
            self.start()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (the child stops cleanly), SIGKILL past `timeout`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %g s; killing it", self.label, timeout)
            process.kill()
            process.wait()


def parent_gone(parent_pid: int) -> bool:
    """For a child started with --parent-pid: whether the parent that started it has gone."""
    return bool(parent_pid) and os.getppid() != parent_pid
