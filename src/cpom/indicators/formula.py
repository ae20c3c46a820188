"""The catalogue's expression language (see FORMULAS.md): parsed once, checked, evaluated by the engine.

Pure Python, no Django: a formula is text; ``parse`` turns it into a small tree or
raises :class:`FormulaError` with the position (1-based column) of the problem.
"""

import re
from dataclasses import dataclass

ACCOUNT_FUNCTIONS = {"debit", "credit", "soldes_debiteurs", "soldes_crediteurs"}
LAG_FUNCTION = "n_moins"
EXCLUDE_KEYWORD = "sauf"

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[a-z_][a-z0-9_]*)|(?P<op>[-+*/(),]))")


class FormulaError(ValueError):
    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (colonne {position})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Element:
    code: str
    position: int


@dataclass(frozen=True)
class AccountItem:
    prefix: str
    excluded: tuple[str, ...] = ()

    def matches(self, account: str) -> bool:
        return account.startswith(self.prefix) and not any(account.startswith(e) for e in self.excluded)


@dataclass(frozen=True)
class Accounts:
    function: str
    items: tuple[AccountItem, ...]

    def matches(self, account: str) -> bool:
        return any(item.matches(account) for item in self.items)

    def key(self) -> str:
        parts = [i.prefix + (f" sauf {', '.join(i.excluded)}" if i.excluded else "") for i in self.items]
        return f"{self.function}({', '.join(parts)})"


@dataclass(frozen=True)
class Lag:
    years: int
    expression: object


@dataclass(frozen=True)
class Negate:
    operand: object


@dataclass(frozen=True)
class Binary:
    operator: str
    left: object
    right: object


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens, index = [], 0
    while index < len(text):
        if text[index:].strip() == "":
            break
        match = _TOKEN.match(text, index)
        if not match:
            column = index + len(text[index:]) - len(text[index:].lstrip()) + 1
            raise FormulaError(f"caractère inattendu « {text[column - 1]} »", column)
        kind = match.lastgroup
        start = match.start(kind) + 1
        tokens.append(_Token(kind, match.group(kind), start))
        index = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self.current
        if (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            expected = f"« {text} »" if text else {"number": "un nombre", "name": "un nom"}.get(kind, kind)
            found = f"« {token.text} »" if token.text else "la fin de la formule"
            raise FormulaError(f"{expected} attendu, trouvé {found}", token.position)
        self.index += 1
        return token

    def expression(self):
        node = self.term()
        while self.current.text in ("+", "-"):
            operator = self.take().text
            node = Binary(operator, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.current.text in ("*", "/"):
            operator = self.take().text
            node = Binary(operator, node, self.unary())
        return node

    def unary(self):
        if self.current.text == "-":
            self.take()
            return Negate(self.unary())
        return self.primary()

    def primary(self):
        token = self.current
        if token.kind == "number":
            self.take()
            return Number(float(token.text))
        if token.text == "(":
            self.take("(")
            node = self.expression()
            self.take(")")
            return node
        if token.kind == "name":
            self.take()
            if token.text in ACCOUNT_FUNCTIONS:
                return self.accounts(token.text)
            if token.text == LAG_FUNCTION:
                return self.lag()
            if self.current.text == "(":
                raise FormulaError(f"fonction inconnue « {token.text} »", token.position)
            return Element(token.text, token.position)
        found = f"« {token.text} »" if token.text else "la fin de la formule"
        raise FormulaError(f"valeur attendue, trouvé {found}", token.position)

    def accounts(self, function: str) -> Accounts:
        self.take("(")
        items = [self.account_item()]
        while self.current.text == ",":
            self.take(",")
            items.append(self.account_item())
        self.take(")")
        return Accounts(function, tuple(items))

    def account_item(self) -> AccountItem:
        prefix = self.take(kind="number")
        if "." in prefix.text:
            raise FormulaError(f"numéro de compte invalide « {prefix.text} »", prefix.position)
        excluded = []
        if self.current.text == EXCLUDE_KEYWORD:
            self.take(EXCLUDE_KEYWORD)
            excluded.append(self.excluded_account(prefix))
            # "16 sauf 1688, 1689": a number starting with the prefix continues the exclusions.
            while self.current.text == "," and self.tokens[self.index + 1].text.startswith(prefix.text):
                self.take(",")
                excluded.append(self.excluded_account(prefix))
        return AccountItem(prefix.text, tuple(excluded))

    def excluded_account(self, prefix: _Token) -> str:
        token = self.take(kind="number")
        if not token.text.startswith(prefix.text):
            raise FormulaError(
                f"le compte exclu {token.text} n'est pas un sous-compte de {prefix.text}", token.position
            )
        return token.text

    def lag(self) -> Lag:
        self.take("(")
        years = self.take(kind="number")
        if not years.text.isdigit() or int(years.text) < 1:
            raise FormulaError("n_moins attend un nombre d'années entier positif", years.position)
        self.take(",")
        expression = self.expression()
        self.take(")")
        return Lag(int(years.text), expression)


def parse(text: str):
    if not text or not text.strip():
        raise FormulaError("formule vide", 1)
    parser = _Parser(text)
    node = parser.expression()
    if parser.current.kind != "end":
        raise FormulaError(f"« {parser.current.text} » inattendu", parser.current.position)
    return node


def walk(node):
    yield node
    for child in _children(node):
        yield from walk(child)


def _children(node):
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Lag):
        return (node.expression,)
    return ()


def elements_of(node) -> list[Element]:
    return [n for n in walk(node) if isinstance(n, Element)]


def account_calls_of(node) -> list[Accounts]:
    return [n for n in walk(node) if isinstance(n, Accounts)]


def inputs_of(node, years_back: int = 0):
    """Each element and account function a formula reads, with how many years back it reads it.

    ``n_moins(4, debit(6) / places_autorisees)`` reads both inputs 4 years back; lags nest and add up.
    """
    if isinstance(node, Lag):
        yield from inputs_of(node.expression, years_back + node.years)
    elif isinstance(node, (Element, Accounts)):
        yield node, years_back
    else:
        for child in _children(node):
            yield from inputs_of(child, years_back)


def check(text: str, known_elements: set[str]):
    """Parses ``text`` and checks that every element exists; returns the tree."""
    node = parse(text)
    for element in elements_of(node):
        if element.code not in known_elements:
            raise FormulaError(f"donnée inconnue « {element.code} »", element.position)
    return node
