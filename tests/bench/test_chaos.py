"""`opsnn bench chaos`, small: 3 workers × 4 trials with a SIGKILL, a SIGTERM, a hung trial and,
on PostgreSQL (a throwaway cluster), a server restart."""

from __future__ import annotations

import json

import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import throwaway_unavailable_reason
from tests.conftest import REQUIRE_PG

pytestmark = pytest.mark.slow


DEAD_WORKER = "the worker stopped sending heartbeats (crashed or killed)"
STOPPED = "worker stopped by SIGTERM"
TIMED_OUT = "timed out after 10 s (the trial; timeout_s)"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_chaos_bench_loses_nothing_and_recovers_in_time(kind, workdir, capsys):
    if kind == "postgresql" and throwaway_unavailable_reason():
        if REQUIRE_PG:
            pytest.fail(f"OPSNN_REQUIRE_POSTGRES=1 but {throwaway_unavailable_reason()}")
        pytest.skip(throwaway_unavailable_reason())
    assert main(["bench", "chaos", "--json", "--workers", "3", "--trials", "4", "--stores", kind]) == 0
    result = json.loads(capsys.readouterr().out)
    r = result["stores"][kind]
    why = json.dumps(r)
    timeout_s, grace_s = result["timeout_s"], result["grace_s"]
    assert r["budget"] == 12 and r["timed_out"] is False, why
    # Every configuration but the hung one completed exactly once; nothing is left RUNNING, and
    # Optuna and opsnn_trial_runs agree.
    assert (r["lost"], r["duplicated"], r["left_running"], r["disagreements"]) == (0, 0, 0, 0), why
    assert r["trials_by_state"]["COMPLETE"] == r["budget"] - 1, why
    assert set(r["trials_by_state"]) <= {"COMPLETE", "FAIL"}, why
    # The SIGKILLed worker dies with -9, the SIGTERMed one exits 0, the third is not disturbed.
    assert r["crashes"] == 0 and sorted(r["worker_exit_codes"].values()) == [-9, 0, 0], why
    killed, stopped = r["faults"]["sigkill"], r["faults"]["sigterm"]
    assert (killed["trial_state"], killed["fail_reason"], killed["worker_exit_code"]) == ("FAIL", DEAD_WORKER, -9)
    assert (stopped["trial_state"], stopped["fail_reason"], stopped["worker_exit_code"]) == ("FAIL", STOPPED, 0)
    assert killed["trial"] != stopped["trial"]
    assert r["hung_trial_reason"] == TIMED_OUT and r["fail_reasons"].get(TIMED_OUT) == 1, why
    s = r["recovery_s"]
    # Each fault recovers within its limit (a loaded 2-core machine is given 10 s more).
    assert timeout_s <= s["hung_trial_failed_after_s"] <= timeout_s + 10, why
    assert s["sigkill_to_trial_failed_s"] <= grace_s + 10, why  # failed as stale by another worker
    assert s["sigterm_to_trial_failed_s"] < 10 and s["sigterm_to_worker_exit_s"] < 10, why
    assert s["sigkill_to_retry_complete_s"] > 0 and s["sigterm_to_retry_complete_s"] > 0, why  # retried, completed
    if kind == "postgresql":
        assert r["faults"]["db_restart"] == {"down_s": 3.0}, why
        # Workers retry their store calls through the outage: a trial completes soon after it.
        assert 0 < s["db_restart_to_next_complete_s"] < 3.0 + 30, why
    else:
        assert "db_restart" not in r["faults"] and "db_restart_to_next_complete_s" not in s, why
