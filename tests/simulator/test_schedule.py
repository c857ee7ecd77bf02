"""Simulated submission times: AlphaCode's schedule, a fixed minute, measured solver time."""

from __future__ import annotations

import pytest

from contests.errors import DataError
from simulator.schedule import Schedule, parse_schedule, schedule_submissions
from solver.interface import Submission


def subs(n: int, samples_drawn: int = 0, ready_after: float = 0.0) -> list[Submission]:
    return [Submission("print(1)", "python", i, ready_after * (i + 1), samples_drawn=samples_drawn) for i in range(n)]


def test_alphacode_schedule_matches_its_table_a5_for_two_hours():
    timed = schedule_submissions(subs(10), parse_schedule("alphacode"), 120, 1000)
    # 1 submission at 0.1, 5 in all by 0.5, the rest at 0.9 of the contest, each +2 minutes of clustering
    assert [t.minute for t in timed] == pytest.approx([14] + [62] * 4 + [110] * 5)
    assert all(t.in_time for t in timed)


def test_alphacode_schedule_scales_with_the_contest_length():
    timed = schedule_submissions(subs(6), parse_schedule("alphacode"), 180, 1000)
    assert [t.minute for t in timed] == pytest.approx([20, 92, 92, 92, 92, 164])


def test_submissions_come_earlier_when_the_samples_were_drawn_earlier():
    # 100 of 1000 samples drawn: available at 0.9 * 0.1 = 0.09 of the contest, before every stage
    timed = schedule_submissions(subs(6, samples_drawn=100), parse_schedule("alphacode"), 120, 1000)
    assert [t.minute for t in timed] == pytest.approx([0.09 * 120 + 2] * 6)
    # all 1000 drawn: no earlier than the stages themselves
    timed = schedule_submissions(subs(6, samples_drawn=1000), parse_schedule("alphacode"), 120, 1000)
    assert [t.minute for t in timed] == pytest.approx([14, 62, 62, 62, 62, 110])


def test_fixed_and_measured_schedules_and_the_end_of_the_contest():
    assert [t.minute for t in schedule_submissions(subs(3), parse_schedule("fixed:30"), 120, 10)] == [30, 30, 30]
    timed = schedule_submissions(subs(3, ready_after=3000.0), parse_schedule("measured"), 120, 10)
    assert [t.minute for t in timed] == pytest.approx([50, 100, 150])
    assert [t.in_time for t in timed] == [True, True, False]  # after the end: never submitted


def test_times_never_go_backwards_whatever_order_they_come_in():
    reversed_subs = list(reversed(subs(3, ready_after=600.0)))
    reversed_subs = [Submission(s.source, s.language, s.order, 1800.0 - s.ready_after) for s in reversed_subs]
    timed = schedule_submissions(reversed_subs, Schedule("measured"), 120, 10)
    assert [t.submission.order for t in timed] == [0, 1, 2]
    assert [t.minute for t in timed] == pytest.approx([20, 20, 20])


@pytest.mark.parametrize("text", ["", "alpha", "fixed:", "fixed:-3", "fixed:abc"])
def test_unknown_schedules_are_refused_in_one_line(text):
    with pytest.raises(DataError, match="unknown schedule"):
        parse_schedule(text)
