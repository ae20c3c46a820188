"""The quick start's database, built once for the whole test run by ``cpom demo``, as a person's first start builds it.

``cpom demo`` takes 15 to 30 s (migrations, five years of figures, passwords hashed by the platform's hasher). The
browser journeys and the quick-start tests each work on a copy of one build: the first process of the run that
needs it builds it in the run's temporary folder, the other pytest-xdist workers wait for it and copy it.
Nobody writes in the build itself.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CPOM = Path(sys.executable).with_name("cpom")
DATABASE = "cpom.sqlite3"


def quickstart_environment(var_dir: Path, **extra: str) -> dict:
    """The environment of ``python3 dev.py start``: the embedded SQLite database under ``var_dir``, the platform's
    own settings (not the tests')."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CPOM_"))}
    return environment | {"CPOM_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "cpom.config.settings", **extra}


def _run_folder(tmp_path_factory) -> Path:
    """The temporary folder of the whole run: the workers' folders (``popen-gw0``…) are inside it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def pristine_demo(tmp_path_factory, timeout: float = 600) -> Path:
    """The var folder of one ``cpom demo`` run (its ``cpom.sqlite3``), built once per test run: copy it, never write."""
    run = _run_folder(tmp_path_factory)
    ready, building, failed = run / "cpom-demo", run / "cpom-demo.building", run / "cpom-demo.failed"
    try:
        building.mkdir()  # atomic: one process builds, the others wait
    except FileExistsError:
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if failed.exists():
                raise RuntimeError(f"cpom demo a échoué dans un autre processus :\n{failed.read_text()}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"cpom demo ne s'est pas terminé en {timeout:.0f} s.") from None
            time.sleep(0.2)
        return ready
    done = subprocess.run(
        [str(CPOM), "demo"], env=quickstart_environment(building), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        failed.write_text(done.stdout + done.stderr)
        raise RuntimeError(f"cpom demo a échoué :\n{done.stdout}{done.stderr}")
    building.rename(ready)
    return ready


def copy_of_demo(tmp_path_factory, destination: Path) -> Path:
    """A var folder of one's own, a copy of the build (file modes kept, as ``cpom demo`` set them)."""
    shutil.copytree(pristine_demo(tmp_path_factory), destination, dirs_exist_ok=True)
    return destination
