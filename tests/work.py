"""Work counted in Python calls: deterministic, unlike seconds, so cost tests can assert growth."""

from __future__ import annotations

import sys
from collections.abc import Callable

PYTHON_AND_BUILTIN = frozenset({"call", "c_call"})


def calls(run: Callable[[], object], events: frozenset[str] = PYTHON_AND_BUILTIN) -> int:
    """How many profiler ``events`` (by default Python and builtin calls) ``run`` makes."""
    count = 0

    def profile(_frame: object, event: str, _arg: object) -> None:
        nonlocal count
        count += event in events

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def grows_in_proportion(
    work: Callable[[int], object], small: int, large: int, slack: float = 1.5
) -> bool:
    """Whether ``work(large)`` makes at most ``slack`` times ``large / small`` as many calls as
    ``work(small)``: linear growth, with room for noise (four times the input, under six times
    the work), never quadratic (sixteen times)."""
    return calls(lambda: work(large)) < slack * (large / small) * calls(lambda: work(small))
