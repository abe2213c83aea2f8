"""opsnn_opt: close the loop between simulating spiking networks and analysing them.

Importing this package is fast and does not import NEST or PyNN; simulators are imported by the
backends on first use.
"""

from opsnn_opt.errors import ConfigError, OpsnnError, ResultsFileError, SimulationError, StoreError

__version__ = "0.1.0"

__all__ = ["ConfigError", "OpsnnError", "ResultsFileError", "SimulationError", "StoreError", "__version__"]
