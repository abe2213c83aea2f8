"""Seed replicates: each trial runs its configuration ``k`` times with different seeds.

In a search space::

    replicates = 5
    vary = ["network", "input"]   # or one of them: which seeds change between replicates
    stop_if_worse_after = 2       # optional: after 2 replicates, stop a trial whose objective's
                                  # 95 % confidence interval lies wholly on the worse side of the best

Replicate 0 runs with the trial's own seeds, so ``replicates = 1`` is a plain trial; replicate
``r >= 1`` derives its seeds from the trial's seed and ``r`` (a hash), so a rerun reproduces them.
The objective is computed on the per-metric means.

Separate seeds need the model's help. ``seed`` seeds the simulator's generators, which on NEST
draw the connections of the ``balanced`` and ``brunel`` models *and* their Poisson input and
initial V_m: those models can only vary both. A model whose connectivity has its own seed names
the parameter in ``network_seed_param`` (``v1_sheet``: ``network_seed``, connections drawn with
numpy); then ``vary = ["network"]`` changes only that seed and ``vary = ["input"]`` only ``seed``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields

__all__ = [
    "REPLICATE_KEYS",
    "ReplicateSpec",
    "check_replicates",
    "load_replicates",
    "replicate_params",
    "replicate_stats",
    "replicate_seed",
]

VARY = ("network", "input")
MAX_REPLICATES = 1000
#: Search-space fields read here.
REPLICATE_KEYS = ("replicates", "vary", "stop_if_worse_after")


@dataclass(frozen=True)
class ReplicateSpec:
    """How many replicates a trial runs, which seeds change, and the early-stopping rule."""

    k: int = 1
    vary: tuple[str, ...] = VARY
    stop_if_worse_after: int | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.k == 1:
            return {}
        out: dict[str, Any] = {"replicates": self.k, "vary": list(self.vary)}
        if self.stop_if_worse_after is not None:
            out["stop_if_worse_after"] = self.stop_if_worse_after
        return out


def load_replicates(top: Fields, model: Any) -> ReplicateSpec:
    """Read and check the replicate fields of a search space against its model."""
    if not any(key in top for key in REPLICATE_KEYS):
        return ReplicateSpec()
    k_raw = top.get("replicates", 1)
    if isinstance(k_raw, bool) or not isinstance(k_raw, int) or not 1 <= k_raw <= MAX_REPLICATES:
        raise top.fail("replicates", f"a whole number in [1, {MAX_REPLICATES}]", k_raw)
    vary_raw = top.get("vary", list(VARY))
    if (
        not isinstance(vary_raw, list)
        or not vary_raw
        or any(v not in VARY for v in vary_raw)
        or len(set(vary_raw)) != len(vary_raw)
    ):
        raise top.fail("vary", 'a non-empty list of distinct "network", "input"', vary_raw)
    vary = tuple(v for v in VARY if v in vary_raw)
    seed_param = getattr(model, "network_seed_param", None)
    if vary != VARY and seed_param is None:
        raise ConfigError(
            f"{top.where}: vary = {vary_raw!r} needs separate seeds for the connectivity and the input, but "
            f"model {model.name} draws its connections, input and initial V_m from the simulator's generators, "
            f'seeded by one \'seed\'; use vary = ["network", "input"]'
        )
    stop = top.get("stop_if_worse_after", None)
    if stop is not None and (isinstance(stop, bool) or not isinstance(stop, int) or not 1 <= stop < k_raw):
        raise top.fail("stop_if_worse_after", f"a whole number in [1, replicates - 1 = {k_raw - 1}]", stop)
    return ReplicateSpec(k_raw, vary, stop)


def check_replicates(space: Any, objective: Any) -> None:
    """``stop_if_worse_after`` compares a trial with the best one: it needs a single objective."""
    n = len(objective.directions)
    if space.replicates.stop_if_worse_after is not None and n > 1:
        raise ConfigError(
            f"{space.source}: stop_if_worse_after compares a trial with the best one, which needs a single "
            f"objective; the objective {objective.source} has {n}"
        )


def replicate_seed(seed: int, stream: str, replicate: int) -> int:
    """A seed in [1, 2**31 - 1) derived from the trial's ``seed``, a stream name and the replicate."""
    digest = hashlib.sha256(f"{seed}:{stream}:{replicate}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % (2**31 - 2) + 1


def replicate_params(
    params: Mapping[str, Any], spec: ReplicateSpec, replicate: int, network_seed_param: str | None
) -> dict[str, Any]:
    """The parameter values of one replicate (replicate 0: the trial's own)."""
    out = dict(params)
    if replicate == 0:
        return out
    base = int(params.get("seed", 0))
    if network_seed_param is not None:
        # 0 means "the same as seed": pin it before seed changes, unless it varies itself.
        own = int(params.get(network_seed_param, 0)) or base
        vary_net = "network" in spec.vary
        out[network_seed_param] = replicate_seed(base, "network", replicate) if vary_net else own
        if "input" in spec.vary:
            out["seed"] = replicate_seed(base, "input", replicate)
    else:  # one seed for everything (vary is both, checked at load)
        out["seed"] = replicate_seed(base, "input", replicate)
    return out


def _t_975(dof: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, dof))


def replicate_stats(values: Sequence[Mapping[str, float]]) -> dict[str, dict[str, Any]]:
    """Per metric: ``mean``, ``std`` (ddof = 1), the 95 % confidence interval of the mean
    (Student's t) as ``ci95 = [low, high]``, and ``k``, the number of replicates where the
    metric was defined (a nan, e.g. the CV of a silent replicate, is left out).

    A metric defined in no replicate has mean nan and k 0; in one, std and ci95 are None.
    """
    names = list(dict.fromkeys(name for v in values for name in v))
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        x = np.array([v.get(name, math.nan) for v in values], dtype=float)
        x = x[np.isfinite(x)]
        k = int(x.size)
        mean = float(x.mean()) if k else math.nan
        if k >= 2:
            std = float(x.std(ddof=1))
            half = _t_975(k - 1) * std / math.sqrt(k)
            stats = {"mean": mean, "std": std, "ci95": [mean - half, mean + half], "k": k}
        else:
            stats = {"mean": mean, "std": None, "ci95": None, "k": k}
        out[name] = stats
    return out
