"""Code that a study names: importing ``package.module:Name`` or ``path/to/file.py:Name``.

Model and metric plug-ins are referred to by such strings in search spaces, objectives and on
the command line, and the strings are stored with a study, so that a worker on any host imports
the same code. Installed packages can also register short names through entry points
(:func:`entry_points`). Every failure is a one-line :class:`~opsnn_opt.errors.ConfigError` that
names the reference and says what to install or where to put it.

A class or function defined in a script (``__main__``) is named by the script's path; a worker
imports that file as a module called ``opsnn_plugin_<stem>``, so code under
``if __name__ == "__main__":`` does not run there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError

__all__ = ["entry_point_origin", "entry_points", "import_object", "importing_plugin_file", "one_line", "reference_of"]

_FILE_MODULE_PREFIX = "opsnn_plugin_"
_importing_files = 0


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def importing_plugin_file() -> bool:
    """True while a plug-in file (a script named by its path) is being imported."""
    return _importing_files > 0


@contextlib.contextmanager
def _file_import() -> Iterator[None]:
    global _importing_files
    _importing_files += 1
    try:
        yield
    finally:
        _importing_files -= 1


def _import_file(path: Path, ref: str, what: str, where: str) -> Any:
    if not path.is_file():
        raise ConfigError(
            f"{where}: {what} {ref!r}: no file {path} on this host; copy it there at the same path, "
            "or make it part of an installed package"
        )
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"{_FILE_MODULE_PREFIX}{path.stem.replace('-', '_')}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up here
    try:
        with _file_import():
            spec.loader.exec_module(module)
    except ConfigError:
        sys.modules.pop(name, None)
        raise
    except Exception as exc:
        sys.modules.pop(name, None)
        raise ConfigError(f"{where}: {what} {ref!r}: importing {path} failed: {one_line(exc)}") from exc
    return module


def _import_module(module_name: str, ref: str, what: str, where: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        if exc.name in {".".join(parts[: i + 1]) for i in range(len(parts))}:
            raise ConfigError(
                f"{where}: {what} {ref!r}: no module named {exc.name!r} on this host; install the package "
                "that provides it, or put the folder that holds it on PYTHONPATH"
            ) from None
        raise ConfigError(f"{where}: {what} {ref!r}: importing {module_name} failed: {one_line(exc)}") from exc
    except Exception as exc:
        raise ConfigError(f"{where}: {what} {ref!r}: importing {module_name} failed: {one_line(exc)}") from exc


def import_object(ref: str, what: str, where: str) -> Any:
    """Import the object a reference names.

    Parameters
    ----------
    ref
        ``"package.module:Name"`` or ``"path/to/file.py:Name"`` (``Name`` may be dotted).
    what
        What is being imported, for messages (``"model"``, ``"metric"``).
    where
        The file or argument the reference came from, for messages.
    """
    target, sep, attr = ref.rpartition(":")
    if not sep or not target or not attr or not all(part.isidentifier() for part in attr.split(".")):
        raise ConfigError(f"{where}: {what} must be 'package.module:Name' or 'path/to/file.py:Name'; got {ref!r}")
    if target.endswith(".py"):
        module = _import_file(Path(target).expanduser().resolve(), ref, what, where)
    else:
        module = _import_module(target, ref, what, where)
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ConfigError(f"{where}: {what} {ref!r}: {target} has no {attr!r}")
        obj = getattr(obj, part)
    return obj


def reference_of(obj: Any) -> str:
    """The reference that :func:`import_object` turns back into ``obj`` (a class or function).

    Objects of a script (``__main__``) are named by the script's absolute path.
    """
    module_name, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not module_name or not qualname or "<locals>" in qualname:
        raise ConfigError(
            f"{obj!r} cannot be named for other processes: define it at the top level of a module or script"
        )
    module = sys.modules.get(module_name)
    if module_name == "__main__" or module_name.startswith(_FILE_MODULE_PREFIX):
        path = getattr(module, "__file__", None)
        if not path:
            raise ConfigError(
                f"{obj!r} is defined in an interactive session; workers cannot import it: put it in a file"
            )
        return f"{Path(path).resolve()}:{qualname}"
    return f"{module_name}:{qualname}"


@functools.cache
def entry_points(group: str) -> tuple[Any, ...]:
    """The installed entry points of ``group``, sorted by name; read once per process (a scan of
    every installed distribution takes about 30 ms)."""
    from importlib.metadata import entry_points as _entry_points

    return tuple(sorted(_entry_points(group=group), key=lambda ep: ep.name))


def entry_point_origin(ep: Any) -> str:
    """``"package 1.0"``: the distribution an entry point comes from."""
    dist = getattr(ep, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else ep.value
