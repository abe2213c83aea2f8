"""A model for fault-injection tests and ``opsnn bench chaos``: the ``balanced`` network whose
build can first sleep, allocate memory or raise a signal in its own process.

It is not listed among the models: name it by reference, ``model =
"opsnn_opt.models._faulty:Faulty"`` (:data:`FAULTY`). Use it only in a supervised worker
(``opsnn worker``), whose simulation process absorbs the fault; ``opsnn run`` with
``--set build_signal=11`` crashes the command itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from opsnn_opt.models._balanced import Balanced
from opsnn_opt.models._base import Network
from opsnn_opt.params import Param, ParamTable

__all__ = ["FAULTY", "Faulty"]

#: The reference that names this model in a search space.
FAULTY = "opsnn_opt.models._faulty:Faulty"

#: Memory held by the last build (released by the next build of this process).
_HELD: list[bytearray] = []


class Faulty(Balanced):
    name = "faulty"
    summary = "balanced network whose build may sleep, allocate or raise a signal first (fault-injection tests)"
    params = ParamTable(
        *Balanced.params.values(),
        Param("build_sleep_s", "s", 0.0, 0.0, 86400.0, "seconds to sleep before building (a hung trial)"),
        Param("build_alloc_mb", "MB", 0.0, 0.0, 1e6, "memory to allocate and touch before building (MB)"),
        Param(
            "build_signal", "", 0, 0, 64, "signal the build sends its own process (11: SIGSEGV; 0: none)", kind="int"
        ),
    )

    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        _HELD.clear()
        if params["build_alloc_mb"] > 0:
            block = bytearray(int(params["build_alloc_mb"] * 1024 * 1024))
            block[::4096] = b"\1" * len(block[::4096])  # touch every page, so it is resident
            _HELD.append(block)
        if params["build_signal"]:
            os.kill(os.getpid(), int(params["build_signal"]))
            time.sleep(1.0)  # a signal that does not kill at once still stops this build here
        if params["build_sleep_s"] > 0:
            time.sleep(params["build_sleep_s"])
        return super().build(sim, params)
