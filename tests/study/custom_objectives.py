"""Custom objective callables used by the tests (``callable = "tests.study.custom_objectives:..."``)."""


def rate_distance(metrics, result):
    return abs(metrics["rate_hz.all"] - 10.0)


def fails_for_strong_excitation(metrics, result):
    if result.spec.params["g_exc_nS"] > 3.0:
        raise RuntimeError("refusing strong excitation")
    return metrics["rate_hz.all"]


NOT_CALLABLE = 3
