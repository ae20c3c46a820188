"""The indicator engine: the whole catalogue, for every establishment and year, in one vectorised pass.

Pure computation (Polars and NumPy, no Django). Input: a long table of data elements
(establishment, year, element, value) where account balances are elements named
``compte:<number>`` holding debit − credit. The table is scattered once into a matrix
(one row per establishment-year, one column per element); account functions become
matrix products; each formula is then a few array operations over all rows at once.
"""

import ctypes
import ctypes.util
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from . import formula as f

ACCOUNT_PREFIX = "compte:"


def _keep_freed_memory() -> None:
    """Asks glibc to reuse freed arrays rather than give them back to the kernel.

    The engine allocates a few arrays of hundreds of megabytes; on virtualised machines the kernel
    hands out fresh pages slowly (≈ 300 MB/s measured here), so reusing freed memory halves a
    national run. Harmless where glibc is absent or the call is not supported.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: big blocks come from the reusable heap
        libc.mallopt(-1, 1 << 32)  # M_TRIM_THRESHOLD: freed heap memory is kept for the next array
    except (OSError, AttributeError):
        pass


_keep_freed_memory()

# Reasons a value is "non calculable", in the users' words.
MISSING = "donnée manquante : {}"
MISSING_SEVERAL = "données manquantes : {}"
MISSING_IN = "donnée manquante pour {} : {}"
MISSING_SEVERAL_IN = "données manquantes pour {} : {}"
NO_ACCOUNTS = "aucun solde de compte pour {}"
NO_HISTORY = "aucune donnée pour {} ({} plus tôt)"
ZERO_DENOMINATOR = "dénominateur nul"
NEGATIVE_DENOMINATOR = "dénominateur négatif ou nul : l'indicateur ne s'applique pas"
UNDEFINED = "calcul impossible (division par zéro dans la formule)"
MAX_REASONS = 3
MAX_REASON_LENGTH = 300  # the stored reason's column
# The reasons of a row are packed as bits of one 64-bit integer, with room left for its year.
MAX_INPUTS = 40


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    denominator_positive: bool = False
    categories: tuple[str, ...] = ()
    plausible_min: float | None = None
    plausible_max: float | None = None
    additive: bool = True


@dataclass
class _Compiled:
    spec: IndicatorSpec
    numerator: object
    denominator: object | None
    elements: list[str] = field(default_factory=list)
    # What the formula reads and how many years back: (element code, years back), and the years back
    # at which it reads account balances. A value is unknown when one of them is missing.
    element_inputs: list[tuple[str, int]] = field(default_factory=list)
    account_lags: list[int] = field(default_factory=list)
    max_lag: int = 0


def compile_catalogue(specs: list[IndicatorSpec], known_elements: set[str]) -> list[_Compiled]:
    """Parses and checks every formula; a FormulaError names the indicator and the column."""
    compiled = []
    for spec in specs:
        trees = []
        for part, text in (("numérateur", spec.numerator), ("dénominateur", spec.denominator)):
            if text is None:
                trees.append(None)
                continue
            try:
                trees.append(f.check(text, known_elements))
            except f.FormulaError as error:
                raise f.FormulaError(f"indicateur {spec.code}, {part} : {error.message}", error.position) from None
        inputs = {
            (node.code if isinstance(node, f.Element) else None, lag)
            for tree in trees
            if tree is not None
            for node, lag in f.inputs_of(tree)
        }
        element_inputs = sorted((code, lag) for code, lag in inputs if code is not None)
        account_lags = sorted(lag for code, lag in inputs if code is None)
        if len(element_inputs) + len(account_lags) > MAX_INPUTS:
            raise f.FormulaError(f"indicateur {spec.code} : plus de {MAX_INPUTS} données dans la formule", 1)
        compiled.append(
            _Compiled(
                spec,
                trees[0],
                trees[1],
                elements=sorted({code for code, _ in element_inputs}),
                element_inputs=element_inputs,
                account_lags=account_lags,
                max_lag=max((lag for _, lag in inputs), default=0),
            )
        )
    return compiled


def codes_of(column: pl.Series, names: list[str]) -> np.ndarray:
    """Position of each value in ``names`` (−1 when absent): one lookup per distinct value, not per row."""
    if not isinstance(column.dtype, (pl.Categorical, pl.Enum)):
        column = column.cast(pl.Utf8).cast(pl.Categorical)
    position = {name: index for index, name in enumerate(names)}
    lookup = np.array([position.get(c, -1) for c in column.cat.get_categories().to_list()], dtype=np.int32)
    return lookup[column.to_physical().to_numpy()]


class _Frame:
    """Element values as a matrix: row = establishment × year, column = element."""

    def __init__(self, establishments: list[str], elements: pl.DataFrame, columns: list[str]):
        first, last = elements["year"].min(), elements["year"].max()
        self.first_year, self.n_years = int(first), int(last) - int(first) + 1
        self.n_establishments = len(establishments)
        self.columns = {name: index for index, name in enumerate(columns)}
        # 32-bit positions and in-place arithmetic: each extra 40-million-row temporary costs a second.
        position = codes_of(elements["establishment"], establishments)
        column = codes_of(elements["element"], columns)
        values = elements["value"].to_numpy()
        kept = (position >= 0) & (column >= 0)
        if not kept.all():
            position, column, values = position[kept], column[kept], values[kept]
            years = elements["year"].to_numpy()[kept]
        else:
            years = elements["year"].to_numpy()
        index = np.int64 if self.n_establishments * self.n_years * len(columns) >= 2**31 else np.int32
        position = position.astype(index, copy=False)
        position *= self.n_years
        position += years.astype(index, copy=False)
        position -= self.first_year
        rows = position
        self.present = np.bincount(rows, minlength=self.n_establishments * self.n_years) > 0
        rows *= len(columns)
        rows += column
        # Written once: an uninitialised matrix, the values, then NaN where nothing was given
        # (np.full would touch every page a first time for nothing).
        shape = (self.n_establishments * self.n_years, len(columns))
        self.matrix = np.empty(shape)
        filled = np.zeros(shape[0] * shape[1], dtype=bool)
        filled[rows] = True
        self.matrix.ravel()[rows] = values
        np.copyto(self.matrix.ravel(), np.nan, where=~filled)

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.columns[name]]

    def shift(self, values: np.ndarray, years: int) -> np.ndarray:
        """The value ``years`` earlier for the same establishment (NaN before the first year)."""
        grid = values.reshape(self.n_establishments, self.n_years)
        shifted = np.full_like(grid, np.nan)
        if years < self.n_years:
            shifted[:, years:] = grid[:, :-years]
        return shifted.reshape(-1)


def _account_sums(frame: _Frame, calls: list[f.Accounts]) -> dict[str, np.ndarray]:
    """Every distinct account function of the catalogue, as matrix products over the balances."""
    if not calls:
        return {}
    names = [name for name in frame.columns if name.startswith(ACCOUNT_PREFIX)]
    if not names:
        # Not one balance in the data read (activity and staff come before the accounts): every
        # account function is unknown, never 0.
        unknown = np.full(frame.matrix.shape[0], np.nan)
        return {
            "__has_accounts__": np.zeros(frame.matrix.shape[0], dtype=bool),
            **{call.key(): unknown for call in calls},
        }
    # Account columns come last in the matrix: a view, zeroed in place (formulas never read them raw).
    first = frame.columns[names[0]]
    balances = frame.matrix[:, first : first + len(names)]
    has_accounts = ~np.isnan(balances).all(axis=1)
    np.nan_to_num(balances, copy=False)
    numbers = [n[len(ACCOUNT_PREFIX) :] for n in names]
    results = {"__has_accounts__": has_accounts}
    for kind, functions in (
        ("net", ("debit", "credit")),
        ("debit_balances", ("soldes_debiteurs",)),
        ("credit_balances", ("soldes_crediteurs",)),
    ):
        group = [call for call in calls if call.function in functions]
        if not group:
            continue
        weights = np.zeros((len(numbers), len(group)))
        for j, call in enumerate(group):
            weights[[i for i, number in enumerate(numbers) if call.matches(number)], j] = (
                -1.0 if call.function == "credit" else 1.0
            )
        # Only the accounts a function reads are clipped: classes 3 and 4, not the whole balance.
        used = np.nonzero(weights.any(axis=1))[0]
        source = balances[:, used]
        if kind == "debit_balances":
            source = np.maximum(source, 0.0)
        elif kind == "credit_balances":
            source = np.maximum(-source, 0.0)
        sums = source @ weights[used]
        sums[~has_accounts] = np.nan
        for j, call in enumerate(group):
            results[call.key()] = sums[:, j]
    return results


def _evaluate(node, frame: _Frame, accounts: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(node, f.Number):
        return np.full(frame.matrix.shape[0], node.value)
    if isinstance(node, f.Element):
        return frame.column(node.code)
    if isinstance(node, f.Accounts):
        return accounts[node.key()]
    if isinstance(node, f.Lag):
        return frame.shift(_evaluate(node.expression, frame, accounts), node.years)
    if isinstance(node, f.Negate):
        return -_evaluate(node.operand, frame, accounts)
    left, right = _evaluate(node.left, frame, accounts), _evaluate(node.right, frame, accounts)
    if node.operator == "+":
        return left + right
    if node.operator == "-":
        return left - right
    if node.operator == "*":
        return left * right
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(right == 0, np.nan, left / right)


def _reasons(
    indicator: _Compiled, frame: _Frame, accounts, denominator, value, rows, texts: dict[str, int]
) -> np.ndarray:
    """Why each row is non calculable, as an index into ``texts`` (0 = calculable): built per pattern, not per row."""
    codes = np.zeros(len(rows), dtype=np.uint32)
    unknown = np.isnan(value[rows])
    if not unknown.any():
        return codes
    sub = rows[unknown]
    checks = _input_checks(indicator, frame, accounts, sub)
    if denominator is not None:
        den = denominator[sub]
        if indicator.spec.denominator_positive:
            checks.append((("denominator", NEGATIVE_DENOMINATOR), den <= 0))
        else:
            checks.append((("denominator", ZERO_DENOMINATOR), den == 0))
    bits = np.zeros(len(sub), dtype=np.int64)
    for position, (_, mask) in enumerate(checks):
        bits |= mask.astype(np.int64) << position
    # The reasons name years: one text per pattern of failed checks and year.
    keys = bits * frame.n_years + sub % frame.n_years
    patterns, inverse = np.unique(keys, return_inverse=True)
    pattern_codes = np.array(
        [
            texts.setdefault(
                _describe(int(key) // frame.n_years, checks, frame.first_year + int(key) % frame.n_years), len(texts)
            )
            for key in patterns
        ],
        dtype=np.uint32,
    )
    codes[unknown] = pattern_codes[inverse]
    return codes


def _input_checks(indicator: _Compiled, frame: _Frame, accounts, sub: np.ndarray) -> list:
    """For each input of the formula, which of the rows ``sub`` lack it (in the year the formula reads it)."""
    checks = []
    lags = sorted({lag for _, lag in indicator.element_inputs} | set(indicator.account_lags))
    earlier = {lag: _rows_back(frame, sub, lag) for lag in lags}
    for lag in lags:
        if lag:
            checks.append((("history", lag), ~_read(frame.present, earlier[lag], False)))
    for code, lag in indicator.element_inputs:
        checks.append((("element", lag, code), np.isnan(_read(frame.column(code), earlier[lag], np.nan))))
    for lag in indicator.account_lags:
        checks.append((("accounts", lag), ~_read(accounts["__has_accounts__"], earlier[lag], False)))
    return checks


def _rows_back(frame: _Frame, rows: np.ndarray, years: int) -> np.ndarray:
    """The row of the same establishment ``years`` earlier, −1 before the first year read."""
    return np.where(rows % frame.n_years >= years, rows - years, -1)


def _read(values: np.ndarray, rows: np.ndarray, outside):
    return np.where(rows >= 0, values[np.maximum(rows, 0)], outside)


def _years_text(years: int) -> str:
    return "1 an" if years == 1 else f"{years} ans"


def _describe(pattern: int, checks, year: int) -> str:
    failed = [label for position, (label, _) in enumerate(checks) if pattern >> position & 1]
    # With nothing at all in an earlier year, naming each of its missing inputs would say less.
    empty_years = [label[1] for label in failed if label[0] == "history"]
    parts = [NO_HISTORY.format(year - lag, _years_text(lag)) for lag in empty_years]
    missing: dict[int, list[str]] = {}
    for label in failed:
        if label[0] == "element" and label[1] not in empty_years:
            missing.setdefault(label[1], []).append(label[2])
    for lag, codes in sorted(missing.items()):
        names = ", ".join(codes)
        if lag:
            parts.append((MISSING_IN if len(codes) == 1 else MISSING_SEVERAL_IN).format(year - lag, names))
        else:
            parts.append((MISSING if len(codes) == 1 else MISSING_SEVERAL).format(names))
    parts += [
        NO_ACCOUNTS.format(year - label[1])
        for label in failed
        if label[0] == "accounts" and label[1] not in empty_years
    ]
    parts += [label[1] for label in failed if label[0] == "denominator"]
    text = " ; ".join(parts[:MAX_REASONS]) if parts else UNDEFINED
    return text if len(text) <= MAX_REASON_LENGTH else text[: MAX_REASON_LENGTH - 1] + "…"


def compute(establishments: pl.DataFrame, elements: pl.DataFrame, catalogue: list[_Compiled]) -> pl.DataFrame:
    """Values of every indicator for every establishment-year present in ``elements``.

    ``establishments``: columns establishment (key), category. ``elements``: establishment, year,
    element, value. Returns establishment, year, code, value, numerator, denominator, reason
    (value null and a reason when non calculable); only indicators that apply to the category.
    """
    keys = establishments["establishment"].cast(pl.Utf8).to_list()
    if elements.height == 0:
        return _result(keys, catalogue, {name: np.empty(0, dtype=dtype) for name, dtype in _COLUMNS.items()}, [""])
    used = sorted({name for c in catalogue for name in c.elements})
    element_names = elements["element"]
    if isinstance(element_names.dtype, (pl.Categorical, pl.Enum)):
        distinct = element_names.cat.get_categories().to_list()
    else:
        distinct = element_names.unique().to_list()
    account_names = sorted(name for name in distinct if name.startswith(ACCOUNT_PREFIX))
    frame = _Frame(keys, elements, used + account_names)
    calls = list(
        {
            call.key(): call
            for c in catalogue
            for t in (c.numerator, c.denominator)
            if t
            for call in f.account_calls_of(t)
        }.values()
    )
    accounts = _account_sums(frame, calls)
    category_names = sorted(set(establishments["category"].cast(pl.Utf8).to_list()))
    row_categories = np.repeat(codes_of(establishments["category"], category_names), frame.n_years)
    texts: dict[str, int] = {"": 0}
    # Which rows each indicator covers, first: the outputs are then allocated once and filled in place.
    coverage = []
    for indicator in catalogue:
        applies = frame.present.copy()
        if indicator.spec.categories:
            allowed = np.isin(np.array(category_names, dtype=object), indicator.spec.categories)
            applies &= allowed[row_categories]
        coverage.append(np.nonzero(applies)[0])
    total = sum(len(rows) for rows in coverage)
    out = {name: np.empty(total, dtype=dtype) for name, dtype in _COLUMNS.items()}
    start = 0
    for index, (indicator, rows) in enumerate(zip(catalogue, coverage, strict=True)):
        if len(rows) == 0:
            continue
        end = start + len(rows)
        numerator = _evaluate(indicator.numerator, frame, accounts)
        denominator = None if indicator.denominator is None else _evaluate(indicator.denominator, frame, accounts)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = indicator.spec.factor * (numerator if denominator is None else numerator / denominator)
        if denominator is not None:
            value[denominator == 0] = np.nan
            if indicator.spec.denominator_positive:
                value[denominator <= 0] = np.nan
        value[~np.isfinite(value)] = np.nan
        np.floor_divide(rows, frame.n_years, out=out["establishment"][start:end], casting="unsafe")
        out["year"][start:end] = rows % frame.n_years + frame.first_year
        out["code"][start:end] = index
        np.take(value, rows, out=out["value"][start:end])
        np.take(numerator, rows, out=out["numerator"][start:end])
        if denominator is None:
            out["denominator"][start:end] = np.nan
        else:
            np.take(denominator, rows, out=out["denominator"][start:end])
        out["reason"][start:end] = _reasons(indicator, frame, accounts, denominator, value, rows, texts)
        start = end
    return _result(keys, catalogue, out, list(texts))


_COLUMNS = {
    "establishment": np.uint32,
    "year": np.int32,
    "code": np.uint32,
    "value": np.float64,
    "numerator": np.float64,
    "denominator": np.float64,
    "reason": np.uint32,
}


def _result(keys: list[str], catalogue: list[_Compiled], out: dict[str, np.ndarray], texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            pl.Series("establishment", out["establishment"]).cast(pl.Enum(keys)),
            pl.Series("year", out["year"]),
            pl.Series("code", out["code"]).cast(pl.Enum([c.spec.code for c in catalogue])),
            pl.Series("value", out["value"], nan_to_null=True),
            pl.Series("numerator", out["numerator"], nan_to_null=True),
            pl.Series("denominator", out["denominator"], nan_to_null=True),
            pl.Series("reason", out["reason"]).cast(pl.Enum(texts)),
        ]
    )


NOT_ADDITIVE = "indicateur non consolidable (valeurs non additionnables)"
INCOMPLETE = "{} établissements sans valeur"
INCOMPLETE_ONE = "1 établissement sans valeur"


def consolidate(values: pl.DataFrame, groups: pl.DataFrame, specs: list[IndicatorSpec]) -> pl.DataFrame:
    """Consolidates values over groups of establishments (a contract's perimeter per homogeneous category).

    The right way: factor × Σ numerators / Σ denominators, never a mean of ratios. A group with a
    member whose value is non calculable is non calculable too, and says how many are missing.
    ``groups``: columns establishment (Utf8), group.
    """
    rules = pl.DataFrame(
        {"code": [s.code for s in specs], "factor": [s.factor for s in specs], "additive": [s.additive for s in specs]},
    )
    totals = (
        values.with_columns(pl.col("establishment").cast(pl.Utf8), pl.col("code").cast(pl.Utf8))
        .join(groups, on="establishment")
        .group_by(["group", "code", "year"])
        .agg(
            members=pl.len(),
            missing=pl.col("value").null_count(),
            numerator=pl.col("numerator").sum(),
            denominator=pl.col("denominator").sum(),
            ratio=pl.col("denominator").is_not_null().any(),
        )
        .join(rules, on="code")
    )
    value = pl.col("factor") * pl.when(pl.col("ratio")).then(pl.col("numerator") / pl.col("denominator")).otherwise(
        pl.col("numerator")
    )
    blocked = pl.col("missing") > 0
    not_additive = ~pl.col("ratio") & ~pl.col("additive")
    zero = pl.col("ratio") & (pl.col("denominator") == 0)
    return (
        totals.with_columns(
            value=pl.when(blocked | not_additive | zero).then(None).otherwise(value),
            reason=pl.when(pl.col("missing") == 1)
            .then(pl.lit(INCOMPLETE_ONE))
            .when(blocked)
            .then(pl.format(INCOMPLETE, pl.col("missing")))
            .when(not_additive)
            .then(pl.lit(NOT_ADDITIVE))
            .when(zero)
            .then(pl.lit(ZERO_DENOMINATOR))
            .otherwise(pl.lit("")),
        )
        .select("group", "code", "year", "members", "value", "numerator", "denominator", "reason")
        .sort("group", "code", "year")
    )
