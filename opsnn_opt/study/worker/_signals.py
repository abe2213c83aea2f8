"""SIGTERM and SIGINT in a worker: the one place that installs their handlers.

A Ctrl-C, a ``scancel`` or a pre-emption (SLURM and Kubernetes send SIGTERM first) reaches the
whole process group:

* the worker (:func:`stop_signals` in :mod:`~opsnn_opt.study.worker._serve`) records why it is
  stopping; its supervisor then kills the simulation, fails the running trial and re-queues it;
* the simulation process ignores both (:func:`ignore_stop_signals`): its supervisor decides what
  happens to the trial, and kills it itself;
* ``study run`` (:mod:`~opsnn_opt.study.worker._local`) turns SIGTERM into the KeyboardInterrupt
  of a Ctrl-C, and stops its workers.

:func:`signal_reason` says why a simulation process ended from its exit code.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["STOP_SIGNALS", "ignore_stop_signals", "raise_interrupt", "signal_reason", "stop_reason", "stop_signals"]

#: The signals that stop a worker (and re-queue its trial).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_reason(signum: int) -> str:
    """The FAIL reason of a trial whose worker was stopped by ``signum``."""
    return f"worker stopped by {signal.Signals(signum).name}"


@contextmanager
def stop_signals(handler: Callable[[int], None], signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[None]:
    """Call ``handler(signum)`` on each of ``signals`` inside the block; the previous handlers
    come back after it. Outside the main thread (where Python cannot install handlers), nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: Any) -> None:
        handler(signum)

    previous = {s: signal.signal(s, on_signal) for s in signals}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def raise_interrupt(signum: int) -> None:
    """A :func:`stop_signals` handler that makes a signal a Ctrl-C."""
    raise KeyboardInterrupt


def ignore_stop_signals() -> None:
    """For the simulation process: its supervisor handles the stop signals (see the module)."""
    for s in STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)


def signal_reason(exitcode: int | None) -> str:
    """Why a child process ended, from its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = " (the OOM killer or another process sent it)" if -exitcode == signal.SIGKILL else ""
        return f"the simulation process was killed by {name}{why}"
    return f"the simulation process exited unexpectedly with code {exitcode}"
