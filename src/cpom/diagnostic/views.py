"""Pages of the shared diagnostic. Views look things up and render; the rules are in services."""

from collections import Counter
from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from cpom.contracts.pages import contract_page
from cpom.core.locking import STALE_STATUS
from cpom.indicators.models import Indicator
from cpom.registry.categories import CATEGORY_CHOICES
from cpom.web.refusals import forbid

from . import rules, services
from .forms import AnalysisForm, AttachmentForm, FindingForm, RemarkForm, SynthesisForm, perspective_field
from .models import Attachment, Finding, Nature, Part, TemplateSection

CATEGORY_LABELS = dict(CATEGORY_CHOICES)


# --- Looking things up ---------------------------------------------------------------------------------------------


def diagnostic_page(view):
    """The contract's page (cpom.contracts.pages.contract_page) of its diagnostic, passed to the view."""

    @contract_page("diagnostic")
    @wraps(view)
    def wrapper(request, contract, **kwargs):
        try:
            diagnostic = services.diagnostic_for(contract)
        except services.NoTemplate as missing:
            # No frame loaded yet: a configuration step, said plainly rather than a server error.
            return render(
                request, "diagnostic/no_template.html", {"contract": contract, "reason": str(missing)}, status=503
            )
        except services.NoDiagnostic as missing:
            return render(
                request, "diagnostic/no_diagnostic.html", {"contract": contract, "reason": str(missing)}, status=404
            )
        diagnostic.contract = contract
        return view(request, diagnostic, **kwargs)

    return wrapper


def _establishment(request, contract):
    """The level asked for by ?finess=: None for the consolidated level, else an establishment of the perimeter."""
    finess = request.GET.get("finess", "").strip()
    if not finess:
        return None
    return get_object_or_404(contract.establishments.all(), finess=finess)


def _level_query(establishment) -> str:
    return "?" + urlencode({"finess": establishment.finess}) if establishment else ""


# --- Home: the frame as a tree, the check-list and the findings ----------------------------------------------------


@dataclass
class SectionRow:
    section: TemplateSection
    consolidated: bool
    establishments: int
    selected: bool
    findings: int
    children: list["SectionRow"] = field(default_factory=list)


def _section_rows(diagnostic, establishment) -> dict[str, list[SectionRow]]:
    """Each part of the frame with, per section, what is written at each level and its count of findings."""
    written = list(diagnostic.entries.exclude(text="").values_list("section_id", "establishment_id"))
    consolidated = {s for s, e in written if e is None}
    per_establishment = Counter(s for s, e in written if e is not None)
    selected = {s for s, e in written if establishment is not None and e == establishment.pk}
    findings = Counter(diagnostic.findings.values_list("section_id", flat=True))
    rows: dict[int, SectionRow] = {}
    parts: dict[str, list[SectionRow]] = {part: [] for part in Part.values}
    for section in diagnostic.template.sections.all():
        row = SectionRow(
            section,
            section.pk in consolidated,
            per_establishment[section.pk],
            section.pk in selected,
            findings[section.pk],
        )
        rows[section.pk] = row
        parent = rows.get(section.parent_id)
        (parent.children if parent else parts[section.part]).append(row)
    return parts


@diagnostic_page
def home(request, diagnostic):
    contract = diagnostic.contract
    establishment = _establishment(request, contract)
    nature = request.GET.get("nature", "")
    findings = diagnostic.findings.select_related("section", "establishment")
    if nature in Nature.values:
        findings = findings.filter(nature=nature)
    lines = services.checklist(diagnostic)
    parts = _section_rows(diagnostic, establishment)
    return render(
        request,
        "diagnostic/home.html",
        {
            "contract": contract,
            "diagnostic": diagnostic,
            "establishment": establishment,
            "establishments": contract.establishments.order_by("category", "name"),
            "level_query": _level_query(establishment),
            # The level selector keeps the findings filter.
            "keep": [("nature", nature)] if nature else [],
            "parts": [(Part(code).label, code, parts[code]) for code in Part.values if parts[code]],
            "checklist": lines,
            "missing": [line for line in lines if not line.covered],
            "findings": findings,
            "natures": Nature.choices,
            "nature": nature,
            **rules.rights(request.user, contract),
        },
    )


