"""core/ must stay free of Streamlit so it can be used and tested on its own."""

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def test_importing_every_core_module_does_not_import_streamlit():
    # every module and package (a package by its __init__.py)
    modules = sorted(
        ".".join(("core", *p.relative_to(CORE).with_suffix("").parts)).removesuffix(".__init__")
        for p in CORE.rglob("*.py")
    )
    assert "core.registry" in modules and "core.families.linear_regression.family" in modules
    assert "core.data" in modules and "core.data.prepare" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=CORE.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
