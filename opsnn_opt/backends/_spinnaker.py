"""SpiNNaker through sPyNNaker (``spynnaker.pyNN``), imported on first use.

Configuration. sPyNNaker reads its settings from ``spynnaker.cfg`` in the current directory,
after a "user" file ``.spynnaker.cfg`` that it looks for in ``/etc/xdg``, ``$XDG_CONFIG_HOME``
(default ``~/.config``) and ``~``; if it finds none, it writes one into the home directory and
stops. This backend never lets that happen and never writes outside the run folder:

* it writes ``RUN/spinnaker/spynnaker.cfg`` (the settings below) and calls ``setup`` with the
  working directory there, then restores it; reports and sPyNNaker's log go to
  ``RUN/spinnaker/`` as well;
* if no user file exists, it points ``XDG_CONFIG_HOME`` at ``RUN/spinnaker/user`` (holding an
  empty ``.spynnaker.cfg``) for the duration of ``setup``, then restores it.

Which machine. By default a virtual board: ``virtual_board = True`` with ``version = 5`` (one
48-chip SpiNN-5 board). sPyNNaker then maps the network (partitioning, placement, routing, data
generation) but runs nothing, so a run reports the resources it would use and no data: the
pipeline marks every metric unavailable, with the reason, and never reports the zeros of the
empty recording. A real machine is used when a config names one: ``machineName`` (with
``version``) or ``spalloc_server`` (with ``spalloc_user``), in the file that the
``OPSNN_SPINNAKER_CFG`` environment variable (or the ``config`` argument) points to, or in the
user's own ``~/.spynnaker.cfg``. The ``OPSNN_SPINNAKER_CFG`` file is merged into the run's
``spynnaker.cfg`` (its values win), so any other sPyNNaker option can be set there too.

Constraints are checked before anything is built (:meth:`SpinnakerBackend.check_model`): a time
step of at least 0.1 ms, delays that are whole multiples of the time step between one step and
:data:`MAX_DELAY_STEPS` steps, synaptic rows of at most :data:`MAX_ROW_SYNAPSES` synapses (as
sPyNNaker estimates them from the model's :meth:`~opsnn_opt.models.Model.connection_rules`), and
only the cell types sPyNNaker implements (:data:`CELL_TYPES`); a cell type it lacks is also
reported by name when a model asks for it.

Randomness. sPyNNaker generates connections on the machine with its own generators and does not
take the run's ``seed``; seeded host generators (e.g. for initial V_m) are accepted with a
warning (``error_on_non_spynnaker_pynn = False``). The module that ``setup`` returns bridges the
rest of the differences from PyNN on NEST (``NativeRNG``, assemblies; see
:mod:`opsnn_opt.backends._spinnaker_pynn`).
"""

from __future__ import annotations

import configparser
import contextlib
import importlib
import math
import os
import tempfile
import time
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsnn_opt.backends._base import Backend
from opsnn_opt.backends._spinnaker_pynn import CELL_TYPES, spinnaker_pynn
from opsnn_opt.errors import ConfigError, SimulationError

if TYPE_CHECKING:
    from opsnn_opt.models import ConnectionRule, Model

__all__ = [
    "CELL_TYPES",
    "MAX_DELAY_STEPS",
    "MAX_ROW_SYNAPSES",
    "MIN_TIMESTEP_MS",
    "NEURONS_PER_CORE",
    "SpinnakerBackend",
    "row_synapses",
]

#: Shortest time step sPyNNaker runs in real time (ms).
MIN_TIMESTEP_MS = 0.1
#: Longest delay in time steps: 16 on the neuron core x (1 + 8 delay-extension stages), as
#: ``spynnaker.pyNN.get_max_delay`` documents ("most likely value is timestep * 144").
MAX_DELAY_STEPS = 144
#: Longest synaptic row: the synapses from one source cell onto one core of target cells
#: (``POP_TABLE_MAX_ROW_LENGTH`` in ``spynnaker.pyNN.utilities.constants``; one word per static
#: synapse). Longer rows raise ``SynapseRowTooBigException`` during mapping.
MAX_ROW_SYNAPSES = 256
#: Target cells per core of a neuron population: sPyNNaker's default for every neuron model
#: (``DEFAULT_MAX_ATOMS_PER_CORE`` in ``abstract_pynn_neuron_model``).
NEURONS_PER_CORE = 256
#: Environment variable naming a config file merged into every run's ``spynnaker.cfg``.
CONFIG_ENV = "OPSNN_SPINNAKER_CFG"

_DEFAULTS: dict[str, dict[str, str]] = {
    "Machine": {"virtual_board": "True", "version": "5"},
    "Logging": {"instantiate": "False", "default": "warning"},
    "Simulation": {"error_on_non_spynnaker_pynn": "False"},
}
_MACHINE_KEYS = ("machine_name", "machinename", "spalloc_server")


def _user_config_files() -> list[Path]:
    """The user files sPyNNaker would read (its ``_user_cfg`` locations) that exist."""
    import appdirs

    places = [Path(appdirs.site_config_dir()), Path(appdirs.user_config_dir()), Path.home()]
    return [p / ".spynnaker.cfg" for p in places if (p / ".spynnaker.cfg").is_file()]


