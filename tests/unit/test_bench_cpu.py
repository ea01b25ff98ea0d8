"""bench/cpu.py: the CPU time the benchmarks report per order comes from the right processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.cpu import cpu_shares

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cpu_is_counted_for_the_process_that_used_it():
    # the child runs like `omo project` as far as its command line goes
    child = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.6), "services.cli", "project"])
    time.sleep(0.1)  # started before the first reading: a process must be seen at both ends
    with cpu_shares() as cpu:
        burn(0.3)
        child.wait(timeout=30)
        time.sleep(0.05)
    assert cpu.seconds["projector"] == 0  # it exited inside the block: its time went with it

    child = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.6) + "time.sleep(2)", "services.cli", "project"])
    time.sleep(0.1)
    with cpu_shares() as cpu:
        burn(0.3)
        time.sleep(0.8)  # the child burns meanwhile, then sleeps
    child.kill()
    child.wait()
    assert 0.25 <= cpu.seconds["client"] < 1.0
    assert 0.3 <= cpu.seconds["projector"] < 1.0
    assert cpu.seconds["server"] == 0 and cpu.seconds["writer"] == 0

    per_order = cpu.ms_per(100)
    assert per_order["projector"] == pytest.approx(cpu.seconds["projector"] * 10, abs=0.01)
    assert per_order["total"] == pytest.approx(sum(per_order[role] for role in ("server", "writer", "projector", "postgres", "client")), abs=0.01)
    assert cpu.ms_per(0) == {}
