"""The contract itself: its whole content as plain data (the snapshot), then the document generated from it.

``contract_snapshot`` reads everything the contract says (frame, parties, perimeter, diagnostic synthesis,
objectives and their fiches, intentions, indicators, reference budget, envelopes, daily prices, growth, drafting)
into JSON-able data: decimals as the strings stored, dates in ISO, the model's clauses copied in. The document is
rendered from the snapshot only, so that a sealed version renders again the same, whatever changed since.

Others code against this module: keep the names and signatures of the public functions.
"""

import hashlib
import json
import re
from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse

from cpom.contracts.guards import Blocker
from cpom.contracts.models import Contract
from cpom.core.formatting import DATE_TO_SET, NOT_FILLED, filled, label, money
from cpom.core.numbers import percent, rate
from cpom.registry import territories
from cpom.registry.models import AuthorityKind, LegalStatus

from . import template
from .layout import Banner, Block, Bullet, Document, Heading, PageBreak, Signature, Table, TableOfContents, Text
from .pdf import to_pdf
from .word import to_docx

SNAPSHOT_FORMAT = 1
DRAFT_WATERMARK = "PROJET"
NUMBER_WORDS = {1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}
# A managing body is « l'association », « la fondation », « la société »: « à laquelle », « qu'elle »; « l'établissement
# public » and « le groupement » are masculine.
FEMININE_STATUSES = {LegalStatus.ASSOCIATION, LegalStatus.FOUNDATION, LegalStatus.COMMERCIAL}
FEMININE_CIVILITY = "Mme"
MISSING = "[à compléter : {label}]"
# The data a model may print that the registry holds, and may lack: its label for the reader.
REGISTRY_TEXTS = {"og_address": "Adresse de l'organisme gestionnaire (fiche de l'organisme au registre)"}
MANAGING_BODY_MEANS = "Moyens apportés par l'organisme gestionnaire"
AUTHORITY_MEANS = "Moyens apportés par l'autorité"

# --- Context from the stages above (consultations live in cpom.signing, above the documents) ------------------

ContextHook = Callable[[Contract], dict]
_CONTEXT_HOOKS: list[ContextHook] = []


def register_context(hook: ContextHook) -> None:
    """A later stage adds to the snapshot's « context » (e.g. {"deliberation_date": "2026-11-20"})."""
    if hook not in _CONTEXT_HOOKS:
        _CONTEXT_HOOKS.append(hook)


# --- The snapshot ---------------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def authority_code(authority) -> str:
    """« ARS-52 », « CD-44 »: how a drafting's per-party parameters name the party."""
    return f"{authority.kind}-{authority.territory}"


def contract_snapshot(contract: Contract) -> dict:
    """The whole content of ``contract`` as plain data; the same data always gives the same dict."""
    return _snapshot(contract, content=True)


def _snapshot(contract: Contract, content: bool) -> dict:
    """Without ``content``, the diagnostic and the objectives are left out: what the drafting's parameters depend on
    (parties, perimeter, budget) is all the readiness guard reads, on every contract page."""
    from .drafting import drafting_of

    parties = list(
        contract.parties.admitted()
        .select_related("authority")
        .order_by("-is_lead", "authority__kind", "authority__territory")
    )
    establishments = list(contract.establishments.prefetch_related("funders").order_by("name", "finess"))
    drafting = drafting_of(contract)
    context: dict = {}
    for hook in _CONTEXT_HOOKS:
        context.update(hook(contract))
    body = contract.managing_body
    return {
        "format": SNAPSHOT_FORMAT,
        "contract": {
            "reference": contract.reference,
            "title": contract.title,
            "legal_basis": contract.legal_basis,
            "legal_basis_label": contract.get_legal_basis_display(),
            "start_date": _date(contract.start_date),
            "end_date": _date(contract.end_date),
            "duration_years": contract.duration_years,
        },
        "managing_body": {
            "name": body.name,
            "legal_status": body.legal_status,
            "legal_status_label": body.get_legal_status_display(),
            "siren": body.siren,
            "legal_finess": body.legal_finess,
            "street": body.street,
            "postal_code": body.postal_code,
            "city": body.city,
        },
        "parties": [
            {
                "code": authority_code(p.authority),
                "kind": p.authority.kind,
                "territory": p.authority.territory,
                "name": p.authority.name,
                "is_lead": p.is_lead,
            }
            for p in parties
        ],
        "perimeter": [_establishment(e) for e in establishments],
        "diagnostic": _diagnostic(contract) if content else None,
        **(_objectives(contract) if content else {"strategic_objectives": [], "objectives": [], "intentions": []}),
        "budget": _budget(contract, establishments),
        "drafting": _drafting(drafting) if drafting else None,
        "context": {key: context[key] for key in sorted(context)},
    }


def _establishment(e) -> dict:
    return {
        "finess": e.finess,
        "name": e.name,
        "category": e.category,
        "category_label": e.get_category_display(),
        "authorised_places": e.authorised_places,
        "installed_places": e.installed_places,
        "department": e.department,
        "city": e.city,
        "funders": sorted(a.name for a in e.funders.all()),
    }