# --- A section: analysis, remarks, indicators, attachments, findings -----------------------------------------------


@dataclass
class GuidanceItem:
    text: str
    children: list[str] = field(default_factory=list)


@dataclass
class GuidanceBlock:
    """A paragraph (``items`` empty) or a bulleted list (``text`` empty) of the section's guidance."""

    text: str = ""
    items: list[GuidanceItem] = field(default_factory=list)


def guidance_blocks(guidance: str) -> list[GuidanceBlock]:
    """The frame writes its « Exemples » as « - » lines (indented for sub-items): shown as lists, not raw dashes."""
    blocks: list[GuidanceBlock] = []
    for line in guidance.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("- "):
            blocks.append(GuidanceBlock(text=stripped))
            continue
        if not blocks or not blocks[-1].items:
            blocks.append(GuidanceBlock())
        items = blocks[-1].items
        if line.startswith((" ", "\t")) and items:
            items[-1].children.append(stripped[2:])
        else:
            items.append(GuidanceItem(stripped[2:]))
    return blocks


@dataclass
class ConsolidatedRow:
    indicator: object
    cells: list
    # Said once for the row when no category could be consolidated, for the same reason.
    common_reason: str = ""


@dataclass
class ConsolidatedTable:
    """The perimeter's indicators: one column per homogeneous category (with its count), one row per indicator."""

    year: int | None
    categories: list[tuple[str, str, int]]
    rows: list[ConsolidatedRow]


def _consolidated_table(section, contract) -> ConsolidatedTable:
    lines = services.section_indicators(section, None, contract)
    categories = {}
    cells: dict[str, dict] = {}
    indicators = {}
    for line in lines:
        categories.setdefault(
            line.category, (line.category, CATEGORY_LABELS.get(line.category, line.category), line.members)
        )
        indicators.setdefault(line.indicator.code, line.indicator)
        cells.setdefault(line.indicator.code, {})[line.category] = line
    ordered = sorted(categories.values())
    rows = []
    for code, indicator in indicators.items():
        row = [cells[code].get(category) for category, _, _ in ordered]
        reasons = {line.reason for line in row if line is not None and line.value is None}
        all_missing = all(line is not None and line.value is None for line in row)
        rows.append(ConsolidatedRow(indicator, row, reasons.pop() if all_missing and len(reasons) == 1 else ""))
    # Indicators with no stored value anywhere in the perimeter are still listed, with the reason.
    absent = Indicator.objects.filter(catalogue__authority=None, code__in=section.indicator_codes).exclude(
        code__in=indicators
    )
    for indicator in sorted(absent, key=lambda i: section.indicator_codes.index(i.code)):
        rows.append(ConsolidatedRow(indicator, [None] * len(ordered), _not_consolidated(indicator)))
    return ConsolidatedTable(lines[0].year if lines else None, ordered, rows)


def _not_consolidated(indicator) -> str:
    if indicator.declared:
        return "indicateur déclaratif : à renseigner dans l'analyse de chaque établissement"
    return "aucune valeur calculée pour les établissements du périmètre"


def _neighbours(section) -> tuple[TemplateSection | None, TemplateSection | None]:
    sections = list(section.template.sections.all())
    index = next(n for n, s in enumerate(sections) if s.pk == section.pk)
    return (sections[index - 1] if index else None, sections[index + 1] if index + 1 < len(sections) else None)


def _section_context(request, diagnostic, section, establishment, forms: dict) -> dict:
    contract = diagnostic.contract
    entry = services.entry_for(diagnostic, section, establishment)
    previous, following = _neighbours(section)
    findings = diagnostic.findings.filter(section=section).select_related("establishment")
    return {
        "contract": contract,
        "diagnostic": diagnostic,
        "section": section,
        "parent": section.parent,
        "guidance": guidance_blocks(section.guidance),
        "establishment": establishment,
        "establishments": contract.establishments.order_by("category", "name"),
        "level_query": _level_query(establishment),
        "entry": entry,
        "remarks": entry.remarks.select_related("authority", "author") if entry else [],
        "attachments": entry.attachments.select_related("uploaded_by") if entry else [],
        "indicators": services.section_indicators(section, establishment) if establishment else [],
        "consolidated": None if establishment else _consolidated_table(section, contract),
        "findings": findings,
        "previous": previous,
        "following": following,
        "analysis_form": forms.get("analysis")
        or AnalysisForm(
            initial={
                "text": entry.text if entry else "",
                "version": entry.version if entry else 1,
            }
        ),
        "remark_form": forms.get("remark") or RemarkForm(),
        "attachment_form": forms.get("attachment") or AttachmentForm(),
        **rules.rights(request.user, contract),
    }