def _names_machine(cfg: configparser.ConfigParser) -> bool:
    if not cfg.has_section("Machine"):
        return False
    return any(cfg.get("Machine", k, fallback="None").strip() not in ("", "None") for k in _MACHINE_KEYS)


def row_synapses(rule: ConnectionRule) -> int:
    """The longest synaptic row sPyNNaker will reserve for ``rule``, as it estimates it.

    sPyNNaker sizes a row (one source cell onto one core of at most :data:`NEURONS_PER_CORE`
    target cells) before it draws any connection, as the count that a binomial draw exceeds with
    a chance of 1e-4 (fixed probability) or, for a fixed in-degree, first over all targets and
    then within a core (chances 1e-4 and 1e-5), each divided by ``n_pre x n_post``. The same
    formulas are used here (``get_n_connections_from_pre_vertex_maximum`` of its
    ``FixedProbabilityConnector`` and ``FixedNumberPreConnector``, sPyNNaker 7.4).
    """
    from scipy.stats import binom

    pairs = rule.n_pre * rule.n_post
    per_core = min(NEURONS_PER_CORE, rule.n_post)
    if rule.rule == "fixed_probability":
        return int(math.ceil(binom.ppf(1.0 - 1e-4 / pairs, per_core, rule.value)))
    from_one = binom.ppf(1.0 - 1e-4 / pairs, int(rule.value) * rule.n_post, 1.0 / rule.n_pre)
    return int(math.ceil(binom.ppf(1.0 - 1e-5 / pairs, from_one, min(per_core / rule.n_post, 1.0))))


def _read_cfg(path: Path) -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8") as f:
            cfg.read_file(f)
    except (OSError, configparser.Error) as exc:
        raise ConfigError(f"cannot read the SpiNNaker config {str(path)!r}: {exc}") from exc
    return cfg


