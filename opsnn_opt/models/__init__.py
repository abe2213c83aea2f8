"""Network models. Each declares its parameters once and builds itself with a PyNN module.

The built-ins are in ``MODELS``; :func:`get_model` also finds installed plug-ins (entry-point
group ``opsnn_opt.models``) and ``package.module:Class`` references. Model code connects cells
through the simulator-neutral helpers of :mod:`opsnn_opt.models.connectors`, and wire a
stimulus (:mod:`opsnn_opt.stimuli`, numpy spikes) onto their cells with :func:`add_stimulus`.
"""

from __future__ import annotations

from opsnn_opt.models import connectors
from opsnn_opt.models._balanced import BALANCED_CELL_PARAMS, Balanced
from opsnn_opt.models._base import ConnectionRule, Model, Network
from opsnn_opt.models._brunel import Brunel
from opsnn_opt.models._native import NativePaths, native_paths, register_native_paths
from opsnn_opt.models._plugins import (
    ENTRY_POINT_GROUP,
    MODELS,
    ModelEntry,
    available_models,
    check_model_class,
    get_model,
    model_reference,
)
from opsnn_opt.models._stimulus import add_stimulus, poisson_background, spike_source_array
from opsnn_opt.models._v1_sheet import V1Sheet

__all__ = [
    "BALANCED_CELL_PARAMS",
    "ENTRY_POINT_GROUP",
    "MODELS",
    "Balanced",
    "Brunel",
    "ConnectionRule",
    "Model",
    "ModelEntry",
    "NativePaths",
    "Network",
    "V1Sheet",
    "add_stimulus",
    "available_models",
    "check_model_class",
    "connectors",
    "get_model",
    "model_reference",
    "native_paths",
    "poisson_background",
    "register_native_paths",
    "spike_source_array",
]
