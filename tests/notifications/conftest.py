import pytest

from cpom import deadline_sources


@pytest.fixture
def fake_source(monkeypatch):
    """Registers, for one test, a source giving the deadlines it is handed (of the reviews', the decisions', the
    backward schedule's kinds, at days the test chooses): ``fake_source(due, ...)``, then ``collect`` gives them too."""
    monkeypatch.setattr(deadline_sources, "_SOURCES", dict(deadline_sources._SOURCES))
    monkeypatch.setattr(deadline_sources, "_KINDS", dict(deadline_sources._KINDS))
    given = []

    def source(contracts):
        ids = {contract.pk for contract in contracts}
        return [due for due in given if due.contract_id in ids]

    # The kinds are the reviews' and the launch kit's own, registered by their apps.
    deadline_sources.register(source)

    def add(*dues):
        given.extend(dues)

    return add
