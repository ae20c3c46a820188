"""Twenty people writing at the same moment on the quick start's SQLite file: no « database is locked », nothing lost.

Real HTTP requests from threads against ``cpom runserver`` (threaded) on the file database ``cpom demo`` built,
with the settings a person gets from ``python3 dev.py start``. Each person first reads the page they write
on (as a browser would), then all the writes start together: comments on one objective, analyses of the
diagnostic, a reference budget, trajectory scenarios.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from conftest import Browser, version_in

ASSOCIATION = "CPOM-PDL-2027-044-01"
MARK = "Écriture simultanée"
SECTIONS = ("1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2")


def _scenario(name: str) -> dict:
    return {
        "name": name,
        "convergence_target": "47 000",
        "convergence_years": "3",
        "surplus_rule": "reserves",
        "deficit_rule": "reserve",
        "opening_reserves": "10 000,00",
        "read_as": "",
        **{f"{kind}_rate_{year}": "1" for kind in ("envelope", "expense") for year in range(5)},
    }


def _writes(server, database: sqlite3.Connection) -> list[tuple[Browser, str, dict]]:
    """The twenty writes, each prepared from the page its author read."""
    contract = database.execute("SELECT id FROM contracts_contract WHERE reference = ?", (ASSOCIATION,)).fetchone()[0]
    objective = database.execute(
        "SELECT id FROM objectives_objective WHERE contract_id = ? AND level = 'operational' ORDER BY id", (contract,)
    ).fetchone()[0]
    people = {name: Browser(server, name) for name in ("asso", "ars", "cd44")}
    base = f"/contrats/{contract}"
    writes = []
    for number in range(9):
        author = people[("asso", "ars", "cd44")[number % 3]]
        path = f"{base}/objectifs/{objective}/"
        version = version_in(author.get(path))
        writes.append(
            (author, f"{path}negociation/", {"action": "comment", "version": version, "text": f"{MARK} {number}"})
        )
    for code in SECTIONS:
        path = f"{base}/diagnostic/section/{code}/"
        version = version_in(people["asso"].get(path))
        writes.append((people["asso"], path, {"action": "analysis", "version": version, "text": f"{MARK} {code}"}))
    budget_path = f"{base}/moyens/budget-de-reference/etablissements/440005049/"
    budget = people["asso"].form_values(budget_path)
    budget.update({name: "12 345" for name in budget if name.endswith(("-expense-1", "-income-1"))})
    writes.append((people["asso"], budget_path, budget))
    for number in range(5):
        writes.append((people["asso"], f"{base}/moyens/trajectoire/nouveau/", _scenario(f"{MARK} {number}")))
    return writes


def test_twenty_simultaneous_writes_on_sqlite_all_succeed(demo_server, demo_var):
    database = sqlite3.connect(demo_var / "cpom.sqlite3")
    writes = _writes(demo_server, database)
    assert len(writes) == 20
    start = threading.Barrier(len(writes))

    def write(job):
        browser, path, data = job
        start.wait()
        return browser.post(path, data)

    with ThreadPoolExecutor(len(writes)) as pool:
        answers = list(pool.map(write, writes))

    failures = [
        (path, status, body[:300])
        for (_, path, _), (status, body) in zip(writes, answers, strict=True)
        if status != 302
    ]
    assert failures == []
    assert (
        database.execute("SELECT count(*) FROM objectives_message WHERE text LIKE ?", (f"{MARK} %",)).fetchone()[0] == 9
    )
    analyses = database.execute("SELECT text FROM diagnostic_sectionentry WHERE text LIKE ?", (f"{MARK} %",)).fetchall()
    assert sorted(text for (text,) in analyses) == [f"{MARK} {code}" for code in SECTIONS]
    assert (
        database.execute("SELECT count(*) FROM finance_scenario WHERE name LIKE ?", (f"{MARK} %",)).fetchone()[0] == 5
    )
    assert (
        database.execute(
            "SELECT count(*) FROM finance_budgetline l JOIN registry_establishment e ON e.id = l.establishment_id "
            "WHERE e.finess = '440005049' AND l.amount = 12345"
        ).fetchone()[0]
        >= 2
    )