class SpinnakerBackend(Backend):
    """Runs models with sPyNNaker: on a virtual board by default (mapping only), else on a machine.

    Parameters
    ----------
    config
        A sPyNNaker config file merged into every run's ``spynnaker.cfg``; default: the file
        named by ``$OPSNN_SPINNAKER_CFG``, if set.
    """

    name = "spinnaker"

    def __init__(self, config: str | Path | None = None) -> None:
        given = config if config is not None else os.environ.get(CONFIG_ENV) or None
        self.config_path = Path(given) if given else None
        self._module: types.ModuleType | None = None
        self._sim: types.ModuleType | None = None
        self._folder: Path | None = None
        self._virtual = True
        self._mapping_s: float | None = None
        self._resources: dict[str, Any] = {}

    # -- checks ------------------------------------------------------------------------------

    def check_model(self, model: Model, params: Mapping[str, Any], timestep_ms: float, where: str) -> None:
        if timestep_ms < MIN_TIMESTEP_MS:
            raise ConfigError(
                f"{where}: the spinnaker backend needs timestep_ms >= {MIN_TIMESTEP_MS:g} ms; got {timestep_ms:g}"
            )
        model.check_timestep(params, timestep_ms, where)
        delays = model.delays_ms(params)
        if delays is not None:
            name, value = model.delay_param, float(params[model.delay_param])
            if not math.isclose(value / timestep_ms, round(value / timestep_ms), abs_tol=1e-6):
                raise ConfigError(
                    f"{where}: on spinnaker {name} must be a whole multiple of the time step "
                    f"({timestep_ms:g} ms); got {value:g}"
                )
            longest = MAX_DELAY_STEPS * timestep_ms
            if delays[1] > longest + 1e-9:
                raise ConfigError(
                    f"{where}: on spinnaker delays must be <= {MAX_DELAY_STEPS} time steps (= {longest:g} ms at "
                    f"{timestep_ms:g} ms), but {model.name} would use up to {delays[1]:.4g} ms with these parameters"
                )
        for rule in model.connection_rules(params):
            row = row_synapses(rule)
            if row > MAX_ROW_SYNAPSES:
                raise ConfigError(
                    f"{where}: on spinnaker a synaptic row (one source cell onto one core of "
                    f"{min(NEURONS_PER_CORE, rule.n_post)} target cells) holds at most {MAX_ROW_SYNAPSES} synapses, "
                    f"but {model.name}'s {rule.name} connections ({rule.rule} {rule.value:g}, {rule.n_pre} -> "
                    f"{rule.n_post} cells) need rows of up to {row} synapses with these parameters; "
                    f"use fewer connections per cell or more cells"
                )
        missing = [c for c in model.cell_types(params) if c not in CELL_TYPES]
        if missing:
            raise ConfigError(
                f"{where}: {model.name} uses {', '.join(missing)}, which the spinnaker backend lacks; "
                f"valid cell types are: {', '.join(CELL_TYPES)}"
            )

    # -- configuration -----------------------------------------------------------------------

    def use_folder(self, path: Path) -> None:
        self._folder = Path(path) / "spinnaker"

    def write_config(self, folder: Path) -> Path:
        """Write ``folder/spynnaker.cfg`` and return its path; decides virtual board or machine."""
        cfg = configparser.ConfigParser()
        cfg.optionxform = str  # keep sPyNNaker's option names as written
        for section, values in _DEFAULTS.items():
            cfg[section] = dict(values)
        cfg["Reports"] = {"default_report_file_path": str(folder / "reports")}
        user = [_read_cfg(p) for p in _user_config_files()]
        if self.config_path is not None and not self.config_path.is_file():
            raise ConfigError(f"{CONFIG_ENV}: no SpiNNaker config file at {str(self.config_path)!r}")
        extra = _read_cfg(self.config_path) if self.config_path is not None else None
        self._virtual = not any(_names_machine(c) for c in [*user, *([extra] if extra else [])])
        if not self._virtual:
            del cfg["Machine"]
        if extra is not None:
            for section in extra.sections():
                if not cfg.has_section(section):
                    cfg.add_section(section)
                for key, value in extra.items(section):
                    cfg.set(section, key, value)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "spynnaker.cfg"
        with open(path, "w", encoding="utf-8") as f:
            f.write("# Written by opsnn_opt for this run (see opsnn_opt/backends/_spinnaker.py).\n")
            cfg.write(f)
        return path

    @contextlib.contextmanager
    def _inside(self, folder: Path, user_placeholder: bool = False) -> Iterator[None]:
        """cwd = the run's folder, sPyNNaker's chatter into its log; both restored after."""
        old_cwd, old_xdg = os.getcwd(), os.environ.get("XDG_CONFIG_HOME")
        if user_placeholder:
            user = folder / "user"
            user.mkdir(exist_ok=True)
            (user / ".spynnaker.cfg").write_text("# Empty: opsnn_opt keeps sPyNNaker's user config out of $HOME.\n")
            os.environ["XDG_CONFIG_HOME"] = str(user)
        try:
            with (
                open(folder / "spinnaker.log", "a", encoding="utf-8") as log,
                contextlib.redirect_stdout(log),
                contextlib.redirect_stderr(log),
            ):
                os.chdir(folder)
                yield
        finally:
            os.chdir(old_cwd)
            if user_placeholder:
                if old_xdg is None:
                    os.environ.pop("XDG_CONFIG_HOME", None)
                else:
                    os.environ["XDG_CONFIG_HOME"] = old_xdg

    # -- Backend -----------------------------------------------------------------------------

    @property
    def module(self) -> types.ModuleType:
        if self._module is None:
            try:
                self._module = importlib.import_module("spynnaker.pyNN")
            except ImportError as exc:
                raise SimulationError(
                    f"the spinnaker backend needs sPyNNaker (pip install 'opsnn_opt[spinnaker]'): {exc}"
                ) from exc
        return self._module

    def setup(
        self, *, timestep_ms: float, seed: int, delays_ms: tuple[float, float] | None = None, threads: int = 1
    ) -> types.ModuleType:
        # sPyNNaker sets its own delay range from the time step (checked in check_model) and has
        # no threads: each core runs its neurons.
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="opsnn-spinnaker-"))
        folder = self._folder
        self.write_config(folder)
        module = self.module
        self._mapping_s, self._resources = None, {}
        with self._inside(folder, user_placeholder=not _user_config_files()):
            module.setup(timestep=timestep_ms)
        self._sim = spinnaker_pynn(module)
        return self._sim

    def run(self, duration_ms: float) -> None:
        assert self._folder is not None
        t0 = time.perf_counter()
        with self._inside(self._folder):
            self.module.run(duration_ms)
        if self._mapping_s is None:  # the first run maps; later ones only run
            self._mapping_s = time.perf_counter() - t0
            self._resources = self._read_resources()

    def end(self) -> None:
        if self._sim is None:
            return
        assert self._folder is not None
        with self._inside(self._folder):
            self.module.end()
        self._sim = None

    def _read_resources(self) -> dict[str, Any]:
        from spynnaker.pyNN.data import SpynnakerDataView as view

        placements = list(view.iterate_placemements())
        # Cores of the network (populations, sources, delay extensions); the rest are the
        # monitors and packet gatherers sPyNNaker puts on every chip.
        network = [p for p in placements if p.vertex.app_vertex is not None]
        out: dict[str, Any] = {
            "virtual_board": self._virtual,
            "chips_used": len({(p.x, p.y) for p in network}),
            "cores_used": len(network),
            "system_cores": len(placements) - len(network),
            "mapping_s": self._mapping_s,
        }
        if view.has_machine():
            machine = view.get_machine()
            out.update(machine_chips=machine.n_chips, machine_cores=machine.total_available_user_cores)
        return out

    @property
    def data_unavailable(self) -> str | None:
        if not self._virtual:
            return None
        return (
            "virtual SpiNNaker board: sPyNNaker mapped the network but ran nothing, so there are no spikes; "
            f"name a machine (machineName or spalloc_server) in ${CONFIG_ENV} to get data"
        )

    def resources(self) -> dict[str, Any]:
        return dict(self._resources)

    def versions(self) -> dict[str, str]:
        import pyNN
        import spynnaker

        return {"pynn": pyNN.__version__, "spynnaker": str(spynnaker.__version__)}
