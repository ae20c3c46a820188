"""What every form does to what people type, checked on every form of cpom and every one of its fields.

The forms are found by walking the ``forms`` modules of the package, so a new form is covered (or this test asks
for a way to build it) the day it is added.
"""

import importlib
import inspect
import pkgutil
from datetime import date

import pytest
from django import forms
from django.test import RequestFactory

import cpom
from cpom.amendments.forms import CHANGE_FORMS
from cpom.amendments.models import Amendment
from cpom.contracts.views import _form_choices
from cpom.core.numbers import grouped
from cpom.diagnostic.services import diagnostic_for, synthesis
from cpom.documents.models import ContractModel
from cpom.documents.template import ContractModelSpec
from cpom.finance.models import ReferenceBudget
from cpom.objectives.models import Level
from cpom.registry.models import ManagingBody
from cpom.web.inputs import LONG_TEXT

CONTROL_CHARACTERS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
# Those a writer refuses and that mean nothing: the vertical tab and the form feed are line breaks instead.
MEANINGLESS = CONTROL_CHARACTERS.replace("\x0b", "").replace("\x0c", "")


def _form_modules():
    for module in pkgutil.walk_packages(cpom.__path__, "cpom."):
        if module.name.rsplit(".", 1)[-1].startswith("forms"):
            yield importlib.import_module(module.name)


def form_classes() -> list[type]:
    """Every form class defined in cpom's forms modules that a view instantiates (bases without fields are left)."""
    found = set()
    for module in _form_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm):
                if issubclass(cls, forms.BaseModelForm) and getattr(cls._meta, "model", None) is None:
                    continue
                found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FORMS = form_classes()


@pytest.fixture
def build(association_contract, users):
    """A form of each class, built the way its view builds it, on the association's contract."""
    contract = association_contract
    operational = contract.objectives.filter(level=Level.OPERATIONAL).first()
    diagnostic = diagnostic_for(contract)
    budget = ReferenceBudget.objects.get_or_create(
        contract=contract, defaults={"base_year": contract.start_date.year - 1}
    )[0]
    builders = {
        # django-axes reads the login's request (address and identifier) when the form authenticates.
        "LoginForm": lambda data: {"request": RequestFactory().post("/connexion/"), "data": data},
        "ChangePasswordForm": lambda data: {"user": users["asso"], "data": data},
        "NewPasswordForm": lambda data: {"user": users["asso"], "data": data},
        "ContractForm": lambda data: {"data": data, **_form_choices(users["ars"], contract.managing_body)},
        "FindingForm": lambda data: {"data": data, "diagnostic": diagnostic},
        "SynthesisForm": lambda data: {"data": data, "axes": synthesis(diagnostic).axes},
        "BudgetLinesForm": lambda data: {
            "data": data,
            "funders": ["ars_am", "other"],
            "amounts": {},
            "days": None,
            "per_day": True,
            "version": 1,
        },
        "PrefillForm": lambda data: {"data": data, "years": [2025]},
        "ImportForm": lambda data: {"data": data, "user": users["asso"]},
        "SectionForm": lambda data: {"data": data, "user": users["asso"]},
        "ScenarioForm": lambda data: {"data": data, "budget": budget},
        "MeasureForm": lambda data: {"data": data, "contract": contract},
        "ConsultationForm": lambda data: {"data": data, "establishments": contract.establishments.all()},
        "ObjectiveForm": lambda data: {"data": data, "contract": contract, "level": Level.OPERATIONAL},
        "IndicatorForm": lambda data: {"data": data, "objective": operational},
        "MilestoneForm": lambda data: {"data": data, "objective": operational},
        "EstablishmentForm": lambda data: {"data": data, "managing_bodies": ManagingBody.objects.all()},
        "DraftingForm": lambda data: {
            "data": data,
            "models": list(ContractModel.objects.filter(authority=None)),
            "spec": ContractModelSpec.from_json(ContractModel.objects.get(authority=None, code="pdl-2011").clauses),
            "parties": [("ARS-52", "ARS Pays de la Loire"), ("CD-44", "Conseil départemental de Loire-Atlantique")],
        },
        **{
            form.__name__: lambda data: {"amendment": Amendment(contract=contract, version=1), "data": data}
            for form in CHANGE_FORMS.values()
        },
        "ProrogationForm": lambda data: {"labels": ["ARS Pays de la Loire"], "data": data},
        "RenewalForm": lambda data: {"contract": contract, "data": data},
    }

    def form(cls, data=None):
        kwargs = builders.get(cls.__name__, lambda data: {"data": data})(data)
        return cls(**kwargs)

    return form


def text_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.CharField)]


def test_the_walk_finds_the_forms_of_every_app():
    names = {cls.__name__ for cls in FORMS}
    assert {
        "ContractForm",
        "FindingForm",
        "AnalysisForm",
        "SheetForm",
        "ScenarioForm",
        "BudgetLinesForm",
        "ImportForm",
        "EstablishmentForm",
        "NewMemberForm",
        "NegotiationForm",
        "TransitionForm",
        "LoginForm",
    } <= names


