"""``opsnn bench ...``: each benchmark prints one JSON object and is recorded in the store.

A benchmark module provides ``add_parser(subparsers, parents)``, which sets two defaults on its
parser: ``bench(args) -> dict`` (the figures, with a ``ratios`` object measured in the same run)
and ``bench_settings(args) -> dict``. List the module in :data:`BENCH_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

__all__ = ["BENCH_MODULES", "add_commands"]

BENCH_MODULES: tuple[str, ...] = (
    "opsnn_opt.bench._io",
    "opsnn_opt.bench._analysis",
    "opsnn_opt.bench._scan",
    "opsnn_opt.bench._overhead",
    "opsnn_opt.bench._seed",
    "opsnn_opt.bench._brunel",
    "opsnn_opt.bench._workers",
    "opsnn_opt.bench._efficiency",
    "opsnn_opt.bench._prune",
    "opsnn_opt.bench._noise",
    "opsnn_opt.bench._chaos",
    "opsnn_opt.bench._throughput",
)


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return [item for k, v in obj.items() for item in _flatten(v, f"{prefix}{k}.")]
    return [(prefix[:-1], obj)]


def cmd_bench(args: argparse.Namespace) -> int:
    from opsnn_opt.store import Store

    store = None if args.no_record else Store(args.storage)  # a bad store fails before the benchmark
    result = args.bench(args)
    if store is not None:
        store.record_bench(args.bench_command, args.bench_settings(args), result)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        for key, value in _flatten(result):
            print(f"{key:48s} {value:.4g}" if isinstance(value, float) else f"{key:48s} {value}")
    return 0


def add_commands(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add the ``bench`` command group to the top-level subparsers."""
    common = argparse.ArgumentParser(add_help=False, parents=[storage])
    common.add_argument("--json", action="store_true", help="print one JSON object")
    common.add_argument("--no-record", action="store_true", help="do not keep the result in the store")
    bench = sub.add_parser("bench", help="benchmarks that print JSON with ratios measured in the same run")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    for module in BENCH_MODULES:
        importlib.import_module(module).add_parser(bench_sub, [common])
    bench.set_defaults(func=cmd_bench)
