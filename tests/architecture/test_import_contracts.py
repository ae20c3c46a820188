"""The import contracts hold today, and they catch what they are there to catch (a copy of the tree is broken on purpose)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint(source_root: Path, *contracts: str) -> subprocess.CompletedProcess:
    options = [arg for contract in contracts for arg in ("--contract", contract)]
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", *options], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_the_contracts_are_kept():
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The package copied where PYTHONPATH finds it before the installed one."""
    root = tmp_path_factory.mktemp("src")
    shutil.copytree(
        ROOT / "src" / "cpom", root / "cpom", ignore=shutil.ignore_patterns("__pycache__", "templates", "static")
    )
    return root


def _with_line(copy: Path, module: str, line: str):
    path = copy / "cpom" / module
    original = path.read_text()
    path.write_text(original + f"\n{line}\n")
    return path, original


@pytest.mark.parametrize(
    "module,line,contract,chain",
    [
        ("core/numbers.py", "import django.db", "pure-core", "cpom.core.numbers -> django"),
        ("core/text.py", "from cpom.registry import models", "pure-core", "cpom.core.text -> cpom.registry.models"),
        ("finance/accounting/fec.py", "import django.db", "pure-core", "cpom.finance.accounting.fec -> django"),
        (
            "finance/budget/envelope.py",
            "from cpom.finance import models as _models",
            "pure-core",
            "cpom.finance.budget.envelope -> cpom.finance.models",
        ),
        (
            "registry/models.py",
            "from cpom.contracts import models as _contracts",
            "lifecycle-layers",
            "cpom.registry.models -> cpom.contracts.models",
        ),
        (
            "contracts/lifecycle.py",
            "from cpom.objectives import readiness",
            "lifecycle-layers",
            "cpom.contracts.lifecycle -> cpom.objectives.readiness",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(copy, module, line, contract, chain):
    path, original = _with_line(copy, module, line)
    try:
        result = _lint(copy, contract)
    finally:
        path.write_text(original)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and chain in result.stdout, result.stdout[-2000:]
