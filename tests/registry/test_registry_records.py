"""Registry records: no lost update, every save in the journal, and what a signed contract binds left alone."""

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.registry.models import Authority, Contact, Establishment, ManagingBody
from support import assert_stale, page_text


def _form_data(response) -> dict:
    """What the edit page would post back untouched: every field's current value, the hidden version included."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled:
            continue  # a browser sends nothing for a disabled field
        if isinstance(value, list | tuple):
            data[name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        elif value is not None:
            data[name] = "on" if value is True else ("" if value is False else str(getattr(value, "pk", value)))
    return {k: v for k, v in data.items() if v != ""}


def _edit_url(record):
    if isinstance(record, Establishment):
        return reverse("registry:establishment_update", kwargs={"finess": record.finess})
    if isinstance(record, ManagingBody):
        return reverse("registry:managing_body_update", kwargs={"managing_body_id": record.pk})
    if isinstance(record, Authority):
        return reverse("registry:authority_update", kwargs={"authority_id": record.pk})
    return reverse("registry:contact_update", kwargs={"contact_id": record.pk})


RECORDS = [
    # record lookup, editor, a second editor of the same organisation's record, field, first value, second value
    pytest.param(
        lambda: Establishment.objects.get(name="MAS Les Hauts de Sèvre"),
        "asso",
        "asso",
        "city",
        "Vertou",
        "Clisson",
        id="establishment",
    ),
    pytest.param(
        lambda: ManagingBody.objects.get(name__startswith="Association"),
        "asso",
        "admin",
        "city",
        "Nantes",
        "Rezé",
        id="managing body",
    ),
    pytest.param(
        lambda: Authority.objects.get(kind="ARS", territory="52"),
        "ars",
        "admin",
        "name",
        "ARS des Pays de la Loire",
        "Agence régionale de santé Pays de la Loire",
        id="authority",
    ),
    pytest.param(
        lambda: Contact.objects.get(last_name="Roux"),
        "asso",
        "asso",
        "role",
        "Directrice financière",
        "Directrice administrative",
        id="contact",
    ),
]


@pytest.mark.parametrize("lookup,first_editor,second_editor,field,first_value,second_value", RECORDS)
def test_the_second_save_of_two_open_pages_is_refused_not_merged(
    client_for, django_user_model, lookup, first_editor, second_editor, field, first_value, second_value
):
    from django.test import Client

    record = lookup()
    first, second = Client(), Client()
    first.force_login(django_user_model.objects.get(username=first_editor))
    second.force_login(django_user_model.objects.get(username=second_editor))
    first_page, second_page = first.get(_edit_url(record)), second.get(_edit_url(record))
    assert first.post(_edit_url(record), {**_form_data(first_page), field: first_value}).status_code == 302
    response = second.post(_edit_url(record), {**_form_data(second_page), field: second_value})
    assert_stale(response)
    assert response.context["form"][field].value() == second_value  # what the second person typed stays in the form
    record.refresh_from_db()
    assert getattr(record, field) == first_value


@pytest.mark.parametrize("lookup,editor,_second,field,_first,value", RECORDS)
def test_every_edit_is_in_the_journal_with_before_and_after(
    client_for, users, lookup, editor, _second, field, _first, value
):
    record = lookup()
    before = getattr(record, field)
    client = client_for(editor)
    client.post(_edit_url(record), {**_form_data(client.get(_edit_url(record))), field: value})
    entry = AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk)).first()
    label = str(type(record)._meta.get_field(field).verbose_name)
    assert entry.action.startswith(f"Modification de la fiche {record._meta.verbose_name}")
    assert (label, before, value) in entry.changed_fields()
    assert entry.user == users[editor]


def test_a_new_establishment_is_in_the_journal(client_for, users):
    from test_registry_pages import _establishment_post

    client_for("asso").post(reverse("registry:establishment_create"), _establishment_post())
    created = Establishment.objects.get(name="SAMSAH Les Voiles")
    entry = AuditEntry.objects.get(object_type="registry.establishment", object_id=str(created.pk))
    assert entry.action == f"Création de la fiche établissement {created}" and entry.before is None
    assert entry.after["places autorisées"] == 25 and entry.after["autorités de tarification"] == [
        "ARS Pays de la Loire"
    ]


def test_a_new_contact_is_in_the_journal(client_for, users):
    body = ManagingBody.objects.get(name__startswith="Association")
    client_for("asso").post(
        reverse("registry:managing_body_contact_create", kwargs={"managing_body_id": body.pk}),
        {"first_name": "Léa", "last_name": "Bernard", "role": "Directrice qualité", "start_date": "2026-01-05"},
    )
    contact = Contact.objects.get(last_name="Bernard")
    assert contact.managing_body == body
    assert AuditEntry.objects.filter(
        object_type="registry.contact", object_id=str(contact.pk), user=users["asso"]
    ).exists()


# An establishment under the EHPAD's contract in force (the issue: 999 places, category MAS and a new FINESS saved).


def test_the_edit_page_of_a_covered_establishment_says_what_is_frozen(client_for, ehpad_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    response = client_for("ehpad").get(_edit_url(ehpad))
    text = page_text(response)
    assert "Cet établissement est couvert par le contrat signé CPOM-PDL-2024-049-07 (en vigueur)" in text
    assert "ne changent que par un avenant au contrat" in text
    form = response.context["form"]
    frozen = {
        "finess",
        "category",
        "sector",
        "audience",
        "authorised_places",
        "installed_places",
        "managing_body",
        "department",
        "funders",
    }
    assert {name for name, field in form.fields.items() if field.disabled} == frozen
    assert not form.fields["name"].disabled and not form.fields["opening_days"].disabled


def test_posting_new_places_category_and_finess_is_refused_and_saves_nothing(client_for, ehpad_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    client = client_for("ehpad")
    data = {
        **_form_data(client.get(_edit_url(ehpad))),
        "name": "EHPAD renommé",
        "authorised_places": "999",
        "installed_places": "999",
        "category": "MAS",
        "finess": "490008999",
    }
    response = client.post(_edit_url(ehpad), data)
    assert response.status_code == 200
    text = page_text(response)
    for label in ("Places autorisées", "Places installées", "Catégorie", "FINESS"):
        assert f"« {label} » est figé tant qu'un contrat signé couvre l'établissement" in text, label
    stored = Establishment.objects.get(pk=ehpad.pk)
    assert (stored.name, stored.authorised_places, stored.category, stored.finess) == (
        "EHPAD Les Tilleuls",
        86,
        "EHPAD",
        ehpad.finess,
    )
    assert not AuditEntry.objects.filter(object_type="registry.establishment", object_id=str(ehpad.pk)).exists()


def test_a_covered_establishment_is_still_renamed_and_the_journal_says_so(client_for, ehpad_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    client = client_for("ehpad")
    response = client.post(
        _edit_url(ehpad), {**_form_data(client.get(_edit_url(ehpad))), "name": "EHPAD Les Tilleuls de Baugé"}
    )
    assert response.status_code == 302
    stored = Establishment.objects.get(pk=ehpad.pk)
    assert stored.name == "EHPAD Les Tilleuls de Baugé" and stored.authorised_places == 86
    entry = AuditEntry.objects.get(object_type="registry.establishment", object_id=str(ehpad.pk))
    assert ("nom", "EHPAD Les Tilleuls", "EHPAD Les Tilleuls de Baugé") in entry.changed_fields()
