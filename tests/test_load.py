"""Many HTTP clients ask while a reindex runs and swaps the index in: not one error."""

from __future__ import annotations

import argparse

from bench.load import measure


async def test_concurrent_clients_during_a_reindex_see_no_errors() -> None:
    args = argparse.Namespace(clients=12, articles=80, idle_seconds=0.3, seed=5)
    result = await measure(args)
    assert result["articles_added"] == 80
    assert result["requests_during_reindex"] >= 12  # the clients really asked during the build
    assert result["distinct_questions"] > 80  # varied questions, every answer checked
    assert result["errors"] == 0, result["first_errors"]