def _diagnostic(contract: Contract) -> dict | None:
    from cpom.diagnostic import services as diagnostic_services
    from cpom.diagnostic.models import Diagnostic

    from .synthesis import finding_bullet

    diagnostic = Diagnostic.objects.filter(contract=contract).first()
    if diagnostic is None:
        return None
    synthesis = diagnostic_services.synthesis(diagnostic)

    def findings(items) -> list[dict]:
        return [{"text": f.text, "detail": finding_bullet(f).detail} for f in items]

    return {
        "salient_issues": synthesis.salient_issues,
        "axes": [
            {
                "code": axis.section.code,
                "title": axis.section.title,
                "strengths": findings(axis.strengths),
                "weaknesses": findings(axis.weaknesses),
                "specificities": findings(axis.specificities),
                "perspectives": axis.perspectives,
            }
            for axis in synthesis.axes
        ],
    }


def _objectives(contract: Contract) -> dict:
    from cpom.objectives.models import Funding, Level, Status
    from cpom.objectives.readiness import number_order

    objectives = sorted(
        contract.objectives.exclude(status=Status.REJECTED)
        .select_related("parent", "sheet")
        .prefetch_related(
            "establishments",
            "priorities__authority",
            "milestones",
            "children",
            "findings__section",
            "findings__establishment",
            "indicators__targets",
            "indicators__catalogue_indicator",
        ),
        key=number_order,
    )
    start_year = contract.start_date.year
    strategic = [
        {"number": o.number, "title": o.title, "theme": o.theme} for o in objectives if o.level == Level.STRATEGIC
    ]
    operational = [o for o in objectives if o.level == Level.OPERATIONAL]
    return {
        "strategic_objectives": strategic,
        "objectives": [_objective(o, start_year) for o in operational if o.funding != Funding.INTENTION],
        "intentions": [_objective(o, start_year) for o in operational if o.funding == Funding.INTENTION],
    }


def _objective(o, start_year: int) -> dict:
    from cpom.objectives.models import Level

    from .synthesis import finding_bullet

    sheet = getattr(o, "sheet", None)
    milestones = sorted(o.milestones.all(), key=lambda m: (m.due_date is None, m.due_date or 0, m.pk))
    return {
        "number": o.number,
        "title": o.title,
        "theme": o.theme,
        "parent": {"number": o.parent.number, "title": o.parent.title} if o.parent else None,
        "due_year": o.due_year,
        "due_year_label": o.due_year_label,
        "funding": o.funding,
        "funding_label": o.get_funding_display(),
        "status": o.status,
        "status_label": o.get_status_display(),
        "establishments": sorted(e.name for e in o.establishments.all()),
        "findings": [
            {"text": f.text, "detail": finding_bullet(f).detail} for f in sorted(o.findings.all(), key=lambda f: f.pk)
        ],
        "priorities": [
            {"label": str(p), "detail": " · ".join(filter(None, [p.authority.name, p.source]))}
            for p in sorted(o.priorities.all(), key=lambda p: p.pk)
        ],
        "actions": [
            {
                "number": a.number,
                "title": a.title,
                "due_year_label": a.due_year_label,
                "status_label": a.get_status_display(),
            }
            for a in sorted(o.children.all(), key=lambda a: [int(p) if p.isdigit() else 0 for p in a.number.split(".")])
            if a.level == Level.ACTION
        ],
        "sheet": {
            "context": sheet.context if sheet else "",
            "problem_state": sheet.problem_state if sheet else "",
            "stakes": sheet.stakes_text if sheet else "",
            "implementation": sheet.implementation if sheet else "",
            "pilot": sheet.pilot if sheet else "",
            "partners": sheet.partners if sheet else "",
            "expected_results": sheet.expected_results if sheet else "",
            "constant_means_value": _text(sheet.constant_means_value) if sheet else "",
            "constant_means_note": sheet.constant_means_note if sheet else "",
            "managing_body_means": _text(sheet.managing_body_means) if sheet else "",
            "managing_body_means_note": sheet.managing_body_means_note if sheet else "",
            "authority_means": _text(sheet.authority_means) if sheet else "",
            "authority_means_note": sheet.authority_means_note if sheet else "",
        },
        "milestones": [{"label": m.label, "due_date": _date(m.due_date)} for m in milestones],
        "indicators": [
            {
                "label": i.label,
                "kind": i.kind,
                "kind_label": i.get_kind_display(),
                "origin": str(i.catalogue_indicator) if i.catalogue_indicator else "",
                "method": i.method,
                "unit": i.unit,
                "data_source": i.data_source,
                "baseline_value": i.baseline_value,
                "baseline_date": _date(i.baseline_date),
                "baseline_note": i.baseline_note,
                "targets": [
                    {"due_year": t.due_year, "year": start_year + t.due_year, "value": t.value}
                    for t in sorted(i.targets.all(), key=lambda t: t.due_year)
                ],
            }
            for i in sorted(o.indicators.all(), key=lambda i: i.pk)
        ],
    }


