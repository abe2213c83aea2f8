"""Running workers on clusters: SLURM array jobs and Optuna's gRPC storage proxy."""

from opsnn_opt.cluster._proxy import parse_proxy, proxied_storage, serve_proxy
from opsnn_opt.cluster._slurm import sbatch_script, write_sbatch_script

__all__ = ["parse_proxy", "proxied_storage", "serve_proxy", "sbatch_script", "write_sbatch_script"]
