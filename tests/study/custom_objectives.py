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
