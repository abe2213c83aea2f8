"""Pure specs of a study: search space, objective, replicates, samplers and pruners, read and checked."""

from opsnn_opt.study.spec._objective import PruneRule
from opsnn_opt.study.spec._pruners import pruning_summary
from opsnn_opt.study.spec._replicates import replicate_params
from opsnn_opt.study.spec._samplers import auto_sampler, make_sampler

__all__ = ["PruneRule", "auto_sampler", "make_sampler", "pruning_summary", "replicate_params"]
