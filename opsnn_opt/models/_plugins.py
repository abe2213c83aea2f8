"""Finding a model by name: the built-ins, installed plug-ins, or ``package.module:Class``.

A plug-in model is a subclass of :class:`~opsnn_opt.models.Model` with the parts a built-in has:
``params`` (a :class:`~opsnn_opt.params.ParamTable`), ``populations`` and ``build(sim, params)``
returning a :class:`~opsnn_opt.models.Network`. It is named

* by reference, ``"my_pkg.nets:RingV1"`` (or ``"path/to/script.py:RingV1"``), in a search space
  or as ``opsnn run my_pkg.nets:RingV1``; the reference is the model's name in runs and studies;
* by a short name that an installed package registers in the entry-point group
  ``opsnn_opt.models`` (``ring = "my_pkg.nets:RingV1"``).

Plug-ins go through everything built-ins go through: parameter validation, the backends'
checks, the fast connectors (through :mod:`opsnn_opt.models.connectors`), recorded positions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from opsnn_opt._plugins import entry_point_origin, entry_points, import_object, one_line, reference_of
from opsnn_opt.errors import ConfigError, SimulationError
from opsnn_opt.models._balanced import Balanced
from opsnn_opt.models._base import Model, Network
from opsnn_opt.models._brunel import Brunel
from opsnn_opt.models._v1_sheet import V1Sheet
from opsnn_opt.params import Choice, Param, ParamTable, Text

__all__ = [
    "ENTRY_POINT_GROUP",
    "MODELS",
    "ModelEntry",
    "available_models",
    "check_model_class",
    "get_model",
    "model_reference",
]

#: The entry-point group in which installed packages register models.
ENTRY_POINT_GROUP = "opsnn_opt.models"
#: The built-in models by name.
MODELS: dict[str, type[Model]] = {cls.name: cls for cls in (Balanced, Brunel, V1Sheet)}


@dataclass(frozen=True)
class ModelEntry:
    """A model that ``opsnn models`` lists.

    Attributes
    ----------
    name
        The name to use (``"balanced"``, an entry point's name).
    origin
        ``"built-in"`` or ``"<package> <version> (entry point <module:Class>)"``.
    model
        The model, or None if the plug-in is broken.
    error
        Why a broken plug-in cannot be used, on one line.
    """

    name: str
    origin: str
    model: Model | None
    error: str | None = None


def check_model_class(obj: Any, ref: str, where: str) -> type[Model]:
    """Raise a one-line :class:`ConfigError` unless ``obj`` is a usable model class."""
    label = f"{where}: model {ref!r}"
    if not isinstance(obj, type) or not issubclass(obj, Model):
        raise ConfigError(f"{label} must be a subclass of opsnn_opt.models.Model; got {obj!r}")
    params = getattr(obj, "params", None)
    if not isinstance(params, ParamTable):
        raise ConfigError(
            f"{label} has no parameter table: set the class attribute params = ParamTable(Param(...), ...); "
            f"got params = {params!r}"
        )
    bad = [name for name, p in params.items() if not isinstance(p, (Param, Choice, Text))]
    if bad:
        raise ConfigError(
            f"{label} has a malformed parameter table: {', '.join(bad)} must be Param, Choice or Text entries"
        )
    pops = getattr(obj, "populations", None)
    if (
        not isinstance(pops, tuple)
        or not pops
        or not all(isinstance(p, str) and p.isidentifier() for p in pops)
        or len(set(pops)) != len(pops)
        or "all" in pops
    ):
        raise ConfigError(
            f"{label}: populations must be a non-empty tuple of distinct names (identifiers, not 'all'); "
            f"got populations = {pops!r}"
        )
    if getattr(obj.build, "__isabstractmethod__", False):
        raise ConfigError(f"{label} does not implement build(sim, params) -> Network")
    return obj


def _checked_build(model: Model, ref: str) -> Callable[[ModuleType, Mapping[str, Any]], Network]:
    build = model.build

    def checked(sim: ModuleType, params: Mapping[str, Any]) -> Network:
        try:
            network = build(sim, params)
        except Exception as exc:
            # PyNN on NEST reports a delay outside the kernel's range as "StaticSynapse is not
            # available"; the range comes from the model's declaration, so say so.
            if type(exc).__name__ == "NoModelAvailableError" or "delay" in str(exc).lower():
                raise SimulationError(
                    f"model {ref!r}: build(sim, params) failed: {one_line(exc)}; every delay must lie within "
                    f"delays_ms(params) = {model.delays_ms(params)} ms, which sets the simulator's minimum and "
                    "maximum delay (override delays_ms to cover inputs and stimuli too)"
                ) from exc
            raise
        if not isinstance(network, Network):
            raise ConfigError(
                f"model {ref!r}: build(sim, params) must return an opsnn_opt.models.Network; "
                f"got {type(network).__name__}"
            )
        if set(network.populations) != set(model.populations):
            raise ConfigError(
                f"model {ref!r}: build(sim, params) returned the populations {', '.join(network.populations)}, "
                f"but the class declares populations = {tuple(model.populations)!r}"
            )
        return network

    return checked


def _plugin(cls: type[Model], name: str) -> Model:
    model = cls()
    model.name = name  # type: ignore[misc]  # the name that runs and studies store
    if not getattr(cls, "summary", None):
        model.summary = ((cls.__doc__ or "").strip().splitlines() or [cls.__name__])[0]  # type: ignore[misc]
    model.build = _checked_build(model, name)  # type: ignore[method-assign]
    return model


def _load_entry_point(ep: Any, where: str) -> Model:
    label = f"{where}: model {ep.name!r} (entry point {ep.value!r} of {entry_point_origin(ep)})"
    if ep.name in MODELS:
        raise ConfigError(f"{label}: the name clashes with the built-in model {ep.name!r}; register another name")
    try:
        obj = ep.load()
    except Exception as exc:
        raise ConfigError(f"{label} cannot be imported: {one_line(exc)}") from exc
    return _plugin(check_model_class(obj, ep.value, where), ep.name)


def get_model(name: str, where: str = "model") -> Model:
    """The model called ``name``: a built-in, an installed plug-in, or ``module:Class``.

    Raises
    ------
    ConfigError
        One line naming ``where``, the model and what to do: the valid names for an unknown one,
        what to install or put on ``PYTHONPATH`` for a module that cannot be imported.
    """
    if name in MODELS:
        return MODELS[name]()
    if ":" in name:
        return _plugin(check_model_class(import_object(name, "model", where), name, where), name)
    for ep in entry_points(ENTRY_POINT_GROUP):
        if ep.name == name:
            return _load_entry_point(ep, where)
    known = [*MODELS, *(ep.name for ep in entry_points(ENTRY_POINT_GROUP))]
    raise ConfigError(
        f"{where}: unknown model {name!r}; valid models are: {', '.join(known)}, "
        "or a plug-in named 'package.module:Class'"
    )


def available_models() -> list[ModelEntry]:
    """The built-in models, then every installed plug-in; a broken plug-in is listed with its error."""
    out = [ModelEntry(name, "built-in", cls()) for name, cls in MODELS.items()]
    for ep in entry_points(ENTRY_POINT_GROUP):
        origin = f"{entry_point_origin(ep)} (entry point {ep.value})"
        try:
            out.append(ModelEntry(ep.name, origin, _load_entry_point(ep, "entry point")))
        except ConfigError as exc:
            out.append(ModelEntry(ep.name, origin, None, str(exc)))
    return out


def model_reference(model: str | type[Model]) -> str:
    """The name under which a model is stored: a name as given, a built-in's name, or a
    plug-in class's ``module:Class`` reference."""
    if isinstance(model, str):
        return model
    builtin = {cls: name for name, cls in MODELS.items()}
    if model in builtin:
        return builtin[model]
    for ep in entry_points(ENTRY_POINT_GROUP):
        if ep.value == f"{model.__module__}:{model.__qualname__}":
            return ep.name
    return reference_of(model)
