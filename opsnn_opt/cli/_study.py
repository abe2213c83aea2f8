"""``opsnn study create|run|show|best|list``, and the ``study`` group that holds every study command."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from opsnn_opt._argtypes import positive_int
from opsnn_opt.cli import _figures, _pareto, _plots_study, _worker
from opsnn_opt.cli._common import format_params, open_named_study, print_json
from opsnn_opt.errors import ConfigError

__all__ = ["add_commands"]


def cmd_study_create(args: argparse.Namespace) -> int:
    import optuna

    from opsnn_opt.study import create_study, load_objective, load_space
    from opsnn_opt.study.worker import set_max_trials

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own line says what was created
    space = load_space(args.space).with_keep(args.keep)
    if args.figures is not None:
        space = dataclasses.replace(space, figures=args.figures)
    objective = load_objective(args.objective, space.populations)
    opened = create_study(  # checks the specs before the store is opened or created
        args.name,
        space,
        objective,
        sampler=args.sampler,
        seed=args.seed,
        storage=args.storage,
        load_if_exists=args.load_if_exists,
    )
    if args.max_trials is not None:
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
        print("  params:  " + format_params(b["params"], ".4g"))
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
    from opsnn_opt.study import run_local_workers
    from opsnn_opt.study.read import time_in_simulator
    from opsnn_opt.study.worker import max_trials

    opened = open_named_study(args, for_trials=True)
    opened.space.with_keep(args.keep)  # checked before the workers start
    if args.n_trials is None and max_trials(opened.study) is None:
        raise ConfigError(f"--n-trials is required: study {opened.name!r} has no max_trials budget")
    failed_workers = run_local_workers(opened, args.n_trials, args.workers, limits=_worker.limit_args(args))
    _print_best(opened)
    share = time_in_simulator(opened)
    if share:
        print(share)
    print(f"browse it: opsnn dashboard --storage {opened.store.display_url}")
    if failed_workers:
        print(
            f"opsnn: error: {failed_workers} worker(s) exited with an error: {failed_workers.summary()}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_study_show(args: argparse.Namespace) -> int:
    from opsnn_opt.study import format_table, trial_rows
    from opsnn_opt.study.read import time_in_simulator, worker_failure_lines
    from opsnn_opt.study.spec import pruning_summary

    opened = open_named_study(args)
    rows = trial_rows(opened)
    failures = worker_failure_lines(opened)  # e.g. a SLURM task that could not import the model
    if args.json:
        print_json(rows)  # a list of rows, as ever: the failures go to standard error
        for line in failures:
            print(f"opsnn: warning: {line}", file=sys.stderr)
    else:
        print(format_table(rows))
        share = time_in_simulator(opened)  # where the trials' wall time went
        if share:
            print(share)
        if any(r["artifacts"] for r in rows):  # ids: --json; the files: opsnn fetch
            print(f"artifact ids: opsnn study show {args.name} --json; files: opsnn fetch {args.name} TRIAL")
        summary = pruning_summary(opened)
        if summary:
            print(summary)
        for line in failures:
            print(line)
    return 0


def cmd_study_best(args: argparse.Namespace) -> int:
    opened = open_named_study(args)
    if args.json:
        print_json(_best_dict(opened))
    else:
        _print_best(opened)
    return 0


def cmd_study_list(args: argparse.Namespace) -> int:
    import optuna

    from opsnn_opt.store import Store

    for summary in optuna.get_all_study_summaries(Store(args.storage).optuna_storage()):
        print(f"{summary.study_name}: {summary.n_trials} trials")
    return 0


def _add_create(study: Any, storage: argparse.ArgumentParser) -> None:
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
    p.add_argument("--max-trials", type=positive_int, help="the study's total trial budget, shared by all workers")
    _worker.add_keep_option(p, "default: keep of the space, else all")
    _worker.add_figures_option(p, "default: figures of the space, else all")
    p.set_defaults(func=cmd_study_create)


def add_commands(sub: Any, storage: argparse.ArgumentParser) -> Any:
    """Add the ``study`` group to the top-level subparsers; returns the group's subparsers."""
    study = sub.add_parser("study", help="create, run and inspect studies").add_subparsers(
        dest="study_command", required=True
    )
    _add_create(study, storage)

    p = study.add_parser("run", parents=[storage], help="run trials with local worker processes")
    p.add_argument("name")
    p.add_argument("--n-trials", type=positive_int, help="trials to run (default: up to the study's max_trials)")
    p.add_argument("--workers", type=positive_int, default=1)
    _worker.add_limit_options(p)
    p.set_defaults(func=cmd_study_run)
    _worker.add_study_commands(study, storage)
    _pareto.add_pareto_command(study, storage)

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
    _plots_study.add_importance_command(study, storage)
    _figures.add_figures_command(study, storage)
    return study
