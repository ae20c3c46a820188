"""``cpom notifier [--date JJ/MM/AAAA]`` (or ``cpom notify``): tells each person, in one email, the deadlines of
theirs that reached the day they chose. Meant for a daily scheduled run; a second run the same day sends nothing
again (cpom.notifications.services.notify)."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from cpom import commands
from cpom.notifications import jobs
from cpom.notifications.services import notify


def _day(text: str | None):
    if not text:
        return timezone.localdate()
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(f"--date : « {text} » n'est pas une date au format JJ/MM/AAAA.") from None


class Command(commands.Command):
    help = (
        "Envoie à chacun, en un courriel par jour, les échéances de ses contrats arrivées au nombre de jours choisi "
        "dans « Mes échéances » ; relancée le même jour, elle n'envoie rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="JJ/MM/AAAA", help="jour de référence (par défaut aujourd'hui)")
        parser.add_argument(
            "--en-file",
            dest="queued",
            action="store_true",
            help="confie l'envoi à « cpom worker » (retenté en cas d'échec, sans rien envoyer deux fois)",
        )

    def handle(self, *args, **options):
        day = _day(options.get("date"))
        if options.get("queued"):
            job = jobs.ask(day)
            self.stdout.write(f"Courriels du {day:%d/%m/%Y} confiés à la file d'attente : travail n° {job.pk}.")
            return
        run = notify(day)
        if run.emails:
            emails = "1 courriel envoyé" if run.emails == 1 else f"{run.emails} courriels envoyés"
            deadlines = "1 échéance annoncée" if run.deadlines == 1 else f"{run.deadlines} échéances annoncées"
            self.stdout.write(f"{day:%d/%m/%Y} : {emails}, {deadlines}.")
        else:
            self.stdout.write(f"{day:%d/%m/%Y} : aucune échéance à annoncer.")
        for failure in run.failures:
            self.stderr.write(f"Échec de l'envoi à {failure}")
        if run.failures:
            raise CommandError(
                f"{len(run.failures)} courriel(s) non envoyé(s) : ils le seront à la prochaine exécution."
            )
