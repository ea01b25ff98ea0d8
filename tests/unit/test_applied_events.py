"""The events-applied counts a child `omo project` reports to its parent: each report is what
was applied since the last, so the parent's totals only grow, across a child started again too."""

from __future__ import annotations

import os

from services.adapters.projection_runners import AppliedEvents, AppliedReports
from services.adapters import projection_runners


def test_a_child_reports_only_the_increase_and_its_parent_adds_it_up(monkeypatch):
    child, parent = AppliedEvents(), AppliedEvents()
    monkeypatch.setattr(projection_runners, "APPLIED", child)
    reading, writing = os.pipe()
    with open(reading, encoding="utf-8") as pipe:
        reports = AppliedReports(writing)
        child.add("store_work", 5)
        reports.send()
        reports.send()  # nothing new: nothing sent
        child.add("store_work", 2)
        child.add("on_time", 1)
        reports.send()
        os.close(writing)
        lines = pipe.read().splitlines()
    assert lines == ['{"store_work": 5}', '{"store_work": 2, "on_time": 1}']
    for line in lines:
        parent.add_report(line)
    parent.add_report('{"store_work": 3}')  # the child started again, from nothing
    assert parent.counts() == {"store_work": 10, "on_time": 1}


def test_a_report_to_a_parent_gone_is_dropped(monkeypatch):
    monkeypatch.setattr(projection_runners, "APPLIED", AppliedEvents())
    reading, writing = os.pipe()
    os.close(reading)
    try:
        projection_runners.APPLIED.add("store_work", 1)
        AppliedReports(writing).send()  # no BrokenPipeError: the child notices its parent gone by itself
    finally:
        os.close(writing)
