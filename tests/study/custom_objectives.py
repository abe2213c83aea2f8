"""Custom objective callables used by the tests (``callable = "tests.study.custom_objectives:..."``)."""


def rate_distance(metrics, result):
    return abs(metrics["rate_hz.all"] - 10.0)


def fails_for_strong_excitation(metrics, result):
    if result.spec.params["g_exc_nS"] > 3.0:
        raise RuntimeError("refusing strong excitation")
    return metrics["rate_hz.all"]


NOT_CALLABLE = 3


def hangs_in_the_victim(metrics, result):
    """Blocks for ten minutes in a worker started with OPSNN_TEST_VICTIM=1 (to be killed)."""
    import os
    import time

    if os.environ.get("OPSNN_TEST_VICTIM") == "1":
        time.sleep(600)
    return metrics["rate_hz.all"]


def declares_its_trial_stale(metrics, result):
    """Does what another worker's stale-trial check does to a live trial: marks it FAIL."""
    import optuna

    from opsnn_opt.store import Store

    storage = Store().optuna_storage()
    study = optuna.load_study(study_name="stale", storage=storage)
    running = [t for t in study.trials if t.state.name == "RUNNING"]
    if running and running[0].number == 0:
        storage.set_trial_state_values(running[0]._trial_id, optuna.trial.TrialState.FAIL)
    return metrics["rate_hz.all"]
