"""``opsnn models`` and ``opsnn metrics``: what can be run and measured, and where it comes from.

Both list the built-ins and every installed plug-in. A plug-in that fails to load is named with
its reason (on standard error) without hiding the others, and the command then exits with 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_commands"]


def _param_dict(p: Any) -> dict[str, Any]:
    bounds = {"low": p.low, "high": p.high} if hasattr(p, "low") else {"choices": list(getattr(p, "choices", ()))}
    return {"unit": p.unit, "default": p.default, "kind": p.kind, "doc": p.doc, **bounds}


def _param_line(p: Any) -> str:
    if p.kind in ("choice", "text"):
        default = p.default or "''"
        return f"  {p.name:16s} {'-':4s} default {default:<8s} {p.kind:5s} {p.range_text:21s} {p.doc}"
    bounds = f"[{p.low:g}, {p.high:g}]" if p.kind == "float" else f"[{int(p.low)}, {int(p.high)}]"
    return f"  {p.name:16s} {p.unit or '-':4s} default {p.default:<8g} {p.kind:5s} in {bounds:18s} {p.doc}"


def _report_broken(broken: dict[str, str]) -> int:
    for reason in broken.values():
        print(f"opsnn: error: {reason}", file=sys.stderr)
    return 2 if broken else 0


def cmd_models(args: argparse.Namespace) -> int:
    from opsnn_opt.models import available_models

    entries = available_models()
    usable = [e for e in entries if e.model is not None]
    broken = {e.name: e.error or "" for e in entries if e.model is None}
    if args.json:
        out: dict[str, Any] = {
            e.name: {
                "summary": e.model.summary,
                "origin": e.origin,
                "populations": list(e.model.populations),
                "params": {p.name: _param_dict(p) for p in e.model.params.values()},
            }
            for e in usable
            if e.model is not None
        }
        out.update(
            {name: {"origin": e.origin, "error": e.error} for e in entries if e.model is None for name in [e.name]}
        )
        print(json.dumps(out, indent=2))
        return _report_broken(broken)
    for e in usable:
        assert e.model is not None
        origin = "" if e.origin == "built-in" else f" [{e.origin}]"
        print(f"{e.name}: {e.model.summary}{origin}")
        print(f"  populations: {', '.join(e.model.populations)}")
        for p in e.model.params.values():
            print(_param_line(p))
    return _report_broken(broken)


def cmd_metrics(args: argparse.Namespace) -> int:
    from opsnn_opt.analysis import ALIASES, METRICS, broken_metrics, metric_origin

    if args.objective:
        from opsnn_opt.study import load_objective

        load_objective(args.objective)  # registers its [[plugins]] metrics
    broken = broken_metrics()
    rows = [
        {
            "name": name if not m.per_population else f"{name}.POPULATION",
            "unit": m.unit,
            "origin": metric_origin(name),
            "requires": m.requires,
            "doc": m.doc,
        }
        for name, m in METRICS.items()
    ]
    rows += [
        {
            "name": f"{alias}.POPULATION",
            "unit": METRICS[base].unit,
            "origin": "built-in",
            "requires": "",
            "doc": f"= {base}",
        }
        for alias, base in ALIASES.items()
    ]
    if args.json:
        print(json.dumps({"metrics": rows, "broken": broken}, indent=2))
        return _report_broken(broken)
    for r in rows:
        unit = r["unit"] or "-"
        origin = "" if r["origin"] == "built-in" else f" [{r['origin']}]"
        needs = f" (needs {r['requires']})" if r["requires"] else ""
        print(f"{r['name']:36s} {unit:7s} {r['doc']}{needs}{origin}")
    return _report_broken(broken)


def add_commands(sub: Any) -> None:
    """Add ``models`` and ``metrics`` to the ``opsnn`` command's subparsers."""
    p = sub.add_parser("models", help="list the models (built-in and plug-ins) with their parameters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("metrics", help="list the metrics (built-in and plug-ins) with their units")
    p.add_argument("--objective", help="also load the user metrics an objective file names ([[plugins]])")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_metrics)
