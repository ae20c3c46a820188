"""The deadlines of the yearly campaigns, for :mod:`cpom.deadline_sources`, each said to the side that must act.

- open, the managing body's yearly report (« bilan de l'année ») is due on the campaign's deadline, one month after
  the opening letter by default (seed 000 L885-886, ``CPOM_FOLLOW_UP["report_deadline_months"]``);
- open or sent by the managing body, the authorities hold the management dialogue by the end of the review period
  (May to October by default, seed 000 L346, ``CPOM_FOLLOW_UP["review_months"]``);
- in signature, every party signs the shared conclusions, due by the same end of the review period (the sources
  give no other date: a choice).

A planned campaign has no dates yet, a closed one calls for nothing. One query for any number of contracts; the
campaign's address is reversed once.
"""

from django.urls import reverse

from cpom.deadline_sources import Due, Kind

from .models import Campaign, CampaignStatus

REPORT = Kind("campaign_report", "Bilan annuel de l'organisme gestionnaire à transmettre", 14)
REVIEW = Kind("campaign_review", "Dialogue de gestion annuel et conclusions partagées", 30)
KINDS = (REPORT, REVIEW)
_ID, _CAMPAIGN = 999999999, 888888888


def _campaign_url():
    template = reverse("followup:campaign", kwargs={"contract_id": _ID, "campaign_id": _CAMPAIGN})
    return lambda contract_id, campaign_id: template.replace(str(_ID), str(contract_id)).replace(
        str(_CAMPAIGN), str(campaign_id)
    )


def campaign_deadlines(campaign: Campaign) -> list[tuple]:
    """``(kind, step, day, what is due, side)`` of one campaign (the step names it in the deadline's key)."""
    items = []
    if campaign.status == CampaignStatus.OPEN and campaign.report_deadline:
        items.append(
            (
                REPORT,
                "report",
                campaign.report_deadline,
                f"Bilan de l'année {campaign.reviewed_year} à transmettre (campagne {campaign.year})",
                "managing_body",
            )
        )
    if campaign.status in (CampaignStatus.OPEN, CampaignStatus.SUBMITTED) and campaign.review_end:
        items.append(
            (
                REVIEW,
                "review",
                campaign.review_end,
                f"Dialogue de gestion de la campagne {campaign.year} à tenir au plus tard",
                "authority",
            )
        )
    if campaign.status == CampaignStatus.SIGNING and campaign.review_end:
        items.append(
            (
                REVIEW,
                "conclusions",
                campaign.review_end,
                f"Conclusions partagées de la campagne {campaign.year} à signer",
                "",
            )
        )
    return items


def source(contracts) -> list[Due]:
    references = {contract.pk: contract.reference for contract in contracts}
    url = _campaign_url()
    campaigns = Campaign.objects.filter(contract_id__in=references).exclude(
        status__in=[CampaignStatus.PLANNED, CampaignStatus.CLOSED]
    )
    return [
        Due(
            contract_id=campaign.contract_id,
            day=day,
            kind=kind.code,
            label=f"{references[campaign.contract_id]} — {label}",
            url=url(campaign.contract_id, campaign.pk),
            key=f"campaign:{campaign.pk}:{step}:{day.isoformat()}",
            side=side,
        )
        for campaign in campaigns.order_by("contract_id", "year")
        for kind, step, day, label, side in campaign_deadlines(campaign)
    ]
