"""One trial, ask to tell: its simulations, the checks between chunks, feasibility, and its outcome."""
