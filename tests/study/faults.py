"""Specs of small studies on the fault-injection model ``faulty``, shared by the worker tests."""

from __future__ import annotations

from pathlib import Path

FAULTY_SPACE = """
model = "opsnn_opt.models._faulty:Faulty"
simtime_ms = 100.0
chunk_ms = 50.0
{limits}

[fixed]
n_neurons = 40
p_connect = 0.1
seed = 3

[params.build_sleep_s]
choices = [0.0, {sleep_s}]

[params.build_signal]
choices = [0, 11]

[params.build_alloc_mb]
choices = [0.0, 1500.0]
"""

OBJECTIVE = """
missing = 5.0

[[metrics]]
name = "rate_hz.exc"
target = 5.0
"""

#: One trial per fault, and a plain one.
PLAIN = {"build_sleep_s": 0.0, "build_signal": 0, "build_alloc_mb": 0.0}


def write_specs(folder: Path, sleep_s: float = 60.0, limits: str = "", only_sleep: bool = False) -> tuple[Path, Path]:
    """The space and objective; ``only_sleep`` leaves the signal and the allocation out (for
    samplers that would otherwise pick them)."""
    space, objective = folder / "faulty.toml", folder / "objective.toml"
    text = FAULTY_SPACE.format(sleep_s=sleep_s, limits=limits)
    if only_sleep:
        text = text.split("[params.build_signal]")[0]
    space.write_text(text)
    objective.write_text(OBJECTIVE)
    return space, objective


def wait_for(predicate, timeout_s: float, what: str, poll_s: float = 0.2):
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(poll_s)
