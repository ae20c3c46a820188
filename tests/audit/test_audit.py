"""The journal keeps every change, even when the action names a long label."""

from cpom.audit.services import entries_for, record


def test_a_long_action_is_shortened_but_the_values_are_kept(association_contract, users):
    label = "Nombre de jeunes adultes accueillis en séquentiel dans les établissements du secteur adulte " * 5
    entry = record(users["asso"], association_contract, f"Version 4 : indicateur « {label} »", {"avant": label}, {"après": ""})
    entry.refresh_from_db()
    assert len(entry.action) == 300 and entry.action.endswith("…") and entry.action.startswith("Version 4 : indicateur « Nombre")
    assert entry.before == {"avant": label}
    assert entries_for(association_contract).first() == entry
