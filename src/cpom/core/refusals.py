"""A business rule's refusal: every reason, in French, so that the user sees all that blocks at once."""


class Refused(Exception):
    def __init__(self, reasons: list[str] | str):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__(" ".join(self.reasons))
