"""Library errors in the command line's terms.

The library names the setting at fault as it knows it (``ConfigError(..., field="max_trials")``);
a command-line user set it with a flag, so the one error handler of :func:`opsnn_opt.cli.main`
says the flag instead: ``max_trials must be ...`` reads ``--max-trials must be ...`` (the field
named in the message is replaced by the flag), and a message that does not name its field gets
the flag in front (``--out: cannot create ...``).
"""

from __future__ import annotations

import re

__all__ = ["FIELD_FLAGS", "in_cli_terms"]

#: Library field -> the option of ``opsnn`` that sets it.
FIELD_FLAGS: dict[str, str] = {
    "artifact_store": "--artifact-store",
    "chunk_ms": "--chunk",
    "color": "--color",
    "evaluator": "--evaluator",
    "kind": "--kind",
    "load_if_exists": "--load-if-exists",
    "max_memory_mb": "--max-memory",
    "max_trials": "--max-trials",
    "metric": "--metric",
    "n_trials": "--n-trials",
    "out": "--out",
    "sampler": "--sampler",
    "seed": "--seed",
    "signal_s": "--signal-s",
    "simtime_ms": "--simtime",
    "storage": "--storage",
    "threads": "--threads",
    "time_limit": "--time",
    "timeout_s": "--timeout",
    "workers": "--workers",
    "x": "--x",
    "y": "--y",
}


def in_cli_terms(message: str, field: str | tuple[str, ...] | None) -> str:
    """``message`` of an error about library ``field`` (or several), with each field said as its flag."""
    fields = (field,) if isinstance(field, str) else tuple(field or ())
    prefix = []
    for name in fields:
        flag = FIELD_FLAGS.get(name)
        if flag is None or flag in message:  # not a flag's, or the message names it already
            continue
        # The field as a word of its own (``load_if_exists=True`` included), not inside another name.
        named = re.compile(rf"(?<![\w.-]){re.escape(name)}(=True)?(?![\w-])")
        if named.search(message):
            message = named.sub(flag, message, count=1)
        else:
            prefix.append(flag)
    return f"{'/'.join(prefix)}: {message}" if prefix else message
