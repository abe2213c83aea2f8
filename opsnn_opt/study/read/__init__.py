"""Reading a study back: tables, values, the Pareto front, importance, and descriptions."""
