"""A single-node SLURM on 127.0.0.1 for the tests: Debian's slurm-wlm and munge, installed when
missing (as root) and started here. :func:`ensure_slurm` returns None when it runs, else the reason."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CONF_DIR = Path("/etc/slurm")
_CONF = """ClusterName=opsnn-test
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=30
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=opsnn Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def _run(*cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _node_ready() -> bool:
    if shutil.which("sinfo") is None:
        return False
    out = _run("sinfo", "-h", "-o", "%T", timeout=10)
    return out.returncode == 0 and any(s.strip() in ("idle", "mixed", "allocated") for s in out.stdout.split())


def ensure_slurm() -> str | None:
    """Install (if needed) and start munged, slurmctld and slurmd; None when a node is idle."""
    if _node_ready():
        return None
    if os.geteuid() != 0:
        return "SLURM is not running and starting it needs root"
    if shutil.which("slurmctld") is None or shutil.which("munged") is None:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        r = subprocess.run(
            ["apt-get", "install", "-y", "-q", "slurm-wlm", "munge"],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        if r.returncode != 0:
            return f"cannot install slurm-wlm and munge: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    host = socket.gethostname().split(".")[0]
    CONF_DIR.mkdir(exist_ok=True)
    (CONF_DIR / "slurm.conf").write_text(_CONF.format(host=host, cpus=os.cpu_count() or 1))
    for folder in ("/var/spool/slurmctld", "/var/spool/slurmd", "/var/log/slurm", "/run/munge"):
        Path(folder).mkdir(parents=True, exist_ok=True)
    key = Path("/etc/munge/munge.key")
    if not key.exists():
        _run("mungekey", "--create")
    shutil.chown("/run/munge", "munge", "munge")
    shutil.chown(key, "munge", "munge")
    key.chmod(0o400)
    if _run("pgrep", "-x", "munged").returncode != 0:
        r = _run("runuser", "-u", "munge", "--", "munged")
        if r.returncode != 0:
            return f"munged does not start: {r.stderr.strip()}"
    for daemon in ("slurmctld", "slurmd"):
        if _run("pgrep", "-x", daemon).returncode != 0:
            r = _run(daemon)
            if r.returncode != 0:
                return f"{daemon} does not start: {r.stderr.strip() or r.stdout.strip()}"
    for _ in range(60):
        if _node_ready():
            return None
        _run("scontrol", "update", f"nodename={host}", "state=resume", timeout=10)
        time.sleep(1)
    log = Path("/var/log/slurm/slurmd.log")
    tail = log.read_text().strip().splitlines()[-1:] if log.exists() else []
    return f"the SLURM node did not become idle within 60 s (sinfo: {_run('sinfo').stdout.strip()!r}; {tail})"
