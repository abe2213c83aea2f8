"""An example opsnn_opt plug-in package: the ``ring`` model and the ``burst_index`` metric."""

from opsnn_ring.metrics import burst_index
from opsnn_ring.model import Ring

__all__ = ["Ring", "burst_index"]
