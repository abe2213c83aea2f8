"""``import opsnn_opt`` is fast and does not need the simulators."""

import subprocess
import sys


def test_import_does_not_load_simulators_or_optuna():
    code = (
        "import sys, opsnn_opt, opsnn_opt.cli, opsnn_opt.study, opsnn_opt.models, opsnn_opt.backends; "
        "heavy = [m for m in ('nest', 'pyNN', 'pyNN.nest', 'optuna', 'neo', 'spynnaker') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_is_the_installed_distributions_and_needs_no_study_api(capsys):
    from importlib.metadata import version

    import opsnn_opt
    from opsnn_opt._version import __version__
    from opsnn_opt.cli import main

    installed = version("opsnn_opt")
    assert opsnn_opt.__version__ == __version__ == installed
    assert main(["--version"]) == 0  # what the ``opsnn`` console script runs
    assert capsys.readouterr().out == f"opsnn_opt {installed}\n"
    # Any layer reads the version from its own module; that loads neither the study API nor Optuna.
    code = (
        "import sys; from opsnn_opt._version import __version__; "
        "loaded = [m for m in sys.modules if m.startswith(('opsnn_opt.study', 'optuna'))]; "
        "print(__version__, loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == f"{installed} []\n"


def test_the_package_root_lists_the_python_api_it_loads_lazily():
    import opsnn_opt
    from opsnn_opt.study import api

    # The root names the API without importing it (import opsnn_opt stays fast): the two lists agree.
    assert set(opsnn_opt._API) == set(api.__all__)
    assert all(getattr(opsnn_opt, name) is getattr(api, name) for name in api.__all__)
