"""Network models. Each declares its parameters once and builds itself with a PyNN module."""

from __future__ import annotations

from opsnn_opt.errors import ConfigError
from opsnn_opt.models._balanced import Balanced
from opsnn_opt.models._base import Model, Network
from opsnn_opt.models._brunel import Brunel
from opsnn_opt.models._faulty import Faulty
from opsnn_opt.models._v1_sheet import V1Sheet

__all__ = ["MODELS", "Model", "Network", "get_model"]

MODELS: dict[str, type[Model]] = {cls.name: cls for cls in (Balanced, Brunel, V1Sheet, Faulty)}


def get_model(name: str, where: str = "model") -> Model:
    """Return the model called ``name``; the error lists the valid names."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ConfigError(f"{where}: unknown model {name!r}; valid models are: {', '.join(MODELS)}") from None
