"""The reviews' pages: a contract's reviews (planned and called for), planning one, a review's page (agenda,
participants, pack, relevé, decisions) and its buttons. Thin: the services decide and record, the rules say who may."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from cpom.amendments.services import AmendmentRefused
from cpom.contracts.pages import contract_page
from cpom.documents.http import CONTENT_TYPES
from cpom.jobs.models import Job, JobState
from cpom.jobs.services import subject_of
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import jobs, pack, rules, services
from .forms import (
    AdjustmentForm,
    AnswerForm,
    DecisionForm,
    EditForm,
    PlanForm,
    QuestionForm,
    SignForm,
    StatusForm,
    SummaryForm,
)
from .models import Adjustment, Decision, DecisionKind, Review, ReviewState

REVIEWS = Review.objects.select_related("contract__managing_body", "created_by")


def _review(contract, review_id: int) -> Review:
    review = get_object_or_404(REVIEWS, contract=contract, pk=review_id)
    review.contract = contract  # the frame's copy, its parties prefetched
    return review


def _decision(review: Review, decision_id: int) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("owner_authority", "owner_person", "amendment"), review=review, pk=decision_id
    )
    decision.review = review
    return decision


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _flash_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


def _back(review: Review, anchor: str = ""):
    response = redirect("reviews:detail", contract_id=review.contract_id, review_id=review.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@contract_page("reviews")
def review_list(request, contract):
    planned = {r.year: r for r in services.reviews_of(contract)}
    called = services.proposed(contract) if contract.duration_years <= 5 else []
    rows = [(p, planned.get(p.year)) for p in called]
    rows += [(None, r) for year, r in sorted(planned.items()) if year not in {p.year for p in called}]
    return render(
        request,
        "reviews/review_list.html",
        {
            "contract": contract,
            "rows": rows,
            "plan_refusal": rules.plan_refusal(request.user, contract),
        },
    )


@contract_page("reviews")
def review_plan(request, contract):
    forbid(rules.plan_refusal(request.user, contract))
    taken = set(contract.reviews.values_list("year", flat=True))
    called = {p.year: p for p in services.proposed(contract)}
    years = [
        (year, called[year].label if year in called else f"Dialogue de gestion de l'année {year} (annuel)")
        for year in range(1, contract.duration_years + 1)
        if year not in taken
    ]
    first = next((y for y, _ in years if y in called), years[0][0] if years else None)
    wanted = request.GET.get("annee", "")
    chosen = int(wanted) if wanted.isdigit() and int(wanted) in dict(years) else first
    initial = {
        "year": chosen,
        "day": called[chosen].day if chosen in called else None,
        "place": services.review_rule(contract, "default_place"),
    }
    form = PlanForm(request.POST or None, years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.plan_review(contract, request.user, form.cleaned_data)
        except services.ReviewRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"{review.title} planifié le {review.day:%d/%m/%Y}.")
            return _back(review)
    return render(
        request,
        "reviews/review_form.html",
        {"contract": contract, "form": form, "form_title": "Planifier un dialogue de gestion"},
        status=400 if form.errors else 200,
    )


@contract_page("reviews")
def review_edit(request, contract, review_id):
    review = _review(contract, review_id)
    forbid(rules.edit_refusal(request.user, review))
    form = EditForm(request.POST or None, initial={"day": review.day, "place": review.place, "version": review.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_review(review, request.user, form.cleaned_data, form.cleaned_data["version"])
        except services.StaleReview:
            raise
        except services.ReviewRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request, "La date et le lieu du dialogue sont enregistrés ; les participants suivent la date."
            )
            return _back(review)
    return render(
        request,
        "reviews/review_form.html",
        {"contract": contract, "form": form, "review": review, "form_title": f"{review.title} : date et lieu"},
        status=400 if form.errors else 200,
    )


def _people(contract):
    authorities = [p.authority_id for p in contract.parties.admitted()]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(membership__managing_body_id=contract.managing_body_id) | Q(membership__authority_id__in=authorities))
        .select_related("membership__managing_body", "membership__authority")
        .order_by("last_name", "first_name")
    )


def _decision_form(review: Review, decision: Decision | None = None, data=None) -> DecisionForm:
    initial = {"version": review.version}
    if decision is not None:
        initial = {
            "kind": decision.kind,
            "text": decision.text,
            "owner": "managing_body"
            if decision.owner_side == "managing_body"
            else f"authority:{decision.owner_authority_id}",
            "owner_person": decision.owner_person_id,
            "due_date": decision.due_date,
            "version": decision.version,
        }
    return DecisionForm(data, services.owners(review.contract), _people(review.contract), initial=initial)


@contract_page("reviews")
def review_detail(request, contract, review_id):
    review = _review(contract, review_id)
    user = request.user
    decisions = list(review.decisions.select_related("owner_authority", "owner_person", "amendment"))
    adjustments = list(review.adjustments.order_by("proposed_at", "pk"))
    for decision in decisions:
        decision.review = review
        decision.status_refusal = rules.status_refusal(user, decision)
        decision.amendment_refusal = (
            rules.amendment_refusal(user, decision) if decision.kind == DecisionKind.PREPARE_AMENDMENT else None
        )
        decision.owner_text = services.owner_label(decision)
        decision.pending = [a for a in adjustments if a.decision_id == decision.pk]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "contract": contract,
            "review": review,
            "agenda": services.agenda(review),
            "participants": review.participants.all(),
            "decisions": decisions,
            "signatures": review.signatures.all(),
            "edit_refusal": rules.edit_refusal(user, review),
            "hold_refusal": rules.hold_refusal(user, review, timezone.localdate()),
            "question_refusal": rules.question_refusal(user, review),
            "draft_refusal": rules.draft_refusal(user, review),
            "propose_refusal": rules.propose_refusal(user, review),
            "answer_refusal": rules.answer_refusal(user, review),
            "send_refusal": rules.send_refusal(user, review),
            "sign_refusal": rules.sign_refusal(user, review),
            "question_form": QuestionForm(),
            "summary_form": SummaryForm(initial={"summary": review.summary, "version": review.version}),
            "decision_form": _decision_form(review),
            "sign_form": SignForm(initial={"signatory_name": user.get_full_name(), "version": review.version}),
            "status_choices": StatusForm.base_fields["status"].choices,
            "states": ReviewState,
            "packs": jobs.last_packs(review),
        },
    )


def _act(request, review, action, done: str, anchor: str = ""):
    try:
        action()
    except services.ReviewRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, done)
    return _back(review, anchor)


@contract_page("reviews")
@require_POST
def review_hold(request, contract, review_id):
    review = _review(contract, review_id)
    return _act(
        request,
        review,
        lambda: services.hold(review, request.user, _version(request)),
        "Le dialogue est enregistré comme tenu : le relevé de décisions peut être rédigé.",
    )


@contract_page("reviews")
@require_POST
def question_add(request, contract, review_id):
    review = _review(contract, review_id)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, "questions")
    return _act(
        request,
        review,
        lambda: services.ask_question(review, request.user, form.cleaned_data["text"]),
        "Votre question est transmise : elle figure à l'ordre du jour.",
        "questions",
    )


@contract_page("reviews")
@require_POST
def summary_save(request, contract, review_id):
    review = _review(contract, review_id)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, "releve")
    return _act(
        request,
        review,
        lambda: services.save_summary(review, request.user, form.cleaned_data["summary"], form.cleaned_data["version"]),
        "La synthèse des échanges est enregistrée.",
        "releve",
    )


@contract_page("reviews")
@require_POST
def decision_add(request, contract, review_id):
    review = _review(contract, review_id)
    forbid(rules.draft_refusal(request.user, review))
    form = _decision_form(review, data=request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, "decisions")
    return _act(
        request,
        review,
        lambda: services.add_decision(review, request.user, form.cleaned_data, form.cleaned_data["version"]),
        "La décision est inscrite au relevé.",
        "decisions",
    )


@contract_page("reviews")
def decision_edit(request, contract, review_id, decision_id):
    review = _review(contract, review_id)
    decision = _decision(review, decision_id)
    forbid(rules.draft_refusal(request.user, review))
    form = _decision_form(review, decision, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_decision(decision, request.user, form.cleaned_data, form.cleaned_data["version"])
        except services.StaleReview:
            raise
        except services.ReviewRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"La décision n° {decision.number} est modifiée.")
            return _back(review, f"decision-{decision.pk}")
    return render(
        request,
        "reviews/review_form.html",
        {
            "contract": contract,
            "form": form,
            "review": review,
            "form_title": f"Décision n° {decision.number} du relevé",
        },
        status=400 if form.errors else 200,
    )


@contract_page("reviews")
@require_POST
def decision_remove(request, contract, review_id, decision_id):
    review = _review(contract, review_id)
    decision = _decision(review, decision_id)
    return _act(
        request,
        review,
        lambda: services.remove_decision(decision, request.user, _version(request)),
        f"La décision n° {decision.number} est retirée du relevé.",
        "decisions",
    )


@contract_page("reviews")
@require_POST
def adjustment_propose(request, contract, review_id, decision_id):
    review = _review(contract, review_id)
    decision = _decision(review, decision_id)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, f"decision-{decision.pk}")
    return _act(
        request,
        review,
        lambda: services.propose_adjustment(
            decision, request.user, form.cleaned_data["text"], form.cleaned_data["reason"]
        ),
        f"Votre ajustement de la décision n° {decision.number} est proposé à l'autorité.",
        f"decision-{decision.pk}",
    )


@contract_page("reviews")
@require_POST
def adjustment_answer(request, contract, review_id, adjustment_id):
    review = _review(contract, review_id)
    adjustment = get_object_or_404(Adjustment, review=review, pk=adjustment_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, f"decision-{adjustment.decision_id}")
    accept = form.cleaned_data["answer"] == "accept"
    return _act(
        request,
        review,
        lambda: services.answer_adjustment(adjustment, request.user, accept, form.cleaned_data["comment"]),
        "L'ajustement est accepté : la décision prend la rédaction proposée."
        if accept
        else "L'ajustement n'est pas retenu ; votre commentaire est enregistré.",
        f"decision-{adjustment.decision_id}",
    )


@contract_page("reviews")
@require_POST
def minutes_send(request, contract, review_id):
    review = _review(contract, review_id)
    return _act(
        request,
        review,
        lambda: services.send_for_signature(review, request.user, _version(request)),
        "Le relevé est envoyé pour signature : son contenu est figé.",
        "signatures",
    )


@contract_page("reviews")
@require_POST
def minutes_sign(request, contract, review_id):
    review = _review(contract, review_id)
    form = SignForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, "signatures")
    return _act(
        request,
        review,
        lambda: services.sign(review, request.user, form.cleaned_data, form.cleaned_data["version"]),
        "Votre signature du relevé est enregistrée.",
        "signatures",
    )


@contract_page("reviews")
@require_POST
def decision_status(request, contract, review_id, decision_id):
    review = _review(contract, review_id)
    decision = _decision(review, decision_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(review, f"decision-{decision.pk}")
    data = form.cleaned_data
    return _act(
        request,
        review,
        lambda: services.set_status(decision, request.user, data["status"], data["comment"], data["version"]),
        f"L'état de la décision n° {decision.number} est enregistré.",
        f"decision-{decision.pk}",
    )


@contract_page("reviews")
@require_POST
def decision_amendment(request, contract, review_id, decision_id):
    review = _review(contract, review_id)
    decision = _decision(review, decision_id)
    try:
        amendment = services.open_amendment(decision, request.user, _version(request))
    except services.ReviewRefused as refused:
        flash_refusal(request, refused)
        return _back(review, f"decision-{decision.pk}")
    except AmendmentRefused as refused:
        flash_refusal(request, refused)
        return _back(review, f"decision-{decision.pk}")
    messages.success(
        request, f"L'avenant n° {amendment.number} est ouvert en préparation, lié à la décision n° {decision.number}."
    )
    return redirect(amendment)


@contract_page("reviews")
@require_POST
def review_pack(request, contract, review_id, extension):
    """Asks the worker for the pack: the page then follows it (htmx polling) until it can be downloaded."""
    review = _review(contract, review_id)
    job = jobs.ask(review, extension, request.user)
    if request.htmx:
        return _pack_job_fragment(request, contract, review, job)
    messages.success(request, f"{jobs.LABELS[extension]} : en préparation. Il sera proposé au téléchargement ici.")
    return _back(review, "dossier")


def _job_of(review: Review, job_id: int, **lookups) -> Job:
    # Looked up through the review the user sees: a pack is visible to whoever sees its review, to no one else.
    return get_object_or_404(
        Job.objects.defer("result_file"), pk=job_id, kind=jobs.KIND, subject=subject_of(review), **lookups
    )


def _pack_job_fragment(request, contract, review, job):
    context = {"contract": contract, "review": review, "job": job, "extension": job.params["extension"]}
    return render(request, "reviews/_pack_job.html", context)


@contract_page("reviews")
def pack_job(request, contract, review_id, job_id):
    """Where a pack stands: the fragment the review's page polls while the worker builds it."""
    review = _review(contract, review_id)
    job = _job_of(review, job_id)
    if not request.htmx:
        return _back(review, "dossier")
    return _pack_job_fragment(request, contract, review, job)


@contract_page("reviews")
def pack_download(request, contract, review_id, job_id):
    review = _review(contract, review_id)
    job = _job_of(review, job_id, state=JobState.DONE)
    return _download(bytes(job.result_file), job.result_name, job.params["extension"])


@contract_page("reviews")
def minutes_document(request, contract, review_id):
    review = _review(contract, review_id)
    name, content = pack.minutes_pdf(review)
    return _download(content, name, "pdf")


def _download(content: bytes, name: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type={**CONTENT_TYPES, "zip": "application/zip"}[extension])
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
