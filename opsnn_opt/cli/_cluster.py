"""``opsnn slurm`` and ``opsnn proxy``."""

from __future__ import annotations

import argparse
from typing import Any

from opsnn_opt._argtypes import port_number, positive_int

__all__ = ["add_commands"]


def cmd_slurm(args: argparse.Namespace) -> int:
    from opsnn_opt.cluster import sbatch_script, write_sbatch_script

    text = sbatch_script(
        args.name,
        args.workers,
        time_limit=args.time,
        threads=args.threads,
        signal_s=args.signal_s,
        partition=args.partition,
        log_dir=args.log_dir,
    )
    out = args.out or f"opsnn-{args.name}.sbatch"
    path = write_sbatch_script(out, text)
    print(f"wrote {path}: {args.workers} workers as an array job; submit it with: sbatch {out}")
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:
    from opsnn_opt.cluster import serve_proxy

    serve_proxy(args.storage, args.host, args.port)
    return 0


def add_commands(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``slurm`` and ``proxy`` to the top-level subparsers."""
    p = sub.add_parser("slurm", help="write an sbatch script that runs K workers of a study as an array job")
    p.add_argument("name")
    p.add_argument("--workers", type=positive_int, required=True)
    p.add_argument("--time", default="24:00:00", help="each task's time limit (SLURM format; default 24:00:00)")
    p.add_argument("--threads", type=positive_int, default=1, help="CPUs per task (default 1)")
    p.add_argument("--signal-s", type=positive_int, default=120, help="SIGTERM this long before the time limit")
    p.add_argument("--partition")
    p.add_argument("--log-dir", default="slurm-logs")
    p.add_argument("--out", help="script file (default opsnn-NAME.sbatch)")
    p.set_defaults(func=cmd_slurm)

    p = sub.add_parser(
        "proxy", parents=[storage], help="serve the store's Optuna storage over gRPC, for hundreds of workers"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=13000)
    p.set_defaults(func=cmd_proxy)
