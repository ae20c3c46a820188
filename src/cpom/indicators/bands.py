"""How a quartile band reads for one indicator: above Q3 is good news for an occupancy rate and bad news for an
absenteeism rate. The indicator's direction decides, so that a favourable band is green and an unfavourable one red
whichever way the indicator reads; an indicator with no direction gets no colour, only its position."""

# From the least to the most favourable, when higher is better; reversed when lower is better.
ORDER = ("below_q1", "q1_median", "median_q3", "above_q3")
COLOURS = ("fr-badge--error", "fr-badge--warning", "fr-badge--green-menthe", "fr-badge--success")
TONES = ("défavorable", "plutôt défavorable", "plutôt favorable", "favorable")


def _rank(band: str, direction: str) -> int | None:
    if band not in ORDER or direction not in ("higher", "lower"):
        return None
    rank = ORDER.index(band)
    return rank if direction == "higher" else len(ORDER) - 1 - rank


def badge_class(band: str, direction: str) -> str:
    """The DSFR badge class of ``band`` for an indicator read in ``direction`` (higher, lower or none)."""
    rank = _rank(band, direction)
    return "" if rank is None else COLOURS[rank]


def tone(band: str, direction: str) -> str:
    """« favorable », « défavorable »…, or nothing when the indicator has no direction: said, not only coloured."""
    rank = _rank(band, direction)
    return "" if rank is None else TONES[rank]
