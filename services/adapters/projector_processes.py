"""Projections that follow the log closely, each in a process of its own under `omo project`.

A projection someone waits on live (the stores' work, behind every open WatchShipments) must
apply each commit at once. Run as a thread beside the others, its every database round trip
waits for the interpreter lock behind their batches; in a process of its own it does not.
`omo project` starts such a projection as a child (`omo project --projection NAME`, the same
options) and starts it again when it exits on its own: the runner's lease makes a restart
safe (a child that died holding it is replaced once the lease expires, or at once when it
released it), and its position says where to go on from.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time

log = logging.getLogger("omo.projection")

RESTART_AFTER_SECONDS = 1.0  # no faster than this after a child exited, so a failing one cannot spin


class ProjectorProcess:
    """`omo project --projection <name>` with `options`, kept running until stop()."""

    def __init__(self, name: str, options: list[str]):
        self.name = name
        self.command = [sys.executable, "-m", "services.cli", "project", "--projection", name, *options]
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._exited_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self._exited_at = None
        log.info("projecting %s in process %d", self.name, self.process.pid)

    def check(self) -> None:
        """Starts the child again if it has exited (not before RESTART_AFTER_SECONDS)."""
        if self.process is None or self.process.poll() is None:
            return
        now = time.monotonic()
        if self._exited_at is None:
            self._exited_at = now
            log.warning("the %s projector (process %d) exited with status %s; starting it again",
                        self.name, self.process.pid, self.process.returncode)
        if now - self._exited_at >= RESTART_AFTER_SECONDS:
            self.restarts += 1
            self.start()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (the child releases its lease and stops), SIGKILL past `timeout`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the %s projector did not stop within %g s; killing it", self.name, timeout)
            process.kill()
            process.wait()
