"""`python -m spindle demo`: runs its queries beside pandas, every answer equal."""

import subprocess
import sys


def test_the_demo_runs_beside_pandas_with_equal_answers(tmp_path):
    p = subprocess.run([sys.executable, "-m", "spindle", "demo", "--rows", "5000", "--runs", "1"],
                       capture_output=True, text=True, env={"XDG_CACHE_HOME": str(tmp_path),
                                                            "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    lines = [line for line in p.stdout.splitlines() if line.endswith(("equal", "DIFFER"))]
    assert len(lines) == 8, p.stdout
    assert all(line.endswith("equal") for line in lines), p.stdout
