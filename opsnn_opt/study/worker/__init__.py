"""Workers: the loop that serves a study, the supervisor and its simulation process, heartbeats."""

from opsnn_opt.study.worker._budget import max_trials, set_max_trials
from opsnn_opt.study.worker._supervisor import ChildRunner

__all__ = ["ChildRunner", "max_trials", "set_max_trials"]