def _budget(contract: Contract, establishments) -> dict | None:
    from cpom.finance.budget import services as budget
    from cpom.finance.budget.envelope import booked
    from cpom.finance.models import FunderKind, ReferenceBudget

    reference = ReferenceBudget.objects.filter(contract=contract).first()
    if reference is None:
        return None
    funders = sorted({line.funder for line in budget.lines_of(reference)}, key=FunderKind.values.index)
    tables = []
    for funder in funders:
        amounts = budget.funder_amounts(reference, establishments, funder)
        tables.append(
            {
                "funder": funder,
                "funder_label": FunderKind(funder).label,
                "expenses": {str(g): str(amounts.expenses[g]) for g in sorted(amounts.expenses)},
                "income": {str(g): str(amounts.income[g]) for g in sorted(amounts.income)},
                "total_expenses": str(amounts.total_expenses),
                "total_income": str(amounts.total_income),
            }
        )
    envelopes = [
        {
            "funder": e.funder,
            # Two councils each pay their own money of the same kind: the authority names the envelope.
            "funder_label": f"{e.label} – {e.authority.name}" if e.authority else e.label,
            "amount": str(e.amount),
            "places": e.places,
            "instalment": str(e.instalments.regular),
            "last_instalment": str(e.instalments.last),
            "shares": [
                {
                    "finess": s.establishment.finess,
                    "name": s.establishment.name,
                    "amount": str(s.amount),
                    "percentage": str(s.shown_percentage),
                    "instalment": str(s.instalments.regular),
                    "last_instalment": str(s.instalments.last),
                }
                for s in e.shares
            ],
            "years": [
                {"label": y.label, "year": y.year, "rate": _text(y.rate), "amount": _text(y.amount)} for y in e.years
            ],
        }
        for e in budget.common_envelopes(reference, establishments)
    ]
    prices = [
        {
            "finess": p.establishment.finess,
            "name": p.establishment.name,
            "category_label": p.establishment.get_category_display(),
            "funder_label": p.funder_label,
            "days": p.days,
            "price": _text(booked(p.price)) if p.price is not None else "",
            "reason": p.reason,
        }
        for p in budget.daily_prices(reference, establishments)
    ]
    # Each funder sets the growth of its own envelope; the model's Titre 3.8 choice follows the lead's (listed first).
    growth = [
        {
            "authority": g.authority.name,
            "mode": g.mode or "",
            "mode_label": g.label,
            "rate": str(g.rate),
            "zero_rate_years": g.zero_rate_years,
            "contradictory": g.contradictory,
        }
        for g in budget.growth_by_funder(reference)
    ]
    lead = growth[0] if growth else {"mode": "", "zero_rate_years": 0}
    return {
        "base_year": reference.base_year,
        "growth_mode": lead["mode"],
        "zero_rate_years": lead["zero_rate_years"],
        "growth": growth,
        "tables": tables,
        "envelopes": envelopes,
        "daily_prices": prices,
    }


def _drafting(drafting) -> dict:
    model = drafting.model
    return {
        "model": {
            "code": model.code,
            "version": model.version,
            "title": model.title,
            "authority": model.authority.name if model.authority_id else "",
            "sha256": model.sha256,
            "clauses": model.clauses,
        },
        "choices": {k: drafting.choices[k] for k in sorted(drafting.choices)},
        "options": {k: drafting.options[k] for k in sorted(drafting.options)},
        "parameters": {k: drafting.parameters[k] for k in sorted(drafting.parameters)},
    }


# The version the parties signed lives in cpom.signing, above the documents: it registers how to find it.
SealedHook = Callable[[Contract], dict | None]
_SEALED_HOOKS: list[SealedHook] = []


def register_sealed(hook: SealedHook) -> None:
    """``hook(contract)`` gives the sealed version in force as {"snapshot": dict, "content_hash": str, "consolidation":
    str, "file": Callable[[str], bytes]}, or None when the contract has none. ``file("pdf")`` gives the bytes to serve:
    those the parties signed for the contract itself, the consolidated contract once an amendment changed it, whose
    « consolidation » line says which signed versions it consolidates."""
    if hook not in _SEALED_HOOKS:
        _SEALED_HOOKS.append(hook)


def sealed_document(contract: Contract) -> dict | None:
    """The sealed version in force, as its circuit gives it (see :func:`register_sealed`)."""
    return next((found for hook in _SEALED_HOOKS if (found := hook(contract)) is not None), None)


