"""The ANAP factors of the programming (« Priorités territoriales », « Niveau de maturité de l'organisme
gestionnaire », « Situation de l'organisme gestionnaire », seed 001 L259-265), as codes; pure, no Django.

The situations are the PdL note de cadrage's eligibility criteria (seed 000 L827-838). The sources give no levels for
the priority and the maturity (SILENT): they are settings (``CPOM_PROGRAMMING``).
"""

REQUEST = "request"
CONVERGENCE = "convergence"
DEFICIT = "deficit"
HEAD_OFFICE = "head_office"
IDENTIFIED = "identified"
SITUATIONS = (REQUEST, CONVERGENCE, DEFICIT, HEAD_OFFICE, IDENTIFIED)

# A programming year the database accepts: the mandatory CPOMs began in 2016-2017 (seed 004 L165, L249).
FIRST_YEAR, LAST_YEAR = 2010, 2100


def programming_years(first: int, horizon: int) -> list[int]:
    """The years a programming shows: ``horizon`` years from ``first`` (five in the sources, seed 004 L165)."""
    return list(range(first, first + horizon))
