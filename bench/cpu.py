"""CPU time by process during a load, from Linux's /proc: where the machine's two cores go.

Throughput on this shared machine swings by a quarter from run to run; CPU time per order
moves with it less, and shows which process a change helped. The processes are found by what
they run: the benchmark itself (the client), `omo serve` and the order writer it spawns,
`omo project`, and every PostgreSQL process (the database serves the whole machine, so its
share is the busiest figure to read with care).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
ROLES = ("server", "writer", "projector", "postgres", "client")


@dataclass
class CpuShares:
    """Seconds of CPU (user + system) each role used while the block ran; empty without /proc."""

    seconds: dict[str, float] = field(default_factory=dict)

    def ms_per(self, count: int) -> dict[str, float]:
        """Milliseconds of CPU per unit of work (per order), by role and in total."""
        if not self.seconds or count <= 0:
            return {}
        shares = {role: round(self.seconds.get(role, 0.0) * 1000 / count, 3) for role in ROLES}
        shares["total"] = round(sum(shares.values()), 3)
        return shares


@contextmanager
def cpu_shares() -> Iterator[CpuShares]:
    shares = CpuShares()
    if not PROC.is_dir():
        yield shares
        return
    before = _by_role()
    yield shares
    after = _by_role()
    # a process that exited in between took its CPU time with it: count only the ones alive at both ends
    for role in ROLES:
        used = sum(after[role].get(pid, 0) - ticks for pid, ticks in before[role].items() if pid in after[role])
        shares.seconds[role] = used / os.sysconf("SC_CLK_TCK")


def _by_role() -> dict[str, dict[int, int]]:
    """Clock ticks used so far by each process, grouped by role."""
    found: dict[str, dict[int, int]] = {role: {} for role in ROLES}
    me = os.getpid()
    processes = {pid: stat for pid in _pids() if (stat := _stat(pid)) is not None}
    for pid, (name, parent, ticks) in processes.items():
        role = None
        if pid == me:
            role = "client"
        elif name == "postgres":
            role = "postgres"
        elif parent == me or processes.get(parent, ("", 0, 0))[1] == me:
            command = _command(pid)
            if "services.cli" in command and "serve" in command:
                role = "server"
            elif "services.cli" in command and "project" in command:
                role = "projector"
            elif "multiprocessing" in command:
                role = "writer"  # the server's child: the order writer process
        if role is not None:
            found[role][pid] = ticks
    return found


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(name, parent pid, user + system ticks), or None for a process gone meanwhile."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the name is in parentheses and may hold spaces; the fields after it are space-separated
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, int(fields[1]), int(fields[11]) + int(fields[12])


def _command(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
