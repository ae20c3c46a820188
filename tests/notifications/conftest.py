import pytest

from cpom import deadline_sources


@pytest.fixture
def fake_source(monkeypatch):
    """Registers, for one test, a source giving the deadlines it is handed (the reviews', the decisions', the
    backward schedule's, which other parts compute): ``fake_source(due, ...)``, then ``collect`` gives them too."""
    monkeypatch.setattr(deadline_sources, "_SOURCES", list(deadline_sources._SOURCES))
    monkeypatch.setattr(deadline_sources, "_KINDS", dict(deadline_sources._KINDS))
    given = []

    def source(contracts):
        ids = {contract.pk for contract in contracts}
        return [due for due in given if due.contract_id in ids]

    deadline_sources.register(
        source,
        deadline_sources.Kind("review", "Dialogue de gestion à tenir", 30),
        deadline_sources.Kind("decision", "Décision d'un relevé à mettre en œuvre", 15),
        deadline_sources.Kind("schedule_step", "Étape du rétroplanning", 10),
    )

    def add(*dues):
        given.extend(dues)

    return add
