"""The journal keeps every change, even when the action names a long label."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from cpom.access import Role
from cpom.accounts.models import Membership
from cpom.audit.admin import AuditedAdmin, AuditEntryAdmin
from cpom.audit.models import AuditEntry
from cpom.audit.services import entries_for, record
from cpom.registry.models import Contact, Establishment


def test_a_long_action_is_shortened_but_the_values_are_kept(association_contract, users):
    label = "Nombre de jeunes adultes accueillis en séquentiel dans les établissements du secteur adulte " * 5
    entry = record(
        users["asso"], association_contract, f"Version 4 : indicateur « {label} »", {"avant": label}, {"après": ""}
    )
    entry.refresh_from_db()
    assert (
        len(entry.action) == 300
        and entry.action.endswith("…")
        and entry.action.startswith("Version 4 : indicateur « Nombre")
    )
    assert entry.before == {"avant": label}
    assert entries_for(association_contract).first() == entry


# Every change is in the journal (who, when, before, after), and the journal cannot be rewritten from the admin.


def _entries(obj):
    return list(entries_for(obj))


def test_an_authority_remark_is_in_the_journal(client_for, users, association_contract):
    url = reverse("diagnostic:section", kwargs={"contract_id": association_contract.pk, "section_code": "1.1.1"})
    client_for("cd44").post(url, {"action": "remark", "text": "Préciser le délai d'admission."})
    entry = _entries(association_contract.diagnostic)[0]
    assert (entry.action, entry.user, entry.organisation_label) == (
        "Remarque 1.1.1 – consolidé",
        users["cd44"],
        "Conseil départemental de Loire-Atlantique",
    )
    assert entry.after == {"remarque": "Préciser le délai d'admission."}


def test_accounts_and_roles_are_in_the_journal_without_passwords(client_for, users):
    client = client_for("asso")
    client.post(
        reverse("accounts:members"),
        {
            "username": "dq.cheminsdeloire",
            "first_name": "Léa",
            "last_name": "Bernard",
            "email": "lea.bernard@exemple.fr",
            "role": Role.CONTRIBUTE,
            "password": "Qualite-Loire-2026!",
        },
    )
    newcomer = get_user_model().objects.get(username="dq.cheminsdeloire")
    membership = Membership.objects.get(user=newcomer)
    client.post(reverse("accounts:member_change", kwargs={"membership_id": membership.pk}), {"role": Role.VALIDATE})
    changed, created = _entries(newcomer)
    assert created.action == "Création du compte dq.cheminsdeloire" and created.user == users["asso"]
    assert (
        created.after["rôle"] == "Contribution" and created.after["organisation"] == "Association Les Chemins de Loire"
    )
    assert changed.action == "Modification du compte dq.cheminsdeloire"
    assert ("rôle", "Contribution", "Validation et signature") in changed.changed_fields()
    assert ("actif", True, False) in changed.changed_fields()
    assert "Qualite-Loire-2026" not in json.dumps([created.after, changed.before, changed.after])


def test_a_new_api_token_and_its_revocation_are_in_the_journal_but_not_its_secret(client_for, users):
    from cpom.accounts.models import ApiToken

    client = client_for("ars")
    body = client.post(reverse("accounts:my_account"), {"label": "Infocentre", "days": "90"}).content.decode()
    token = ApiToken.objects.get(user=users["ars"])
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    revoked, created = _entries(users["ars"])[:2]
    assert created.action == "Nouveau jeton d'API « Infocentre »" and created.before is None
    assert created.after["début"] == token.prefix and created.after["révoqué"] is False
    assert revoked.action == "Révocation du jeton d'API « Infocentre »"
    assert ("révoqué", False, True) in revoked.changed_fields()
    secret = body.split('data-testid="api-token">')[1].split("<")[0]
    assert secret.startswith(token.prefix) and len(secret) > len(token.prefix) + 20
    journal = json.dumps(list(AuditEntry.objects.values_list("action", "before", "after")), ensure_ascii=False)
    assert secret not in journal and token.digest not in journal


def test_analytical_sections_are_in_the_journal(client_for, users):
    client = client_for("asso")
    sections = reverse("finance:import_sections")
    ime = Establishment.objects.get(name="IME Les Grands Chênes")
    client.post(sections, {"code": "S-IME", "label": "IME Rezé", "establishment": ime.finess})
    section = ime.sections.get(code="S-IME")
    client.post(sections, {"remove": section.pk})
    removed, added = _entries(ime.managing_body)[:2]
    assert added.action == "Section analytique S-IME rattachée à l'IME Les Grands Chênes"
    assert added.after == {"section": "S-IME", "libellé": "IME Rezé", "établissement": str(ime)}
    assert (removed.action, removed.before["section"], removed.after) == (
        "Section analytique S-IME retirée",
        "S-IME",
        None,
    )


def test_every_admin_is_audited_and_the_journal_admin_writes_nothing():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, (AuditedAdmin, AuditEntryAdmin)), model._meta.label
    journal = admin.site._registry[AuditEntry]
    assert not any(getattr(journal, f"has_{what}_permission")(None) for what in ("add", "delete"))
    assert not journal.has_change_permission(None)


def test_the_journal_cannot_be_added_to_changed_or_deleted_from_the_admin(client_for):
    entry = AuditEntry.objects.first()
    client = client_for("admin")
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "Réécrit"})
    entry.refresh_from_db()
    assert entry.action != "Réécrit"


def test_an_admin_edit_and_deletion_are_in_the_journal(client_for, users):
    membership = users["cd44"].membership
    client = client_for("admin")
    client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": users["cd44"].pk,
            "authority": membership.authority_id,
            "role": Role.READ,
        },
    )
    membership.refresh_from_db()
    assert membership.role == Role.READ
    entry = _entries(membership)[0]
    assert entry.action.startswith("Administration : Modification de rattachement") and entry.user == users["admin"]
    assert ("rôle", "validate", "read") in entry.changed_fields()
    contact = Contact.objects.get(last_name="Dupuis")
    client.post(reverse("admin:registry_contact_delete", args=[contact.pk]), {"post": "yes"})
    assert not Contact.objects.filter(pk=contact.pk).exists()
    deleted = AuditEntry.objects.get(object_type="registry.contact", object_id=str(contact.pk))
    assert deleted.before["nom"] == "Dupuis" and deleted.after is None


@pytest.mark.parametrize("action", ["add", "delete"])
def test_the_admin_cannot_write_the_history_of_a_contract(client_for, ehpad_contract, action):
    client = client_for("admin")
    if action == "delete":
        assert (
            client.post(
                reverse("admin:contracts_contract_delete", args=[ehpad_contract.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    response = client.get(reverse("admin:contracts_contract_change", args=[ehpad_contract.pk]))
    history = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model._meta.model_name == "transition"
    )
    assert not history.has_add_permission and not history.has_delete_permission and not history.has_change_permission
    # programmed, launched, diagnostic, negotiation, ready, in signature, signed, in force
    assert ehpad_contract.transitions.count() == 8


def test_the_admin_shows_a_signed_contract_and_what_it_binds_read_only(client_for, ehpad_contract):
    client = client_for("admin")
    response = client.post(reverse("admin:contracts_contract_change", args=[ehpad_contract.pk]), {"title": "Réécrit"})
    assert response.status_code == 403
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    response = client.get(reverse("admin:registry_establishment_change", args=[ehpad.pk]))
    editable = set(response.context["adminform"].form.fields)
    assert {"name", "city", "opening_days"} <= editable
    assert not editable & {"finess", "category", "authorised_places", "installed_places", "funders", "managing_body"}
