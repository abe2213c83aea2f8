"""The ``opsnn`` command line: a thin layer over the library, one module per command group.

Every :class:`~opsnn_opt.errors.OpsnnError` becomes a one-line message and a non-zero exit code
(2 for bad input, 1 otherwise); ``--debug`` shows the traceback. A library error that names a
field is said in terms of the flag that sets it (:mod:`opsnn_opt.cli._errors`).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from opsnn_opt.cli import _bench, _cluster, _models, _plot, _plots_study, _run, _study, _trials, _worker
from opsnn_opt.cli._common import artifact_store_option, storage_options
from opsnn_opt.cli._errors import in_cli_terms
from opsnn_opt.errors import OpsnnError

__all__ = ["build_parser", "main", "main_entry"]


def build_parser() -> argparse.ArgumentParser:
    """The ``opsnn`` parser: every command group, in the order ``opsnn --help`` lists them."""
    from opsnn_opt._version import __version__

    parser = argparse.ArgumentParser(
        prog="opsnn", description="Optimise spiking network configurations with Optuna, PyNN and NEST."
    )
    parser.add_argument("--version", action="version", version=f"opsnn_opt {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    storage = storage_options()

    _run.add_command(sub)
    _models.add_commands(sub)  # models, metrics
    _study.add_commands(sub, storage)
    _bench.add_commands(sub, storage)
    _plot.add_commands(sub, storage)
    _trials.add_commands(sub, storage)  # fetch, rerun, dashboard
    _plots_study.add_map_command(sub, storage)
    _cluster.add_commands(sub, storage)  # slurm, proxy
    _worker.add_worker_command(sub, storage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from opsnn_opt._mask import install_log_masking, mask_secrets
    from opsnn_opt.store import check_environment

    install_log_masking()
    try:
        check_environment()
        with artifact_store_option(args):
            return args.func(args)
    except OpsnnError as exc:
        if args.debug:
            traceback.print_exc()
        message = in_cli_terms(str(exc), getattr(exc, "field", None))
        print(f"opsnn: error: {mask_secrets(message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("opsnn: interrupted", file=sys.stderr)
        return 130


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
