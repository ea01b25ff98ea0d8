"""The long-running processes freeze what survives a full collection, so later full
collections walk only newer objects, and cyclic garbage made afterwards is still freed.
Each check runs in a fresh interpreter: freezing is process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_full_collection_freezes_what_it_leaves_alive():
    out = run_python("""
        import gc
        from services.adapters.heap import freeze_survivors_of_full_collections
        gc.disable()  # only the collections asked for here
        class Cached: pass
        long_lived = [Cached() for _ in range(10_000)]
        before = gc.get_freeze_count()
        freeze_survivors_of_full_collections()
        gc.collect(1)
        after_young = gc.get_freeze_count()
        gc.collect()
        print(before, after_young, gc.get_freeze_count())
    """)
    before, after_young, after_full = map(int, out.split())
    assert before == 0
    assert after_young == 0, "only a full collection freezes"
    assert after_full >= 10_000


def test_cycles_made_after_a_freeze_are_still_collected():
    out = run_python("""
        import gc
        from services.adapters.heap import freeze_survivors_of_full_collections
        gc.disable()  # only the collections asked for here
        freeze_survivors_of_full_collections()
        gc.collect()
        class Node: pass
        for _ in range(1_000):
            a, b = Node(), Node()
            a.other, b.other = b, a
        del a, b
        print(gc.collect())
    """)
    assert int(out) >= 2_000


def test_registering_twice_freezes_through_one_callback():
    out = run_python("""
        import gc
        from services.adapters.heap import freeze_survivors_of_full_collections
        freeze_survivors_of_full_collections()
        freeze_survivors_of_full_collections()
        print(sum(1 for cb in gc.callbacks if getattr(cb, "__module__", "") == "services.adapters.heap"))
    """)
    assert out == "1"
