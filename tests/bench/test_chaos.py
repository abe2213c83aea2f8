"""`opsnn bench chaos`, small: 3 workers × 4 trials with a SIGKILL, a SIGTERM, a hung trial and,
on PostgreSQL (a throwaway cluster), a server restart."""

from __future__ import annotations

import json

import pytest

from opsnn_opt.cli import main
from opsnn_opt.store._throwaway import throwaway_unavailable_reason
from tests.conftest import REQUIRE_PG

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_chaos_bench_meets_its_targets(kind, workdir, capsys):
    if kind == "postgresql" and throwaway_unavailable_reason():
        if REQUIRE_PG:
            pytest.fail(f"OPSNN_REQUIRE_POSTGRES=1 but {throwaway_unavailable_reason()}")
        pytest.skip(throwaway_unavailable_reason())
    assert main(["bench", "chaos", "--json", "--workers", "3", "--trials", "4", "--stores", kind]) == 0
    result = json.loads(capsys.readouterr().out)
    r = result["stores"][kind]
    assert r["targets_met"] == {
        "no_crash": True,
        "none_lost_duplicated_or_running": True,
        "no_disagreement": True,
        "hung_trial_failed_in_time": True,
    }, json.dumps(r)
    assert (r["lost"], r["duplicated"], r["left_running"], r["disagreements"], r["crashes"]) == (0, 0, 0, 0, 0)
    assert sorted(r["worker_exit_codes"].values()) == [-9, 0, 0]  # the SIGTERMed worker exits 0
    assert r["hung_trial_reason"] == "timed out after 10 s (the trial; timeout_s)"
    assert r["recovery_s"]["sigterm_to_worker_exit_s"] < 10
    if kind == "postgresql":
        assert r["recovery_s"]["db_restart_to_next_complete_s"] is not None
    assert result["all_targets_met"] is True
