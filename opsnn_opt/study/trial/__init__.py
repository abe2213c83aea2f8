"""One trial, ask to tell: its simulations, the checks between chunks, feasibility, and its outcome."""

from opsnn_opt.study.trial._chunks import chunk_callback
from opsnn_opt.study.trial._retry import inherited_keys, retry_origin
from opsnn_opt.study.trial._tell import Outcome, fail_and_requeue, tell_outcome

__all__ = ["Outcome", "chunk_callback", "fail_and_requeue", "inherited_keys", "retry_origin", "tell_outcome"]
