"""`make run` starts a crashed process again, unless it keeps crashing (scripts/stack.py Restarts)."""

from __future__ import annotations

from scripts.stack import Restarts


def test_a_crash_now_and_then_is_always_restarted() -> None:
    restarts = Restarts(limit=3, window=60)
    assert all(restarts.allow("worker", t) for t in (0, 100, 200, 300, 400, 500))


def test_too_many_crashes_in_the_window_stop_the_restarts() -> None:
    restarts = Restarts(limit=3, window=60)
    assert [restarts.allow("rasa", t) for t in (0, 10, 20, 30)] == [True, True, True, False]


def test_the_window_slides_and_processes_are_counted_apart() -> None:
    restarts = Restarts(limit=2, window=60)
    assert restarts.allow("rasa", 0) and restarts.allow("rasa", 30)
    assert restarts.allow("worker", 31)  # another process: its own count
    assert restarts.allow("rasa", 61)  # the crash at 0 has left the window
    assert not restarts.allow("rasa", 62)
