"""The quick start's database, built once for the whole test run by ``cpom demo``, as a person's first start builds it.

``cpom demo`` takes 15 to 30 s (migrations, five years of figures, passwords hashed by the platform's hasher). The
browser journeys and the quick-start tests each work on a copy of one build, made in the run's temporary folder by
one process only (the first to create a claim file); the others wait for it, then copy it. Nobody writes in the
build itself.

The build starts in the background as soon as the collection shows a test that needs it (``start_building``): it
then runs beside the rest of the suite instead of holding up the first test that needs it, often among the last
ones (pytest-xdist runs the files of many tests first).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CPOM = Path(sys.executable).with_name("cpom")
DATABASE = "cpom.sqlite3"
TIMEOUT = 600
_started: list[subprocess.Popen] = []  # the background build, when this process started it


def quickstart_environment(var_dir: Path, **extra: str) -> dict:
    """The environment of ``python3 dev.py start``: the embedded SQLite database under ``var_dir``, the platform's
    own settings (not the tests')."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CPOM_"))}
    return environment | {"CPOM_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "cpom.config.settings", **extra}


class _Build:
    """Where one run's build lives: ``cpom-demo`` once done, ``cpom-demo.building`` meanwhile; who builds it."""

    def __init__(self, run: Path):
        self.ready = run / "cpom-demo"
        self.building = run / "cpom-demo.building"
        self.failed = run / "cpom-demo.failed"
        self.pid = run / "cpom-demo.pid"
        self.claimed = run / "cpom-demo.claimed"

    def claim(self) -> bool:
        """True for the one process of the run that is to build (creating the claim is atomic; it stays)."""
        try:
            os.close(os.open(self.claimed, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        self.building.mkdir()
        return True

    def build(self) -> None:
        done = subprocess.run(
            [str(CPOM), "demo"],
            env=quickstart_environment(self.building),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if done.returncode:
            self.failed.write_text(done.stdout + done.stderr)
            raise RuntimeError(f"cpom demo a échoué :\n{done.stdout}{done.stderr}")
        self.building.rename(self.ready)

    def _builder_is_gone(self) -> bool:
        try:
            os.kill(int(self.pid.read_text()), 0)
        except (FileNotFoundError, ValueError):
            return False  # building in a pytest process, which then reports its own failure, or not started yet
        except OSError:
            return not self.ready.exists()
        return False

    def wait(self) -> Path:
        deadline = time.monotonic() + TIMEOUT
        while not self.ready.exists():
            if self.failed.exists():
                raise RuntimeError(f"cpom demo a échoué dans un autre processus :\n{self.failed.read_text()}")
            if self._builder_is_gone():
                raise RuntimeError("Le processus qui construisait la démo s'est arrêté avant la fin.")
            if time.monotonic() > deadline:
                raise RuntimeError(f"cpom demo ne s'est pas terminé en {TIMEOUT} s.")
            time.sleep(0.2)
        return self.ready


def _run_folder(base: Path) -> Path:
    """The temporary folder of the whole run: the workers' folders (``popen-gw0``…) are inside it."""
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def start_building(config, items, needs) -> None:
    """Starts the build in the background when one of ``items`` needs it (``needs(item)``) and nobody started it."""
    factory = getattr(config, "_tmp_path_factory", None)  # pytest's own, as the tmp_path_factory fixture gives it
    if factory is None or not any(needs(item) for item in items):
        return
    build = _Build(_run_folder(factory.getbasetemp()))
    if not build.claim():
        return
    process = subprocess.Popen(
        [sys.executable, __file__, str(build.ready.parent)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    build.pid.write_text(str(process.pid))
    _started.append(process)


def pristine_demo(tmp_path_factory) -> Path:
    """The var folder of one ``cpom demo`` run (its ``cpom.sqlite3``), built once per test run: copy it, never write."""
    build = _Build(_run_folder(tmp_path_factory.getbasetemp()))
    if build.claim():
        build.build()
    for process in _started:
        process.wait(timeout=TIMEOUT)
    return build.wait()


def copy_of_demo(tmp_path_factory, destination: Path) -> Path:
    """A var folder of one's own, a copy of the build (file modes kept, as ``cpom demo`` set them)."""
    shutil.copytree(pristine_demo(tmp_path_factory), destination, dirs_exist_ok=True)
    return destination


if __name__ == "__main__":  # the background build of start_building
    _Build(Path(sys.argv[1])).build()