def _post_analysis(request, diagnostic, section, establishment):
    forbid(rules.analysis_refusal(request.user, diagnostic.contract))
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        return {"analysis": form}, 400
    try:
        services.save_analysis(
            diagnostic,
            section,
            establishment,
            request.user,
            form.cleaned_data["text"],
            form.cleaned_data["version"],
        )
    except services.StaleDiagnostic as stale:
        form.add_error(None, str(stale))
        return {"analysis": form}, STALE_STATUS
    messages.success(request, "L'analyse est enregistrée.")
    return None, 200


def _post_remark(request, diagnostic, section, establishment):
    forbid(rules.remark_refusal(request.user, diagnostic.contract))
    form = RemarkForm(request.POST)
    if not form.is_valid():
        return {"remark": form}, 400
    services.add_remark(diagnostic, section, establishment, request.user, form.cleaned_data["text"])
    messages.success(request, "La remarque est ajoutée.")
    return None, 200


def _post_attachment(request, diagnostic, section, establishment):
    forbid(rules.attachment_refusal(request.user, diagnostic.contract))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return {"attachment": form}, 400
    upload = form.cleaned_data["file"]
    try:
        services.check_upload_size(upload.name, upload.size)
        attachment = services.add_attachment(
            diagnostic,
            section,
            establishment,
            request.user,
            upload.name,
            upload.read(),
            form.cleaned_data["kind"],
            form.cleaned_data["label"],
        )
    except services.DiagnosticRefused as refused:
        form.add_error("file", str(refused))
        return {"attachment": form}, 400
    messages.success(request, f"Le document « {attachment.label} » est joint.")
    return None, 200


POST_ACTIONS = {"analysis": _post_analysis, "remark": _post_remark, "attachment": _post_attachment}
ANCHORS = {"analysis": "analyse", "remark": "remarques", "attachment": "documents"}


@diagnostic_page
def section(request, diagnostic, section_code):
    section = get_object_or_404(diagnostic.template.sections.select_related("parent", "template"), code=section_code)
    establishment = _establishment(request, diagnostic.contract)
    forms, status = {}, 200
    if request.method == "POST":
        action = POST_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            return HttpResponseBadRequest("Action inconnue.")
        forms, status = action(request, diagnostic, section, establishment)
        if forms is None:
            # Back to the part of the page just written, where the confirmation is read in context.
            return redirect(
                _section_url(diagnostic.contract, section, establishment) + "#" + ANCHORS[request.POST["action"]]
            )
    context = _section_context(request, diagnostic, section, establishment, forms)
    return render(request, "diagnostic/section.html", context, status=status)


def _section_url(contract, section, establishment=None) -> str:
    url = reverse("diagnostic:section", kwargs={"contract_id": contract.pk, "section_code": section.code})
    return url + _level_query(establishment)


# --- Attachments ----------------------------------------------------------------------------------------------------


@diagnostic_page
def attachment(request, diagnostic, attachment_id):
    """Downloads only: a stored document is never shown inline, so it cannot run in the platform's pages."""
    document = get_object_or_404(Attachment, pk=attachment_id, entry__diagnostic=diagnostic)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Le fichier de cette pièce jointe est introuvable.") from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Findings -------------------------------------------------------------------------------------------------------


def _finding_url(finding) -> str:
    return reverse(
        "diagnostic:finding", kwargs={"contract_id": finding.diagnostic.contract_id, "finding_id": finding.pk}
    )


