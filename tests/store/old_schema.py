"""The project's table as opsnn_opt 0.1 (schema version 1) created it, for the migration tests."""

#: No ``threads``, ``import_s``, ``checks_s``, ``notes`` or ``worker`` columns.
TRIAL_RUNS_V1_DDL = (
    "CREATE TABLE opsnn_trial_runs (id INTEGER PRIMARY KEY, study_name VARCHAR(512), trial_number INTEGER, "
    "optuna_trial_id INTEGER, state VARCHAR(16), objective_values JSON, model VARCHAR(128), "
    "backend VARCHAR(64), params JSON, seed INTEGER, simtime_ms FLOAT, build_s FLOAT, sim_s FLOAT, "
    "collect_s FLOAT, write_s FLOAT, analysis_s FLOAT, total_s FLOAT, peak_rss_mb FLOAT, metrics JSON, "
    "results_path TEXT, fail_reason TEXT, host VARCHAR(255), opsnn_version VARCHAR(64), "
    "pynn_version VARCHAR(64), nest_version VARCHAR(64), numpy_version VARCHAR(64), created_at DATETIME, "
    "UNIQUE (study_name, trial_number))"
)
