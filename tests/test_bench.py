"""The benchmark's two commands run end to end on a small invented world.

Their figures are not checked here (CI machines are noisy): that they run,
measure every case and refuse real data is.
"""

import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ConcernFactory


@pytest.mark.django_db(transaction=True)
def test_bench_seed_then_bench_measure_every_case(tmp_path, settings):
    settings.DEBUG = True  # bench_seed refuses to run where production could
    call_command("bench_seed", concerns=300, users=120, organisations=30, municipalities=3)
    out = tmp_path / "bench.json"
    call_command("bench", json_path=str(out), repeat=30, warmup=1, backlog=200)

    report = json.loads(out.read_text())
    cases = {result["case"] for result in report["results"]}
    assert {"inbox", "inbox, keyword search", "case page, long timeline", "filing (POST)"} <= cases
    assert "delivering a backlog of 200" in cases
    assert report["concerns"] >= 300 and report["open_deadlines"] > 0
    for result in report["results"]:
        assert result["p95_ms"] > 0 and result["queries"] > 0, result


@pytest.mark.django_db
def test_bench_seed_refuses_a_database_with_real_concerns(settings):
    settings.DEBUG = True
    ConcernFactory()
    with pytest.raises(CommandError, match="empty database"):
        call_command("bench_seed", concerns=10)
