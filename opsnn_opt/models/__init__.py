"""Network models. Each declares its parameters once and builds itself with a PyNN module.

The built-ins are in ``MODELS``; :func:`get_model` also finds installed plug-ins (entry-point
group ``opsnn_opt.models``) and ``package.module:Class`` references. Model code connects cells
through the simulator-neutral helpers of :mod:`opsnn_opt.models.connectors`.
"""

from __future__ import annotations

from opsnn_opt.models import connectors
from opsnn_opt.models._base import ConnectionRule, Model, Network
from opsnn_opt.models._plugins import (
    ENTRY_POINT_GROUP,
    MODELS,
    ModelEntry,
    available_models,
    check_model_class,
    get_model,
    model_reference,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "MODELS",
    "ConnectionRule",
    "Model",
    "ModelEntry",
    "Network",
    "available_models",
    "check_model_class",
    "connectors",
    "get_model",
    "model_reference",
]