def canonical_json(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


# --- What the model needs from the data -----------------------------------------------------------------------


def _spec(snapshot: dict) -> template.ContractModelSpec:
    return template.ContractModelSpec.from_json(snapshot["drafting"]["model"]["clauses"])


def _feminine(civility: str) -> bool:
    return civility == FEMININE_CIVILITY


def _french_date(iso: str | None) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""


def _years_text(count: int) -> str:
    return f"{count} an{'s' if count > 1 else ''}"


def _bound(snapshot: dict) -> dict[str, str]:
    budget = snapshot["budget"]
    return {"growth_mode": budget["growth_mode"] if budget else ""}


def _context(snapshot: dict, spec: template.ContractModelSpec) -> template.Context:
    drafting = snapshot["drafting"]
    parameters = drafting["parameters"]
    body, frame = snapshot["managing_body"], snapshot["contract"]
    perimeter = snapshot["perimeter"]
    departments = sorted({e["department"] for e in perimeter})
    lead = next((p for p in snapshot["parties"] if p["is_lead"]), None)
    budget = snapshot["budget"] or {}
    health = next((e for e in budget.get("envelopes", []) if e["funder"] == "ars_am"), None)
    texts = {
        "og_name": body["name"],
        "og_address": ", ".join(
            filter(None, [body["street"], " ".join(filter(None, [body["postal_code"], body["city"]]))])
        ),
        "period": f"{frame['start_date'][:4]} à {frame['end_date'][:4]}"
        if frame["start_date"][:4] != frame["end_date"][:4]
        else frame["start_date"][:4],
        "start_year": frame["start_date"][:4],
        "end_year": frame["end_date"][:4],
        "duration_years": _years_text(frame["duration_years"]),
        "region_name": territories.region_name(lead["territory"]) if lead and lead["kind"] == AuthorityKind.ARS else "",
        "lead_name": lead["name"] if lead else "",
        "parties_count_words": NUMBER_WORDS.get(len(snapshot["parties"]) + 1, str(len(snapshot["parties"]) + 1)),
        "departments_names": ", ".join(territories.department_label(d) for d in departments),
        "deliberation_date": _french_date(snapshot["context"].get("deliberation_date")) or DATE_TO_SET,
        "reference": frame["reference"],
        "zero_rate_years": str(budget.get("zero_rate_years", "")),
        "places_total": str(sum(e["authorised_places"] for e in perimeter)),
        "establishments_count": str(len(perimeter)),
        "base_year": str(budget.get("base_year", "")),
        "health_insurance_envelope": money(Decimal(health["amount"])) if health else "",
        "health_insurance_establishments": str(len(health["shares"])) if health else "",
        "health_insurance_places": str(health["places"]) if health else "",
    }
    for parameter in spec.parameters:
        if parameter.scope == "contract":
            texts[parameter.id] = _parameter_text(parameter, parameters.get(parameter.id, ""))
    flags = {
        "og_feminine": body["legal_status"] in FEMININE_STATUSES,
        "several_departments": len(departments) > 1,
        "several_authorities": len(snapshot["parties"]) > 1,
        "has_esat": any(e["category"] == "ESAT" for e in perimeter),
        "has_health_insurance": health is not None,
        **{
            f"{p.id}_feminine": _feminine(parameters.get(p.id, ""))
            for p in spec.parameters
            if p.kind == "civility" and p.scope == "contract"
        },
    }
    authorities = []
    for party in snapshot["parties"]:
        item_texts = {"authority_name": party["name"]}
        item_flags = {"authority_feminine": party["kind"] == AuthorityKind.ARS}
        for p in spec.parameters:
            if p.scope == "party":
                value = (parameters.get(p.id) or {}).get(party["code"], "")
                item_texts[p.id] = _parameter_text(p, value)
                if p.kind == "civility":
                    item_flags[f"{p.id}_feminine"] = _feminine(value)
        authorities.append((item_texts, item_flags))
    labels = {**REGISTRY_TEXTS, **{p.id: p.label for p in spec.parameters}}
    return template.Context(
        texts=texts,
        flags=flags,
        items={
            "authorities": authorities,
            "departments": [
                ({"department_name": territories.department_label(d), "department_code": d}, {}) for d in departments
            ],
            "signatories": _signatories(snapshot, spec, texts),
        },
        missing=MISSING,
        labels=labels,
    )


def _parameter_text(parameter: template.Parameter, value) -> str:
    value = value if isinstance(value, str) else ""
    return _french_date(value) if parameter.kind == "date" and value else value


def _signatories(snapshot: dict, spec: template.ContractModelSpec, texts: dict) -> list:
    """The managing body first, then each authority, the lead last (the order of the signatures)."""
    parameters = snapshot["drafting"]["parameters"]
    names = {p.id for p in spec.parameters}

    def value(parameter_id: str, code: str | None = None) -> str:
        if parameter_id not in names:
            return ""
        raw = parameters.get(parameter_id, "")
        raw = (raw or {}).get(code, "") if code else raw
        return raw if isinstance(raw, str) else ""

    body = snapshot["managing_body"]["name"]
    items = [
        (
            {
                "signatory_org": body,
                "signatory_title": value("og_rep_title"),
                "signatory_name": " ".join(filter(None, [value("og_rep_civility"), value("og_rep_name")])),
                "signatory_role": "Organisme gestionnaire",
            },
            {"signatory_feminine": _feminine(value("og_rep_civility"))},
        )
    ]
    parties = sorted(snapshot["parties"], key=lambda p: p["is_lead"])
    for party in parties:
        items.append(
            (
                {
                    "signatory_org": party["name"],
                    "signatory_title": value("rep_title", party["code"]),
                    "signatory_name": " ".join(
                        filter(None, [value("rep_civility", party["code"]), value("rep_name", party["code"])])
                    ),
                    "signatory_role": "Autorité cheffe de file" if party["is_lead"] else "Autorité cosignataire",
                },
                {"signatory_feminine": _feminine(value("rep_civility", party["code"]))},
            )
        )
    return items


def _flags(snapshot: dict, spec: template.ContractModelSpec) -> dict:
    return dict(_context(snapshot, spec).flags)


def missing_from_snapshot(snapshot: dict) -> list[tuple[str, str]]:
    """(parameter id, French label) of every parameter an active clause needs and the drafting leaves empty; a
    per-party parameter is named with its authority."""
    if not snapshot["drafting"]:
        return [("model", "Modèle de contrat à choisir")]
    spec = _spec(snapshot)
    drafting = snapshot["drafting"]
    arguments = (spec, drafting["choices"], drafting["options"], _bound(snapshot), _flags(snapshot, spec))
    used = template.used_parameters(*arguments)
    missing = []
    texts = _context(snapshot, spec).texts
    for name in sorted(template.used_names(*arguments) & set(REGISTRY_TEXTS)):
        if not texts.get(name, "").strip():
            missing.append((name, REGISTRY_TEXTS[name]))
    for parameter in used:
        value = drafting["parameters"].get(parameter.id)
        if parameter.scope == "party":
            for party in snapshot["parties"]:
                if not ((value or {}).get(party["code"]) or "").strip():
                    missing.append((f"{parameter.id}:{party['code']}", f"{parameter.label} ({party['name']})"))
        elif not (value if isinstance(value, str) else "").strip():
            missing.append((parameter.id, parameter.label))
    return missing


def missing_parameters(contract) -> list[Blocker]:
    """Readiness guard: each parameter the chosen model needs and nobody filled, with the form that fills it."""
    drafting_url = reverse("documents:drafting", kwargs={"contract_id": contract.pk})
    registry_url = contract.managing_body.get_absolute_url()
    # The fiche signalétique names the legal entity by its FINESS (seed 004's annex): the registry must hold it.
    legal_finess = (
        []
        if contract.managing_body.legal_finess
        else [
            Blocker(
                "registry_legal_finess",
                "Fiche signalétique : le FINESS juridique de l'organisme gestionnaire n'est pas renseigné "
                "(fiche de l'organisme au registre).",
                registry_url,
            )
        ]
    )
    return legal_finess + [
        Blocker(
            "drafting_parameter",
            f"Rédaction du contrat : « {label_} » n'est pas renseigné.",
            registry_url if name in REGISTRY_TEXTS else drafting_url,
        )
        for name, label_ in missing_from_snapshot(_snapshot(contract, content=False))
    ]


# --- The document ---------------------------------------------------------------------------------------------

TITRE = re.compile(r"^TITRE (\d+)")
NUMBERED = re.compile(r"^(\d|Article|Annexe)")


def contract_document(snapshot: dict, *, content_hash: str | None, draft: bool, consolidation: str = "") -> Document:
    """The contract as a layout.Document, from ``snapshot`` alone, with the model it chose. ``consolidation`` says,
    on the title page and in the footer, that this is the text consolidated from the signed contract and amendments."""
    frame, body = snapshot["contract"], snapshot["managing_body"]
    title = f"Contrat pluriannuel d'objectifs et de moyens – {frame['reference']}"
    footer = f"{frame['reference']} – {body['name']}" + (" – projet" if draft else "")
    footer += " – version consolidée" if consolidation else ""
    blocks = _title_page(snapshot, draft, consolidation)
    if snapshot["drafting"]:
        spec = _spec(snapshot)
        drafting = snapshot["drafting"]
        context = _context(snapshot, spec)
        pieces = template.render(spec, drafting["choices"], drafting["options"], _bound(snapshot), context)
        blocks += _body(pieces, snapshot, context)
    else:
        blocks.append(
            Banner(
                "Aucun modèle de contrat n'est choisi : l'autorité cheffe de file le choisit sur la page « Rédaction du contrat »."
            )
        )
    return Document(
        title,
        footer,
        blocks,
        watermark=DRAFT_WATERMARK if draft else "",
        fingerprint=content_hash or "",
        page_total=True,
    )


def _title_page(snapshot: dict, draft: bool, consolidation: str) -> list[Block]:
    frame, body = snapshot["contract"], snapshot["managing_body"]
    model = (snapshot["drafting"] or {}).get("model")
    blocks: list[Block] = [
        Heading("Contrat pluriannuel d'objectifs et de moyens", 0),
        Text(frame["title"]),
        Text(frame["reference"], "Référence"),
        Text(body["name"], "Organisme gestionnaire"),
        Text(
            ", ".join(p["name"] + (" (cheffe de file)" if p["is_lead"] else "") for p in snapshot["parties"]),
            "Autorités",
        ),
        Text(
            f"du {_french_date(frame['start_date'])} au {_french_date(frame['end_date'])} ({_years_text(frame['duration_years'])})",
            "Période",
        ),
        Text(frame["legal_basis_label"], "Fondement juridique"),
    ]
    if model:
        blocks.append(Text(f"{model['title']}, version {model['version']}", "Modèle"))
    if draft:
        blocks.append(Banner("Projet de contrat : document de travail, non signé."))
    if consolidation:
        blocks.append(Banner(consolidation))
    blocks += [PageBreak(), TableOfContents(), PageBreak()]
    return blocks


def _body(pieces: list[template.Piece], snapshot: dict, context: template.Context) -> list[Block]:
    blocks: list[Block] = []
    titre, article = "", 0
    for piece in pieces:
        if piece.kind == "heading":
            text = piece.text
            if piece.level == 1:
                match = TITRE.match(text)
                titre, article = (match.group(1) if match else ""), 0
                if blocks and (piece.clause.startswith("annexe") or piece.clause == "signatures"):
                    blocks.append(PageBreak())
            elif piece.level == 2 and titre and not NUMBERED.match(text):
                article += 1
                text = f"{titre}.{article} – {text}"
            blocks.append(Heading(text, piece.level))
        elif piece.kind == "text":
            blocks.append(Text(piece.text))
        elif piece.kind == "bullet":
            blocks.append(Bullet(piece.text))
        elif piece.kind == "source":
            if piece.source == "signatures":
                blocks += _signatures(piece.text, context)
            else:
                blocks += SOURCES[piece.source](snapshot)
    return blocks


def _signatures(text: str, context: template.Context) -> list[Block]:
    blocks: list[Block] = []
    for item_texts, item_flags in context.items["signatories"]:
        filled_text = template.fill(text, {**context.texts, **item_texts}, {**context.flags, **item_flags}, context)
        lines = tuple(line.strip() for line in filled_text.strip().splitlines() if line.strip())
        blocks.append(Signature(item_texts["signatory_role"], lines))
    return blocks


def _money(value: str) -> str:
    return money(Decimal(value)) if value != "" else NOT_FILLED


def _perimeter(snapshot: dict) -> list[Block]:
    body = snapshot["managing_body"]
    rows = [
        [
            e["finess"],
            e["name"],
            e["category_label"],
            str(e["authorised_places"]),
            str(e["installed_places"]),
            ", ".join(e["funders"]),
        ]
        for e in snapshot["perimeter"]
    ]
    address = ", ".join(filter(None, [body["street"], " ".join(filter(None, [body["postal_code"], body["city"]]))]))
    return [
        Text(body["name"], "Organisme gestionnaire"),
        Text(body["legal_status_label"], "Statut juridique"),
        Text(filled(body["legal_finess"]), "FINESS juridique"),
        Text(body["siren"], "SIREN"),
        Text(filled(address), "Adresse"),
        Table(
            ["FINESS", "Établissement ou service", "Catégorie", "Places autorisées", "Places installées", "Financeurs"],
            rows,
            (1.2, 2.6, 2, 1, 1, 2.2),
        )
        if rows
        else Text("Aucun établissement au périmètre."),
    ]


def _salient(snapshot: dict) -> list[Block]:
    diagnostic = snapshot["diagnostic"]
    return [Text(filled(diagnostic["salient_issues"] if diagnostic else ""))]


def _synthesis(snapshot: dict) -> list[Block]:
    diagnostic = snapshot["diagnostic"]
    if not diagnostic:
        return [Text("Le diagnostic partagé n'est pas encore commencé.")]
    blocks: list[Block] = []
    for axis in diagnostic["axes"]:
        blocks.append(Heading(f"{axis['code']} – {axis['title']}", 3))
        for key, title in (
            ("strengths", "Points forts"),
            ("weaknesses", "Points faibles"),
            ("specificities", "Spécificités"),
        ):
            blocks.append(Text(title, ""))
            blocks += [Bullet(f["text"], f["detail"]) for f in axis[key]] or [Text("Aucun constat.")]
        blocks.append(Text(filled(axis["perspectives"]), "Perspectives"))
    return blocks


def _objectives_list(snapshot: dict) -> list[Block]:
    objectives = snapshot["objectives"]
    if not objectives and not snapshot["strategic_objectives"]:
        return [Text("Aucun objectif.")]
    blocks: list[Block] = []
    by_parent: dict[str, list[dict]] = {}
    for o in objectives:
        by_parent.setdefault(o["parent"]["number"] if o["parent"] else "", []).append(o)
    for strategic in snapshot["strategic_objectives"]:
        blocks.append(Heading(f"Objectif stratégique {strategic['number']} – {strategic['title']}", 3))
        blocks += [_objective_bullet(o) for o in by_parent.get(strategic["number"], [])] or [
            Text("Aucun objectif opérationnel.")
        ]
    blocks += [_objective_bullet(o) for o in by_parent.get("", [])]
    blocks.append(Text("Chaque objectif opérationnel est détaillé dans sa fiche objectif, en annexe."))
    return blocks


def _objective_bullet(o: dict) -> Bullet:
    details = [f"échéance {o['due_year_label'] or NOT_FILLED}"]
    if o["establishments"]:
        details.append(", ".join(o["establishments"]))
    return Bullet(f"{o['number']} – {o['title']}", " · ".join(details))


def _sheets(snapshot: dict) -> list[Block]:
    return _sheet_blocks(snapshot, snapshot["objectives"], "Aucune fiche objectif.")


def _intentions(snapshot: dict) -> list[Block]:
    return _sheet_blocks(snapshot, snapshot["intentions"], "Aucune fiche d'intention.")


def _sheet_blocks(snapshot: dict, objectives: list[dict], empty: str) -> list[Block]:
    blocks: list[Block] = []
    for o in objectives:
        if blocks:
            blocks.append(PageBreak())
        blocks += _sheet(o)
    return blocks or [Text(empty)]


def _sheet(o: dict) -> list[Block]:
    from .objective_sheet import INTENTION_NOTICE

    sheet = o["sheet"]
    parent = o["parent"]
    blocks: list[Block] = [
        Heading(f"Fiche objectif n° {o['number']} – {o['title']}", 2),
        *([Banner(INTENTION_NOTICE)] if o["funding"] == "intention" else []),
        Text(filled(o["theme"]), "Thème"),
        Text(f"{parent['number']} – {parent['title']}" if parent else NOT_FILLED, "Objectif stratégique"),
        Text(o["title"], "Objectif"),
        Text(o["number"], "Mesure n°"),
        Text(o["due_year_label"] or NOT_FILLED, "Échéance"),
        Text(filled(", ".join(o["establishments"])), "Établissements concernés"),
        Text(filled(sheet["context"]), "Contexte"),
        Text(filled(sheet["problem_state"]), "État de la problématique"),
        Text(filled(sheet["stakes"]), "Enjeux"),
        Text(label("Constats du diagnostic auxquels répond l'objectif")),
        *([Bullet(f["text"], f["detail"]) for f in o["findings"]] or [Text(NOT_FILLED)]),
        Text(label("Priorités territoriales")),
        *([Bullet(p["label"], p["detail"]) for p in o["priorities"]] or [Text(NOT_FILLED)]),
        Text(label("Actions")),
        *(
            [
                Bullet(
                    f"{a['number']} – {a['title']}",
                    f"échéance {a['due_year_label'] or NOT_FILLED} · {a['status_label']}",
                )
                for a in o["actions"]
            ]
            or [Text(NOT_FILLED)]
        ),
        Text(filled(sheet["implementation"]), "Modalités de mise en œuvre des actions"),
        Text(filled(sheet["pilot"]), "Pilotage"),
        Text(filled(sheet["partners"]), "Partenaires associés"),
        Text(filled(sheet["expected_results"]), "Résultats attendus"),
        Text(label("Calendrier de mise en œuvre")),
    ]
    rows = [[m["label"], _french_date(m["due_date"]) or DATE_TO_SET] for m in o["milestones"]]
    blocks.append(Table(["Étape", "Date"], rows, (4, 1)) if rows else Text(NOT_FILLED))
    blocks += [
        Text(label("Volet budgétaire")),
        Bullet(
            f"{label('Valorisation budgétaire de la mesure à moyens constants')} {_money(sheet['constant_means_value'])}",
            sheet["constant_means_note"],
        ),
        Bullet(
            f"{label(MANAGING_BODY_MEANS)} {_money(sheet['managing_body_means'])}", sheet["managing_body_means_note"]
        ),
        Bullet(f"{label(AUTHORITY_MEANS)} {_money(sheet['authority_means'])}", sheet["authority_means_note"]),
        Text(label("Indicateurs de suivi de l'action")),
    ]
    blocks += [_indicator_line(i) for i in o["indicators"]] or [Text(NOT_FILLED)]
    return blocks


def _indicator_line(i: dict) -> Bullet:
    return Bullet(f"{i['label']} ({i['kind_label'].lower()})", f"méthode : {filled(i['method'])}")


def _baseline(i: dict) -> str:
    if not i["baseline_value"].strip():
        return NOT_FILLED
    parts = [i["baseline_value"].strip()]
    if i["baseline_date"]:
        parts.append(f"au {_french_date(i['baseline_date'])}")
    if i["baseline_note"].strip():
        parts.append(f"({i['baseline_note'].strip()})")
    return " ".join(parts)


def _indicators(snapshot: dict) -> list[Block]:
    start = int(snapshot["contract"]["start_date"][:4])
    duration = snapshot["contract"]["duration_years"]
    years = list(range(duration))
    blocks: list[Block] = []
    for o in snapshot["objectives"] + snapshot["intentions"]:
        for i in o["indicators"]:
            targets = {t["due_year"]: t["value"] for t in i["targets"]}
            blocks += [
                Heading(f"{o['number']} – {i['label']}", 3),
                Text(i["kind_label"], "Type"),
                Text(filled(i["method"]), "Méthode de calcul"),
                Text(filled(i["unit"]), "Unité"),
                Text(filled(i["data_source"]), "Source des données"),
                Text(_baseline(i), "Situation actuelle"),
                Table(
                    ["Échéance", *(f"{'N' if y == 0 else f'N+{y}'} ({start + y})" for y in years)],
                    [["Cible", *(filled(targets.get(y)) for y in years)]],
                    (1.4, *[1] * len(years)),
                ),
            ]
    return blocks or [Text("Aucun indicateur de suivi.")]


def _reference_budget(snapshot: dict) -> list[Block]:
    budget = snapshot["budget"]
    if not budget:
        return [Text("Le budget de référence n'est pas encore établi.")]
    blocks: list[Block] = [Text(f"Exercice de référence : {budget['base_year']}.")]
    for table in budget["tables"]:
        rows = [
            [
                f"Groupe {'I' * int(g)}",
                _money(table["expenses"][g]),
                f"Groupe {'I' * int(g)}",
                _money(table["income"][g]),
            ]
            for g in ("1", "2", "3")
        ]
        rows.append(
            [
                "Total des dépenses (classe 6)",
                _money(table["total_expenses"]),
                "Total des recettes (classe 7)",
                _money(table["total_income"]),
            ]
        )
        blocks += [
            Text(
                f"BUDGET DE REFERENCE (crédits reconductibles) – Echéance {snapshot['contract']['duration_years']} ans – {table['funder_label']}"
            ),
            Table(["Dépenses", "Montant", "Recettes", "Montant"], rows, (2.2, 1.4, 2.2, 1.4)),
        ]
    return blocks


def _envelopes(snapshot: dict) -> list[Block]:
    budget = snapshot["budget"]
    if not budget or not budget["envelopes"]:
        return [
            Text(
                "Aucune dotation globalisée commune : le budget de référence ne porte pas de produits de la tarification."
            )
        ]
    blocks: list[Block] = []
    for envelope in budget["envelopes"]:
        rows = [
            [s["finess"], s["name"], _money(s["amount"]), percent(Decimal(s["percentage"]))] for s in envelope["shares"]
        ]
        rows.append(["", "Total", _money(envelope["amount"]), percent(Decimal(100))])
        blocks += [
            Text(f"{envelope['funder_label']} : {_money(envelope['amount'])}", "Dotation globalisée commune"),
            Table(["FINESS", "Établissement ou service", "Quote-part", "Part"], rows, (1.2, 3, 1.5, 1)),
        ]
    return blocks


def _instalments(snapshot: dict) -> list[Block]:
    budget = snapshot["budget"]
    if not budget or not budget["envelopes"]:
        return []
    rows = []
    for envelope in budget["envelopes"]:
        rows += [
            [envelope["funder_label"], s["name"], _money(s["instalment"]), _money(s["last_instalment"])]
            for s in envelope["shares"]
        ]
        rows.append(
            [
                envelope["funder_label"],
                "Total de la dotation",
                _money(envelope["instalment"]),
                _money(envelope["last_instalment"]),
            ]
        )
    return [
        Text(label("Versements mensuels (douzièmes)")),
        Table(
            ["Financeur", "Établissement ou service", "Onze premiers mois", "Douzième mois"], rows, (1.8, 2.6, 1.3, 1.3)
        ),
    ]


def _daily_prices(snapshot: dict) -> list[Block]:
    budget = snapshot["budget"]
    prices = budget["daily_prices"] if budget else []
    if not prices:
        return [Text("Aucun établissement du périmètre n'a de prix de journée.")]
    rows = [
        [p["category_label"], p["name"], p["funder_label"], _money(p["price"]) if p["price"] else p["reason"]]
        for p in prices
    ]
    return [
        Table(["Catégorie ESMS", "Établissement", "Financeur", "Prix de journée indicatif"], rows, (1.6, 2.6, 1.8, 1.6))
    ]


def _growth(snapshot: dict) -> list[Block]:
    budget = snapshot["budget"]
    if not budget:
        return []
    rows = [
        [
            g["authority"],
            g["mode_label"],
            "" if g["mode"] in ("", "annual_amendment") else rate(Decimal(g["rate"])),
            str(g["zero_rate_years"]) if g["mode"] == "zero_rate" else "",
            {True: "oui", False: "non", None: ""}[g["contradictory"]],
        ]
        for g in budget["growth"]
    ]
    blocks: list[Block] = [
        Table(
            ["Financeur", "Mode d'évolution retenu", "Taux annuel", "Années à taux zéro", "Procédure contradictoire"],
            rows,
            (2.2, 2.6, 1, 1, 1.2),
        )
    ]
    for envelope in budget["envelopes"]:
        rows = [
            [
                f"{y['label']} ({y['year']})",
                rate(Decimal(y["rate"])) if y["rate"] else "par avenant",
                _money(y["amount"]) if y["amount"] else "par avenant",
            ]
            for y in envelope["years"]
        ]
        blocks += [
            Text(envelope["funder_label"], "Évolution de la dotation"),
            Table(["Année", "Taux", "Dotation"], rows, (1.5, 1, 1.5)),
        ]
    return blocks


SOURCES: dict[str, Callable[[dict], list[Block]]] = {
    "perimeter": _perimeter,
    "salient_issues": _salient,
    "diagnostic_synthesis": _synthesis,
    "objectives_list": _objectives_list,
    "objective_sheets": _sheets,
    "intentions": _intentions,
    "indicators": _indicators,
    "reference_budget": _reference_budget,
    "envelopes": _envelopes,
    "instalments": _instalments,
    "daily_prices": _daily_prices,
    "growth": _growth,
}
assert set(SOURCES) | {"signatures"} == template.SOURCES


def contract_docx(
    snapshot: dict, *, content_hash: str | None = None, draft: bool = True, consolidation: str = ""
) -> bytes:
    return to_docx(contract_document(snapshot, content_hash=content_hash, draft=draft, consolidation=consolidation))


def contract_pdf(
    snapshot: dict, *, content_hash: str | None = None, draft: bool = True, consolidation: str = ""
) -> bytes:
    return to_pdf(contract_document(snapshot, content_hash=content_hash, draft=draft, consolidation=consolidation))


CONTRACT_WRITERS = {"docx": contract_docx, "pdf": contract_pdf}


def contract_file(contract: Contract, extension: str) -> bytes:
    """The file the command and the download give: the sealed version in force as its circuit serves it, else the
    contract generated now from its content (a draft until it is signed)."""
    sealed = sealed_document(contract)
    if sealed:
        return sealed["file"](extension)
    return CONTRACT_WRITERS[extension](contract_snapshot(contract), draft=not contract.is_signed)
