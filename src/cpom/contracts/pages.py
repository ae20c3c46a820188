"""The frame of every page of a contract: ``@contract_page(stage)`` logs the user in, looks the contract up among
those they see (404 otherwise, as for a contract that does not exist), passes it to the view and hangs the contract
frame on the request: the contract, the stage the page belongs to, the lifecycle's navigation and the breadcrumb,
which every template reads through ``{% load cpom %}`` (``{% contract_navigation %}``, ``{% breadcrumb %}``).

The stages are named by their URL names, never imported: a stage above the contracts (diagnostic, objectives,
finance) is linked to without the contracts depending on it."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.urls import NoReverseMatch, reverse

from cpom.web.views import visible_or_404

from .models import Contract


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    url_name: str
    # A stage of the way to signature only (the launch kit): its tab leaves the frame once the contract is signed,
    # its pages stay (the kit is the launch's history).
    before_signature: bool = False


# In the order of the lifecycle; a stage's pages are mounted under contrats/<contract_id>/<stage>/.
STAGES = (
    Stage("contract", "Contrat", "contracts:detail"),
    Stage("launch", "Lancement", "launch:home", before_signature=True),
    Stage("diagnostic", "Diagnostic partagé", "diagnostic:home"),
    Stage("objectives", "Objectifs", "objectives:list"),
    Stage("readiness", "Vérification", "objectives:readiness"),
    Stage("indicators", "Indicateurs", "contracts:indicators"),
    Stage("budget", "Moyens", "finance:budget_detail"),
    Stage("trajectory", "Trajectoire", "finance:trajectory_list"),
    Stage("document", "Texte du contrat", "documents:contract"),
    Stage("consultations", "Consultations", "signing:consultations"),
    Stage("signature", "Signature", "signing:versions"),
    Stage("followup", "Suivi annuel", "followup:list"),
    Stage("alerts", "Alertes", "alerts:contract"),
    Stage("reviews", "Dialogues de gestion", "reviews:list"),
    Stage("history", "Historique", "timeline:history"),
)
STAGE_CODES = {stage.code: stage for stage in STAGES}


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    current: bool


@dataclass
class ContractFrame:
    contract: Contract
    stage: Stage

    def navigation(self) -> list[NavigationItem]:
        items = []
        for stage in STAGES:
            if stage.before_signature and self.contract.is_signed and stage != self.stage:
                continue
            try:
                url = reverse(stage.url_name, kwargs={"contract_id": self.contract.pk})
            except NoReverseMatch:  # a stage not mounted in this configuration
                continue
            items.append(NavigationItem(stage.label, url, stage == self.stage))
        return items

    def trail(self, current: str | None, query: str = "") -> list[dict[str, str]]:
        """The breadcrumb's links above the page, below « Accueil » (the contracts): this contract, then its stage unless it is the
        page itself (``current`` is None on a stage's first page); ``query`` follows the stage's link (the
        diagnostic's level, « ?finess=… »)."""
        links = []
        if self.stage.code != "contract" or current:
            links.append({"url": self.contract.get_absolute_url(), "title": self.contract.reference})
        if current and self.stage.code != "contract":
            links.append(
                {
                    "url": reverse(self.stage.url_name, kwargs={"contract_id": self.contract.pk}) + query,
                    "title": self.stage.label,
                }
            )
        return links

    def current(self) -> str:
        return self.contract.reference if self.stage.code == "contract" else self.stage.label


CONTRACTS = Contract.objects.select_related("managing_body").prefetch_related("parties__authority")


def contract_page(stage: str):
    """``@contract_page("objectives")`` on a view taking ``(request, contract, …)`` mounted with ``<contract_id>``."""
    frame_stage = STAGE_CODES[stage]

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, contract_id, *args, **kwargs):
            contract = visible_or_404(request.user, CONTRACTS.all(), pk=contract_id)
            request.contract_frame = ContractFrame(contract, frame_stage)
            return view(request, contract, *args, **kwargs)

        return wrapper

    return decorate
