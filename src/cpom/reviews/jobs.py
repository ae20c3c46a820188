"""The review's pack as a job of the queue (cpom.jobs): built by the worker, not inside the request, since the PDF
and the zip read the whole follow-up (grid, report, peers, accounts) and take seconds on a large contract.

May be retried: building a file writes nothing but the job's own result."""

from cpom.core.refusals import Refused
from cpom.jobs.services import Outcome, Progress, latest, subject_of, submit

from . import pack
from .models import Review

KIND = "reviews.pack"
CONTENT_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}
LABELS = {"pdf": "Dossier du dialogue (PDF)", "zip": "Pièces du dossier (zip)"}


def ask(review: Review, extension: str, user):
    return submit(
        KIND,
        f"{LABELS[extension]} – {review.contract.reference}, année {review.year}",
        {"review_id": review.pk, "extension": extension},
        subject=subject_of(review),
        user=user,
    )


def last_packs(review: Review) -> dict:
    """The latest pack asked for in each format, by extension (the review's page shows where each stands)."""
    found = {}
    for extension in CONTENT_TYPES:
        job = latest(subject_of(review), KIND, {"extension": extension})
        if job is not None:
            found[extension] = job
    return found


def build(params: dict, progress: Progress) -> Outcome:
    extension = params["extension"]
    review = Review.objects.select_related("contract__managing_body").filter(pk=params["review_id"]).first()
    if review is None:
        raise Refused("Ce dialogue de gestion n'existe plus : son dossier ne peut pas être préparé.")
    progress("Rassemblement des pièces : grille, rapport, comparaisons, comptes, décisions", 0, 2)
    found = pack.parts(review)
    progress("Mise en page du dossier", 1, 2)
    if extension == "pdf":
        name, content = pack.pack_pdf(review, found)
    else:
        name, content = pack.pack_zip(review, found)
    return Outcome(message="Le dossier est prêt.", name=name, content_type=CONTENT_TYPES[extension], content=content)
