"""A plug-in whose parameter table cannot even be built: a default outside its range."""

from __future__ import annotations

from opsnn_opt.models import Model
from opsnn_opt.params import Param, ParamTable


class OutOfRange(Model):
    populations = ("exc",)
    params = ParamTable(Param("n", "", 50, 1, 10, "cells", kind="int"))

    def build(self, sim, params):
        raise AssertionError("never built")
