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

A parent may also hear from its child: given `on_report`, it opens a pipe the child writes lines
to (`--report-fd`, the child's end; see ReportsToParent), read on a thread of the parent's. The
child's standard streams stay the operator's, for its logs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("omo")

RESTART_AFTER_SECONDS = 1.0


class ChildCommand:
    """`omo <arguments> --parent-pid <this process>`, kept running until stop(); with
    `on_report`, also `--report-fd <its end of a pipe>`, each line it writes there passed to
    on_report (on a thread of its own)."""

    def __init__(self, label: str, arguments: list[str], on_report: Callable[[str], None] | None = None):
        self.label = label
        self.command = [sys.executable, "-m", "services.cli", *arguments, "--parent-pid", str(os.getpid())]
        self.on_report = on_report
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._exited_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> ChildCommand:
        if self.on_report is None:
            self.process = subprocess.Popen(self.command)
        else:
            reading, writing = os.pipe()
            try:
                self.process = subprocess.Popen([*self.command, "--report-fd", str(writing)], pass_fds=(writing,))
            except BaseException:
                os.close(reading)
                raise
            finally:
                os.close(writing)  # the child's alone: its exit then ends the reading
            threading.Thread(target=self._read_reports, args=(reading, self.on_report), daemon=True,
                             name=f"reports-{self.process.pid}").start()
        self._exited_at = None
        log.info("%s in process %d", self.label, self.process.pid)
        return self

    def _read_reports(self, reading: int, on_report: Callable[[str], None]) -> None:
        with open(reading, encoding="utf-8") as reports:
            for line in reports:
                try:
                    on_report(line.rstrip("\n"))
                except Exception:  # noqa: BLE001 - one bad report must not silence the next
                    log.exception("%s: could not take its report %r", self.label, line)

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


class ReportsToParent:
    """A child's end of the pipe its parent opened for its reports (`--report-fd`)."""

    def __init__(self, fd: int):
        self.fd = fd

    def send(self, line: str) -> None:
        """One line, without its line break; one under 4 KiB (the least a pipe writes whole) is
        never read in part."""
        try:
            os.write(self.fd, (line + "\n").encode())
        except OSError:
            pass  # the parent is gone; the child sees it (parent_gone) and stops


def parent_gone(parent_pid: int) -> bool:
    """For a child started with --parent-pid: whether the parent that started it has gone."""
    return bool(parent_pid) and os.getppid() != parent_pid
