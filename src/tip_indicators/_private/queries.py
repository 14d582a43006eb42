"""How the package runs a polars query plan: always on polars' in-memory engine.

A check runs hundreds of small queries over frames already in memory (a one-report file makes
about five hundred). Left to ``engine="auto"``, recent polars runs a lazy plan on its streaming
engine, which sets up a pipeline for every query: about 0.15 ms more a query than the in-memory
engine on a small frame, and no faster on large ones. Measured in paired runs of the command
line against polars' default: the benchmark's findings-heavy 200k file in 0.89 of the time, its
1M file in 0.95 and its GLOTIP 60k file in 0.98; on the worked example the queries take about
40 ms less (of about 280 ms), which a cold run's noise hides.
Eager frame methods already use the in-memory engine; these two functions are how every lazy plan
of the package is collected, so the choice is made once, here, and not per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

__all__ = ["QUERY_ENGINE", "collect", "collect_all"]

QUERY_ENGINE: Final = "in-memory"


def collect(plan: pl.LazyFrame) -> pl.DataFrame:
    """The rows of ``plan``, computed on :data:`QUERY_ENGINE`."""
    return plan.collect(engine=QUERY_ENGINE)


def collect_all(plans: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    """The rows of each plan in ``plans``, computed together (shared parts once) on
    :data:`QUERY_ENGINE`."""
    return pl.collect_all(plans, engine=QUERY_ENGINE)