@pytest.mark.parametrize("cls", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_no_field_reads_a_control_character(build, cls):
    blank = build(cls)
    names = text_fields(blank)
    typed = {blank.add_prefix(name): f"Ligne 1\x0bLigne 2 {MEANINGLESS}fin" for name in names}
    form = build(cls, typed)
    form.is_valid()
    for name in names:
        assert form[name].data == "Ligne 1\nLigne 2 fin", name
        if name in form.cleaned_data and isinstance(form.cleaned_data[name], str):
            assert not set(form.cleaned_data[name]) & set(CONTROL_CHARACTERS), name


# Numbers that are not amounts, rates or counts: a year is not grouped (« 2 025 »), a score goes from 1 to 4.
NOT_QUANTITIES = {"ImportForm.year", "ObjectiveForm.stakes", "ObjectiveForm.feasibility"}


def number_fields(form) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, (forms.DecimalField, forms.IntegerField))
        and not isinstance(field.widget, forms.HiddenInput)
        and f"{type(form).__name__}.{name}" not in NOT_QUANTITIES
    ]


@pytest.mark.parametrize("cls", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_every_amount_rate_and_count_is_a_text_input_read_the_french_way(build, cls):
    blank = build(cls)
    names = number_fields(blank)
    for name in names:
        html = str(blank[name])
        assert 'type="text"' in html and ('inputmode="decimal"' in html or 'inputmode="numeric"' in html), (name, html)
    form = build(cls, {blank.add_prefix(name): "1 200" for name in names})
    form.is_valid()
    for name in names:
        assert name not in form.errors or "n'est pas un nombre" not in " ".join(form.errors[name]), (
            name,
            form.errors[name],
        )
        if name in form.cleaned_data:
            assert form.cleaned_data[name] == 1200, name
    refused = build(cls, {blank.add_prefix(name): "douze cents" for name in names})
    refused.is_valid()
    for name in names:
        label = blank.fields[name].label
        assert refused.errors[name][0].startswith(f"{label} : « douze cents » n'est pas un nombre"), refused.errors[
            name
        ]


@pytest.mark.parametrize("cls", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_every_text_has_a_bound_a_person_would_accept_and_a_longer_one_is_refused_in_french(build, cls):
    blank = build(cls)
    names = text_fields(blank)
    probe = build(cls, {})
    probe.is_valid()  # fields a form adds after its __init__ get their bounds when it validates
    limits = {name: probe.fields[name].max_length for name in names}
    assert all(limit is not None and limit <= LONG_TEXT for limit in limits.values()), limits
    form = build(cls, {blank.add_prefix(name): "x" * (limit + 1) for name, limit in limits.items()})
    form.is_valid()
    for name, limit in limits.items():
        message = f"{grouped(limit, 0)} caractères au plus (vous en avez saisi {grouped(limit + 1, 0)})."
        assert message in form.errors.get(name, []), (name, form.errors.get(name))
        assert not any("Assurez-vous" in error for error in form.errors[name]), form.errors[
            name
        ]  # one message, not two
    fitting = build(cls, {blank.add_prefix(name): "x" * limit for name, limit in limits.items()})
    fitting.is_valid()
    assert not any("caractères au plus" in " ".join(fitting.errors.get(name, [])) for name in names)


def date_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.DateField)]


@pytest.mark.parametrize("cls", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_every_date_has_a_plausible_window(build, cls):
    blank = build(cls)
    for typed in ("1850-01-01", "2999-01-01"):
        form = build(cls, {blank.add_prefix(name): typed for name in date_fields(blank)})
        form.is_valid()
        for name in date_fields(blank):
            errors = " ".join(form.errors.get(name, []))
            assert (
                "La date doit être comprise entre le " in errors
                and f"(vous avez saisi le {typed[8:]}/{typed[5:7]}/{typed[:4]})" in errors
            ), (name, errors)
    within = build(cls, {blank.add_prefix(name): date.today().isoformat() for name in date_fields(blank)})
    within.is_valid()
    assert not any("La date doit être comprise" in " ".join(within.errors.get(name, [])) for name in date_fields(blank))


def test_every_admin_form_of_cpom_that_edits_passes_the_same_door(rf, users):
    """The audit journal's admin is left to its own app (it is to be read-only)."""
    from django.contrib import admin

    from cpom.web.inputs import TypedInputMixin

    request = rf.get("/admin/")
    request.user = users["admin"]
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("cpom.") or model._meta.app_label == "audit":
            continue
        if model_admin.has_change_permission(request) or model_admin.has_add_permission(request):
            forms_used = [model_admin.get_form(request)] + [
                inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
            ]
            assert all(issubclass(form, TypedInputMixin) for form in forms_used), model
            checked.append(model.__name__)
    assert {"Contract", "Establishment", "ManagingBody", "Membership"} <= set(checked)


def test_an_admin_edit_drops_control_characters(client_for, association_contract):
    from cpom.registry.models import ManagingBody

    body = association_contract.managing_body
    client = client_for("admin")
    page = client.get(f"/admin/registry/managingbody/{body.pk}/change/")
    data = {
        **page.context["adminform"].form.initial,
        "name": "Association\x1b Les Chemins\x07 du Lac",
        "street": "",
        "city": "",
    }
    data = {key: value for key, value in data.items() if value is not None}
    client.post(f"/admin/registry/managingbody/{body.pk}/change/", data)
    assert ManagingBody.objects.get(pk=body.pk).name == "Association Les Chemins du Lac"
