"""Running workers on clusters: SLURM array jobs and Optuna's gRPC storage proxy."""

from opsnn_opt.cluster._proxy import serve_proxy
from opsnn_opt.cluster._slurm import sbatch_script, write_sbatch_script

# The proxy's client side belongs to the store (how a worker connects); kept here for old imports.
from opsnn_opt.store import parse_proxy, proxied_storage

__all__ = ["parse_proxy", "proxied_storage", "serve_proxy", "sbatch_script", "write_sbatch_script"]
