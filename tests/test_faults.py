"""The fault suite's quick scenarios, in ``make test`` (the long ones run in CI's smoke mode:
``python -m bench.faults --smoke``, and in full with ``python -m bench.faults``).

A full disk and a read-only corpus mount small tmpfs filesystems, so they need root; without it
they are skipped with a message that says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import faults

pytestmark = pytest.mark.timeout(120)


async def test_a_full_disk_refuses_writes_with_507_and_leaves_no_trace(tmp_path: Path) -> None:
    result = await faults.disk_full(tmp_path)
    if "skipped" in result:
        pytest.skip(result["skipped"])
    assert faults.violations("disk_full", result) == [], result
    assert "full" in result["cli_message"]


async def test_a_read_only_corpus_refuses_changes_with_503_and_keeps_answering(
    tmp_path: Path,
) -> None:
    result = await faults.read_only(tmp_path)
    if "skipped" in result:
        pytest.skip(result["skipped"])
    assert faults.violations("read_only", result) == [], result


@pytest.mark.parametrize(
    "name", ["truncated_store", "deleted_tantivy_meta", "garbled_segment", "emptied_store"]
)
async def test_a_corrupt_generation_is_never_ready_and_is_rebuilt(
    tmp_path: Path, name: str
) -> None:
    result = await faults.corrupt_one(tmp_path, name, timeout=8, fail_fast=True)
    assert result["ready_while_broken"] == 0, result
    assert result["recovered_s"] is not None, result
