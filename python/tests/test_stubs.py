"""The committed .str stub is the one the engine's list of operations makes."""

import subprocess
import sys

from conftest import ROOT


def test_the_str_stub_is_current():
    p = subprocess.run([sys.executable, str(ROOT / "python/tools/gen_str_stub.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
