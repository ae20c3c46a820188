"""The launch kit's pages: the kit (committee, referents, RACI, check-list, schedule and its Gantt chart, letters),
the RACI matrix's form, and the buttons. Thin: the services decide and record, the rules say who may."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpom.contracts.pages import contract_page
from cpom.contracts.rules import can_edit_contract
from cpom.core.locking import StaleWrite
from cpom.documents.http import document_response
from cpom.web.refusals import flash_refusal

from . import letters, rules, services
from .forms import MemberForm, StepDoneForm, TickForm
from .gantt import gantt
from .models import LaunchKit, LetterKind, RaciRole
from .schedule import ACTOR_LABELS

LETTER_SLUGS = {"cadrage": LetterKind.FRAMING, "reponse": LetterKind.REPLY}


def _kit_or_404(contract) -> LaunchKit:
    kit = services.kit_of(contract)
    if kit is None:
        raise Http404("Ce contrat n'a pas encore de kit de lancement.")
    return kit


def _home(contract):
    return redirect("launch:home", contract_id=contract.pk)


def _members(kit):
    return list(kit.members.select_related("contact", "user", "authority"))


def _kit_context(request, contract, kit, member_form=None):
    today = timezone.localdate()
    plan = services.schedule_of(kit, today)
    members = _members(kit)
    matrix = services.matrix_of(kit)
    refusal = rules.edit_refusal(request.user, contract)
    rows = [
        {
            "progress": row,
            "actor": ACTOR_LABELS[row.planned.step.actor],
            "done_by": plan.done_by.get(row.planned.step.code, ""),
            "record": plan.records.get(row.planned.step.code),
        }
        for row in plan.progress
    ]
    return {
        "kit": kit,
        "members": members,
        "referents": [m for m in members if m.is_referent],
        "member_form": member_form
        or MemberForm(initial={"version": kit.version}, candidates=services.candidates(contract)),
        "matrix_rows": [
            {"step": step, "cells": [matrix.get(step.code, {}).get(m.pk, "") for m in members]} for step in plan.steps
        ],
        "checklist": list(kit.checklist.select_related("ticked_by")),
        "schedule": plan,
        "schedule_rows": rows,
        "chart": gantt(plan.progress, today) if plan.progress else None,
        "today": today,
        "letters": list(kit.letters.select_related("issued_by").order_by("-issued_at")),
        "may_edit": refusal is None,
        "edit_refusal": refusal,
        # The target signature date is the contract's frame: its lead authority sets it there.
        "may_edit_frame": can_edit_contract(request.user, contract),
    }


@contract_page("launch")
def home(request, contract):
    kit = services.kit_of(contract)
    if kit is None:
        return render(
            request,
            "launch/no_kit.html",
            {
                "may_create": rules.edit_refusal(request.user, contract) is None,
                "refusal": rules.edit_refusal(request.user, contract),
            },
        )
    return render(request, "launch/kit.html", _kit_context(request, contract, kit))


@contract_page("launch")
@require_POST
def create(request, contract):
    try:
        services.create_kit(request.user, contract)
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "Le kit de lancement est créé, avec la check-list de la réunion de lancement.")
    return _home(contract)


@contract_page("launch")
@require_POST
def add_member(request, contract):
    kit = _kit_or_404(contract)
    form = MemberForm(request.POST, candidates=services.candidates(contract))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _home(contract)
    try:
        member = services.add_member(
            request.user,
            kit,
            form.cleaned_data["version"],
            form.cleaned_data["choice"],
            form.cleaned_data["is_referent"],
        )
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"{member.name} rejoint le comité de pilotage.")
    return _home(contract)


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@contract_page("launch")
@require_POST
def remove_member(request, contract, member_id):
    kit = _kit_or_404(contract)
    try:
        services.remove_member(request.user, kit, _version(request), member_id)
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "Le membre est retiré du comité de pilotage.")
    return _home(contract)


@contract_page("launch")
@require_POST
def set_referent(request, contract, member_id):
    kit = _kit_or_404(contract)
    try:
        member = services.set_referent(request.user, kit, _version(request), member_id)
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"{member.name} est le référent de {member.organisation_label}.")
    return _home(contract)


def _posted_matrix(request, kit, members) -> dict[str, dict[int, str]]:
    matrix: dict[str, dict[int, str]] = {}
    for step in services.steps_of(kit.contract):
        for member in members:
            role = request.POST.get(f"raci-{step.code}-{member.pk}", "").strip().upper()
            if role:
                matrix.setdefault(step.code, {})[member.pk] = role
    return matrix


@contract_page("launch")
def raci_form(request, contract):
    kit = _kit_or_404(contract)
    members = _members(kit)
    steps = services.steps_of(contract)
    errors, status = [], 200
    matrix = services.matrix_of(kit)
    if request.method == "POST":
        matrix = _posted_matrix(request, kit, members)
        refusal = rules.edit_refusal(request.user, contract)
        try:
            if refusal:
                raise services.LaunchRefused(refusal)
            services.save_matrix(request.user, kit, _version(request), matrix)
        except StaleWrite:
            raise
        except services.LaunchRefused as refused:
            errors, status = refused.reasons, 400
        else:
            messages.success(request, "La matrice RACI est enregistrée.")
            return redirect("launch:home", contract_id=contract.pk)
    rows = [{"step": step, "cells": [(m, matrix.get(step.code, {}).get(m.pk, "")) for m in members]} for step in steps]
    return render(
        request,
        "launch/raci_form.html",
        {
            "kit": kit,
            "members": members,
            "rows": rows,
            "roles": RaciRole.choices,
            "errors": errors,
            "may_edit": rules.edit_refusal(request.user, contract) is None,
            "edit_refusal": rules.edit_refusal(request.user, contract),
        },
        status=status,
    )


@contract_page("launch")
@require_POST
def raci_default(request, contract):
    kit = _kit_or_404(contract)
    try:
        services.apply_default_matrix(request.user, kit, _version(request))
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "La matrice RACI reprend sa version par défaut ; adaptez-la à votre organisation.")
    return _home(contract)


@contract_page("launch")
@require_POST
def tick(request, contract, item_id):
    kit = _kit_or_404(contract)
    item = get_object_or_404(kit.checklist.select_related("kit__contract"), pk=item_id)
    form = TickForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        item = services.tick(request.user, item, data.get("version"), bool(data.get("ticked")), data.get("comment", ""))
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        said = "est coché" if item.is_ticked else "n'est plus coché"
        messages.success(request, f"Le point « {item.label} » {said} ; le commentaire est enregistré.")
    return _home(contract)


@contract_page("launch")
@require_POST
def step_done(request, contract, step):
    kit = _kit_or_404(contract)
    form = StepDoneForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _home(contract)
    try:
        services.mark_step_done(
            request.user, kit, step, form.cleaned_data["done_on"], form.cleaned_data.get("comment", "")
        )
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "L'étape est déclarée réalisée ; le rétroplanning est à jour.")
    return _home(contract)


@contract_page("launch")
@require_POST
def step_undo(request, contract, step):
    kit = _kit_or_404(contract)
    try:
        services.undo_step(request.user, kit, step)
    except services.LaunchRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "L'étape est de nouveau à faire.")
    return _home(contract)


@contract_page("launch")
@require_POST
def letter(request, contract, kind):
    kit = _kit_or_404(contract)
    if kind not in LETTER_SLUGS:
        raise Http404("Cette lettre n'existe pas.")
    name, content = letters.generate(request.user, kit, LETTER_SLUGS[kind])
    return document_response(content, name.removesuffix(".docx"), "docx")
