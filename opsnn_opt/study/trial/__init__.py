"""One trial, ask to tell: its simulations, the checks between chunks, feasibility, and its outcome."""

from opsnn_opt.study.trial._chunks import chunk_callback

__all__ = ["chunk_callback"]
