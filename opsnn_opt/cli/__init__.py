"""The ``opsnn`` command line: a thin layer over the library.

Every :class:`~opsnn_opt.errors.OpsnnError` becomes a one-line message and a non-zero exit code
(2 for bad input, 1 otherwise); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError, OpsnnError

__all__ = ["main"]


def _parse_sets(items: Sequence[str]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set must be NAME=VALUE; got {item!r}")
        values[name.strip()] = value.strip()
    return values


def _format_params(params: dict[str, Any], number_format: str) -> str:
    """``name=value, ...``; text parameters (a stimulus kind, a path) as they are."""
    return ", ".join(f"{k}={v}" if isinstance(v, str) else f"{k}={v:{number_format}}" for k, v in params.items())


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, sort_keys=False, default=str))


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
        _print_json(d)
        return 0
    print(f"{spec.model} on {spec.backend}, {spec.simtime_ms:g} ms, seed {spec.seed}")
    print("params:  " + _format_params(spec.params, "g"))
    print("metrics:")
    for name, value in d["metrics"].items():
        print(f"  {name:24s} {'nan' if value is None else f'{value:.4g}'}")
    print(
        "timings: "
        + ", ".join(f"{k}={v:.3f}" for k, v in d["timings"].items())
        + f"; peak RSS {d['peak_rss_mb']:.0f} MB"
    )
    print(f"results: {d['results_path']}")
    return 0


def cmd_study_create(args: argparse.Namespace) -> int:
    import optuna

    from opsnn_opt.store import Store

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own line says what was created
    from opsnn_opt.study import check_specs, create_study, load_objective, load_space

    space = load_space(args.space)
    objective = load_objective(args.objective, space.populations)
    check_specs(args.name, space, objective, args.sampler)  # before the store is opened or created
    opened = create_study(
        args.name,
        space,
        objective,
        sampler=args.sampler,
        seed=args.seed,
        store=Store(args.storage),
        load_if_exists=args.load_if_exists,
    )
    if args.max_trials is not None:
        from opsnn_opt.study.worker import set_max_trials

        set_max_trials(opened.study, args.max_trials)
    print(
        f"study {opened.name!r}: model {space.model} on {space.backend}, "
        f"{len(space.free)} free parameters, directions {objective.directions}, sampler {_sampler_text(opened)}, "
        f"store {opened.store.display_url}"
    )
    return 0


def _sampler_text(opened: Any) -> str:
    from opsnn_opt.study.spec import auto_sampler

    name = opened.sampler["name"]
    if opened.sampler.get("auto"):
        return f"{name} (auto: {auto_sampler(opened.space, opened.objective)[1]})"
    return name


def _open(args: argparse.Namespace, worker_index: int | None = None, for_trials: bool = True) -> Any:
    from opsnn_opt.store import Store
    from opsnn_opt.study import open_study

    return open_study(args.name, Store(args.storage), worker_index, for_trials=for_trials)


def _best_dict(opened: Any) -> list[dict[str, Any]]:
    from opsnn_opt.study import best_trials

    return [
        {
            "trial": t.number,
            "values": t.values,
            "params": t.params,
            "metrics": {m: t.user_attrs.get(m) for m in opened.objective.metric_names},
            "results_path": t.user_attrs.get("results_path"),
            "artifacts": t.user_attrs.get("artifacts") or {},
        }
        for t in best_trials(opened)
    ]


def _print_best(opened: Any) -> None:
    best = _best_dict(opened)
    if not best:
        print("no completed (feasible) trial yet")
    for b in best:
        values = ", ".join(f"{v:.4g}" for v in b["values"])
        label = "best trial" if len(b["values"]) == 1 else "Pareto-optimal trial"
        print(f"{label} {b['trial']}: value {values}")
        print("  params:  " + _format_params(b["params"], ".4g"))
        print(
            "  metrics: "
            + ", ".join(f"{k}={'nan' if v is None else format(v, '.4g')}" for k, v in b["metrics"].items())
        )
        print(f"  results: {b['results_path']}")
        for filename, artifact_id in b["artifacts"].items():
            print(f"  artifact {filename}: {artifact_id}")
        if b["artifacts"]:
            print(f"  download: opsnn fetch {opened.name} {b['trial']}")


def cmd_study_run(args: argparse.Namespace) -> int:
    from opsnn_opt.cli._worker import limit_args
    from opsnn_opt.study import run_local_workers
    from opsnn_opt.study.read._tables import time_in_simulator
    from opsnn_opt.study.worker import max_trials

    opened = _open(args)
    if args.n_trials is None and max_trials(opened.study) is None:
        raise ConfigError(f"--n-trials is required: study {opened.name!r} has no max_trials budget")
    failed_workers = run_local_workers(opened, args.n_trials, args.workers, limits=limit_args(args))
    _print_best(opened)
    share = time_in_simulator(opened)
    if share:
        print(share)
    print(f"browse it: opsnn dashboard --storage {opened.store.display_url}")
    if failed_workers:
        print(f"opsnn: error: {failed_workers} worker(s) exited with an error; see the logs", file=sys.stderr)
        return 1
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import faulthandler
    import signal

    from opsnn_opt.study import Worker

    try:  # `kill -USR1 PID` prints where a worker is
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    except (AttributeError, ValueError, OSError):
        pass

    Worker(_open(args, args.worker_index), timeout_s=args.timeout, max_memory_mb=args.max_memory).run(
        args.n_trials, args.until_done
    )
    return 0


def cmd_study_show(args: argparse.Namespace) -> int:
    from opsnn_opt.study import format_table, trial_rows
    from opsnn_opt.study.spec import pruning_summary

    opened = _open(args, for_trials=False)
    rows = trial_rows(opened)
    if args.json:
        _print_json(rows)
    else:
        print(format_table(rows))
        if any(r["artifacts"] for r in rows):  # ids: --json; the files: opsnn fetch
            print(f"artifact ids: opsnn study show {args.name} --json; files: opsnn fetch {args.name} TRIAL")
        summary = pruning_summary(opened)
        if summary:
            print(summary)
    return 0


def cmd_study_best(args: argparse.Namespace) -> int:
    opened = _open(args, for_trials=False)
    if args.json:
        _print_json(_best_dict(opened))
    else:
        _print_best(opened)
    return 0


def cmd_study_list(args: argparse.Namespace) -> int:
    import optuna

    from opsnn_opt.store import Store

    for summary in optuna.get_all_study_summaries(Store(args.storage).optuna_storage()):
        print(f"{summary.study_name}: {summary.n_trials} trials")
    return 0


def whole_number(low: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {low}; got {text!r}")
        return value

    return parse


_positive_int = whole_number(1)


def build_parser() -> argparse.ArgumentParser:
    from opsnn_opt._version import __version__
    from opsnn_opt.pipeline import RUN_SETTINGS

    parser = argparse.ArgumentParser(
        prog="opsnn", description="Optimise spiking network configurations with Optuna, PyNN and NEST."
    )
    parser.add_argument("--version", action="version", version=f"opsnn_opt {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    storage = argparse.ArgumentParser(add_help=False)
    storage.add_argument("--storage", help="database URL (default: $OPSNN_STORAGE, else ./storage/opsnn.sqlite3)")
    from opsnn_opt.cli import _trials as study_cli  # fetch, rerun, dashboard and --artifact-store

    study_cli.add_arguments(storage)

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

    from opsnn_opt.cli._models import add_commands as add_catalogue_commands

    add_catalogue_commands(sub)  # models, metrics

    study = sub.add_parser("study", help="create, run and inspect studies").add_subparsers(
        dest="study_command", required=True
    )
    p = study.add_parser("create", parents=[storage], help="create a study from a search space and objective")
    p.add_argument("name")
    p.add_argument("--space", required=True, help="search-space TOML file")
    p.add_argument("--objective", required=True, help="objective TOML file")
    p.add_argument(
        "--sampler",
        default="tpe",
        help="tpe (default), random, cmaes, grid, gp, nsga2, nsga3, qmc, or auto (picked by the study's shape)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="sampler seed (mixed with each worker's index and the study's trial count)",
    )
    p.add_argument("--load-if-exists", action="store_true", help="reuse a study created with the same specs")
    p.add_argument("--max-trials", type=_positive_int, help="the study's total trial budget, shared by all workers")
    p.set_defaults(func=cmd_study_create)

    from opsnn_opt.cli._worker import add_limit_options, add_study_commands

    p = study.add_parser("run", parents=[storage], help="run trials with local worker processes")
    p.add_argument("name")
    p.add_argument("--n-trials", type=_positive_int, help="trials to run (default: up to the study's max_trials)")
    p.add_argument("--workers", type=_positive_int, default=1)
    add_limit_options(p)
    p.set_defaults(func=cmd_study_run)
    add_study_commands(study, storage)
    from opsnn_opt.cli._pareto import add_pareto_command

    add_pareto_command(study, storage)

    for name, func, text in (
        ("show", cmd_study_show, "a table of the trials and their metrics"),
        ("best", cmd_study_best, "the best configuration and its metrics"),
    ):
        p = study.add_parser(name, parents=[storage], help=text)
        p.add_argument("name")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)

    p = study.add_parser("list", parents=[storage], help="the studies in the store")
    p.set_defaults(func=cmd_study_list)

    from opsnn_opt.cli._bench import add_commands as add_bench_commands

    add_bench_commands(sub, storage)
    from opsnn_opt.cli._plot import add_commands as add_plot_commands

    add_plot_commands(sub, storage)
    study_cli.add_commands(sub, storage)
    from opsnn_opt.cli._plots_study import add_commands as add_study_plot_commands

    add_study_plot_commands(sub, storage, study)
    from opsnn_opt.cli._cluster import add_commands as add_cluster_commands

    add_cluster_commands(sub, storage)

    p = sub.add_parser("worker", parents=[storage], help="one worker process; run it on any host")
    p.add_argument("name")
    p.add_argument(
        "--n-trials",
        type=_positive_int,
        default=None,
        help="stop after this many trials (default: serve until the study's max_trials is met, or until stopped)",
    )
    add_limit_options(p)
    p.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--until-done", type=_positive_int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from opsnn_opt._env import check_environment
    from opsnn_opt._mask import install_log_masking, mask_secrets

    install_log_masking()
    try:
        check_environment()
        from opsnn_opt.cli._trials import artifact_store_option

        with artifact_store_option(args):
            return args.func(args)
    except OpsnnError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"opsnn: error: {mask_secrets(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("opsnn: interrupted", file=sys.stderr)
        return 130


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
