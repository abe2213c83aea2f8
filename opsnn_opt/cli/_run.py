"""``opsnn run MODEL``: one configuration built, simulated, written and analysed."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opsnn_opt.cli._common import format_params, print_json
from opsnn_opt.errors import ConfigError

__all__ = ["add_command"]


def _parse_sets(items: Sequence[str]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set must be NAME=VALUE; got {item!r}")
        values[name.strip()] = value.strip()
    return values


def _state_line(d: dict[str, Any]) -> str:
    """``AI (exc AI, inh quiescent); tau_ref 5 ms (model)`` from a result's JSON."""
    notes = {"network_state.undetermined", "network_state.tau_ref"}
    pops = [f"{k.partition('.')[2]} {v}" for k, v in d.items() if k.startswith("network_state.") and k not in notes]
    line = d["network_state"] + (f" ({', '.join(pops)})" if pops else "")
    if "network_state.undetermined" in d:
        line += f"; {d['network_state.undetermined']} could not be computed"
    return line + (f"; tau_ref {d['network_state.tau_ref']}" if "network_state.tau_ref" in d else "")


def cmd_run(args: argparse.Namespace) -> int:
    from opsnn_opt.pipeline import RunSpec, run

    spec = RunSpec.create(
        args.model,
        _parse_sets(args.set),
        backend=args.backend,
        simtime_ms=args.simtime,
        results_format=args.format,
        chunk_ms=args.chunk,
        threads=args.threads,
        settings_where="--simtime/--chunk/--threads",
    )
    out = Path(args.out) if args.out else Path("storage") / "runs" / f"{spec.model}-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run(spec, out)
    d = result.as_dict()
    if args.json:
        print_json(d)
        return 0
    print(f"{spec.model} on {spec.backend}, {spec.simtime_ms:g} ms, seed {spec.seed}")
    print("params:  " + format_params(spec.params, "g"))
    print("metrics:")
    for name, value in d["metrics"].items():
        print(f"  {name:24s} {'nan' if value is None else f'{value:.4g}'}")
    if "network_state" in d:
        print(f"state:   {_state_line(d)}")
    print(
        "timings: "
        + ", ".join(f"{k}={v:.3f}" for k, v in d["timings"].items())
        + f"; peak RSS {d['peak_rss_mb']:.0f} MB"
    )
    print(f"results: {d['results_path']}")
    return 0


def add_command(sub: Any) -> None:
    """Add ``run`` to the top-level subparsers."""
    from opsnn_opt.pipeline import RUN_SETTINGS

    p = sub.add_parser("run", help="run one configuration: build, simulate, write, analyse")
    p.add_argument("model")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a model parameter")
    p.add_argument(
        "--simtime",
        type=float,
        default=None,
        metavar="MS",
        help=f"simulated time (ms); default {RUN_SETTINGS['simtime_ms'].default:g}",
    )
    p.add_argument(
        "--chunk",
        type=float,
        default=None,
        metavar="MS",
        help=f"simulate in chunks of MS (default {RUN_SETTINGS['chunk_ms'].default:g})",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="NEST threads for this run (local_num_threads; default 1)",
    )
    p.add_argument("--backend", default="nest")
    p.add_argument("--format", default="nix", help="results file format: nix, neo-nix or pickle")
    p.add_argument("--out", help="results folder (default ./storage/runs/MODEL-TIME)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_run)
