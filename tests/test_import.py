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


def test_version_is_exposed():
    import opsnn_opt

    assert opsnn_opt.__version__