def _create_initial(request, diagnostic) -> dict:
    """A finding started from a section page comes with its theme and, at establishment level, its establishment."""
    initial = {}
    section_code = request.GET.get("section", "")
    section = diagnostic.template.sections.filter(code=section_code).first()
    if section:
        initial["section"] = section
    establishment = diagnostic.contract.establishments.filter(finess=request.GET.get("finess", "")).first()
    if establishment:
        initial.update(level="establishment", establishment=establishment)
    return initial


@diagnostic_page
def finding_create(request, diagnostic):
    contract = diagnostic.contract
    forbid(rules.finding_refusal(request.user, contract))
    form = FindingForm(
        request.POST or None,
        diagnostic=diagnostic,
        initial=_create_initial(request, diagnostic),
        instance=Finding(diagnostic=diagnostic),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            finding = services.save_finding(diagnostic, request.user, form.cleaned_data)
            messages.success(request, "Le constat est enregistré.")
            return redirect(_finding_url(finding))
        status = 400
    return render(
        request,
        "diagnostic/finding.html",
        {
            "contract": contract,
            "diagnostic": diagnostic,
            "form": form,
            "finding": None,
            **rules.rights(request.user, contract),
        },
        status=status,
    )


@diagnostic_page
def finding(request, diagnostic, finding_id):
    contract = diagnostic.contract
    queryset = diagnostic.findings.select_related("section", "establishment", "authority")
    current = get_object_or_404(queryset, pk=finding_id)
    may_edit = rules.may_edit_finding(request.user, current)
    form, status = None, 200
    if request.method == "POST":
        forbid(rules.finding_edit_refusal(request.user, current))
        # The form works on its own copy: the page keeps showing the stored finding if the save is refused.
        form = FindingForm(request.POST, diagnostic=diagnostic, instance=queryset.get(pk=current.pk))
        if form.is_valid():
            try:
                services.save_finding(
                    diagnostic, request.user, form.cleaned_data, current, form.cleaned_data["version"] or 0
                )
            except services.StaleDiagnostic as stale:
                form.add_error(None, str(stale))
                status = STALE_STATUS
            else:
                messages.success(request, "Le constat est mis à jour.")
                return redirect(_finding_url(current))
        else:
            status = 400
    elif may_edit:
        form = FindingForm(diagnostic=diagnostic, instance=queryset.get(pk=current.pk))
    return render(
        request,
        "diagnostic/finding.html",
        {
            "contract": contract,
            "diagnostic": diagnostic,
            "finding": current,
            "form": form,
            "objectives": current.objectives.order_by("number"),
            "indicators": current.evidence_indicators.order_by("catalogue_id", "pk"),
            "attachments": current.evidence_attachments.all(),
            **rules.rights(request.user, contract),
        },
        status=status,
    )


# --- Synthesis ------------------------------------------------------------------------------------------------------


def _synthesis_initial(diagnostic, result) -> dict:
    initial = {"salient_issues": diagnostic.salient_issues, "version": diagnostic.version}
    initial.update({perspective_field(axis.section.code): axis.perspectives for axis in result.axes})
    return initial


@diagnostic_page
def synthesis(request, diagnostic):
    contract = diagnostic.contract
    result = services.synthesis(diagnostic)
    form, status = None, 200
    if request.method == "POST":
        forbid(rules.synthesis_refusal(request.user, contract))
        form = SynthesisForm(request.POST, axes=result.axes)
        if form.is_valid():
            try:
                services.save_synthesis(
                    diagnostic,
                    request.user,
                    form.cleaned_data["salient_issues"],
                    form.perspectives(),
                    form.cleaned_data["version"],
                )
            except services.StaleDiagnostic as stale:
                form.add_error(None, str(stale))
                status = STALE_STATUS
            else:
                messages.success(request, "La synthèse est enregistrée.")
                return redirect("diagnostic:synthesis", contract_id=contract.pk)
        else:
            status = 400
    elif rules.may_contribute(request.user, contract):
        form = SynthesisForm(initial=_synthesis_initial(diagnostic, result), axes=result.axes)
    return render(
        request,
        "diagnostic/synthesis.html",
        {
            "contract": contract,
            "diagnostic": diagnostic,
            "synthesis": result,
            "form": form,
            **rules.rights(request.user, contract),
        },
        status=status,
    )
