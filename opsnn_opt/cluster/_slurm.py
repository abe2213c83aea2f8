"""``opsnn slurm NAME --workers K``: an sbatch script that runs K workers as an array job.

Each array task is one ``opsnn worker NAME`` (no ``--n-trials``: it serves until the study's
budget is met). ``--signal=B:TERM@S`` makes SLURM send SIGTERM S seconds before the time limit,
and ``scancel`` and pre-emption send SIGTERM before SIGKILL: the worker then fails its current
trial with "worker stopped by SIGTERM", re-queues the configuration and exits 0. The store URL
comes from ``OPSNN_STORAGE`` in the submitting shell (sbatch exports the environment), so no
password is written into the script.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from opsnn_opt.errors import ConfigError

__all__ = ["sbatch_script", "write_sbatch_script"]

_TIME = re.compile(r"(\d+-)?\d{1,3}(:\d{2}){0,2}")


def sbatch_script(
    study: str,
    workers: int,
    *,
    time_limit: str = "24:00:00",
    threads: int = 1,
    signal_s: int = 120,
    partition: str | None = None,
    log_dir: str = "slurm-logs",
    python: str | None = None,
    workdir: str | None = None,
) -> str:
    """The text of the sbatch script (see the module docstring).

    ``workers`` array tasks, each with ``threads`` CPUs and ``time_limit`` (SLURM's format, such
    as 30 min, 2:00:00 or 1-12:00:00), sent SIGTERM ``signal_s`` seconds before that limit.
    """
    from opsnn_opt.study import check_study_name

    check_study_name(study)
    if not _TIME.fullmatch(time_limit):
        raise ConfigError(
            f"time_limit must be a SLURM time such as 30, 2:00:00 or 1-12:00:00; got {time_limit!r}", field="time_limit"
        )
    for field, value in (("workers", workers), ("threads", threads), ("signal_s", signal_s)):
        if value < 1:
            raise ConfigError(f"{field} must be a whole number >= 1; got {value}", field=field)
    python = python or sys.executable
    workdir = workdir or os.getcwd()
    lines = [
        "#!/bin/bash",
        f"#SBATCH --job-name=opsnn-{study}",
        f"#SBATCH --array=0-{workers - 1}",
        "#SBATCH --ntasks=1",
        f"#SBATCH --cpus-per-task={threads}",
        f"#SBATCH --time={time_limit}",
        # SIGTERM to the batch shell (which exec's the worker) before the time limit's SIGKILL.
        f"#SBATCH --signal=B:TERM@{signal_s}",
        f"#SBATCH --output={log_dir}/opsnn-{study}-%A_%a.log",
        f"#SBATCH --chdir={workdir}",
        *([f"#SBATCH --partition={partition}"] if partition else []),
        "set -euo pipefail",
        ': "${OPSNN_STORAGE:?export OPSNN_STORAGE (the study store) before sbatch}"',
        f"export OMP_NUM_THREADS={threads}",
        f"exec {shlex.quote(python)} -m opsnn_opt worker {shlex.quote(study)}",
        "",
    ]
    return "\n".join(lines)


def write_sbatch_script(path: str | Path, text: str) -> Path:
    """Write the script atomically and make it executable; its log folder is created too."""
    from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

    path = Path(path)

    def write(tmp: Path) -> None:
        tmp.write_text(text)
        tmp.chmod(0o755)

    final = write_atomically(path, write)
    for line in text.splitlines():
        if line.startswith("#SBATCH --output="):
            log_dir = Path(line.split("=", 1)[1]).parent
            chdir = next((x.split("=", 1)[1] for x in text.splitlines() if x.startswith("#SBATCH --chdir=")), ".")
            (Path(chdir) / log_dir).mkdir(parents=True, exist_ok=True)
    return final
