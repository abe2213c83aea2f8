"""Workers: the loop that serves a study, the supervisor and its simulation process, heartbeats."""

from opsnn_opt.study.worker._budget import max_trials, set_max_trials
from opsnn_opt.study.worker._recovery import Finding, reap_stale, reconcile, stale_numbers
from opsnn_opt.study.worker._supervisor import ChildRunner
from opsnn_opt.study.worker._uploads import finish_pending, pending_figures

__all__ = [
    "ChildRunner",
    "Finding",
    "finish_pending",
    "max_trials",
    "pending_figures",
    "reap_stale",
    "reconcile",
    "set_max_trials",
    "stale_numbers",
]
