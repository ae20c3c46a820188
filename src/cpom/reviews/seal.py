"""What the signature of a relevé de décisions seals, held by the database (SQLite and PostgreSQL triggers).

The services refuse these writes already; the triggers make them hold on every path (admin, shell, raw SQL):

- a review sent for signature keeps its signed content (snapshot, hash, summary, date, place); sealed, it does not
  change at all; a review once held is never deleted;
- the decisions of a review in signature or sealed keep their text, kind, owner and due date, none is added or
  deleted; their status (and its comment, and the amendment a decision opened) stays open to change, audited;
- the participants of a review in signature or sealed do not change;
- a signature goes on a review in signature and names its hash, and is never changed nor deleted.

The trigger names start with ``reviews_``: cpom.contracts.freeze reinstalls its own (``cpom_``) after every
migration and leaves these alone; :func:`reinstall` puts these back the same way (SQLite rebuilds a table it alters).
"""

from cpom.triggers import Triggers

PREFIX = "reviews_"

REVIEW_MESSAGE = (
    "Relevé de décisions : une fois envoyé pour signature, son contenu ne change plus ; scellé, il ne change plus du "
    "tout ; un dialogue tenu ne s'efface pas."
)
DECISIONS_MESSAGE = (
    "Relevé en signature ou scellé : le texte, le type, le porteur et l'échéance de ses décisions ne changent plus "
    "(seul leur état évolue)."
)
PARTICIPANTS_MESSAGE = "Relevé en signature ou scellé : ses participants ne changent plus."
SIGNATURE_MESSAGE = (
    "Signature du relevé : elle porte sur un relevé en signature et sur son empreinte ; enregistrée, elle ne se "
    "modifie pas et ne s'efface pas."
)

FROZEN_STATES = "('signing', 'sealed')"
REVIEW_CONTENT = ("snapshot", "content_sha256", "summary", "day", "place", "contract_id", "year", "kind", "purposes")
DECISION_CONTENT = (
    "review_id",
    "number",
    "kind",
    "text",
    "owner_side",
    "owner_authority_id",
    "owner_person_id",
    "due_date",
)


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _review_state(row: str) -> str:
    return f"(SELECT state FROM reviews_review WHERE id = {row}.review_id)"


def _changed(columns, distinct: str) -> str:
    return "(" + " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns) + ")"


_SIGNATURE_OFF_TARGET = (
    "NOT EXISTS (SELECT 1 FROM reviews_review r WHERE r.id = NEW.review_id AND r.state = 'signing' "
    "AND r.content_sha256 = NEW.signed_hash)"
)


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END"
    )


def _review_refused(distinct: str) -> str:
    # JSON columns compare as text on both databases once cast (PostgreSQL's jsonb has no IS DISTINCT on json).
    return f"OLD.state = 'sealed' OR (OLD.state = 'signing' AND {_changed(REVIEW_CONTENT, distinct)})"


def _sqlite() -> list[str]:
    statements = [
        _sqlite_trigger("review_sealed", "UPDATE", "reviews_review", _review_refused("IS NOT"), REVIEW_MESSAGE),
        _sqlite_trigger("review_not_deleted", "DELETE", "reviews_review", "OLD.state <> 'planned'", REVIEW_MESSAGE),
        _sqlite_trigger(
            "decision_insert",
            "INSERT",
            "reviews_decision",
            f"{_review_state('NEW')} IN {FROZEN_STATES}",
            DECISIONS_MESSAGE,
        ),
        _sqlite_trigger(
            "decision_update",
            "UPDATE",
            "reviews_decision",
            f"({_review_state('OLD')} IN {FROZEN_STATES} OR {_review_state('NEW')} IN {FROZEN_STATES}) "
            f"AND {_changed(DECISION_CONTENT, 'IS NOT')}",
            DECISIONS_MESSAGE,
        ),
        _sqlite_trigger(
            "decision_delete",
            "DELETE",
            "reviews_decision",
            f"{_review_state('OLD')} IN {FROZEN_STATES}",
            DECISIONS_MESSAGE,
        ),
        _sqlite_trigger(
            "signature_on_target", "INSERT", "reviews_minutessignature", _SIGNATURE_OFF_TARGET, SIGNATURE_MESSAGE
        ),
        _sqlite_trigger("signature_not_updated", "UPDATE", "reviews_minutessignature", "1", SIGNATURE_MESSAGE),
        _sqlite_trigger("signature_not_deleted", "DELETE", "reviews_minutessignature", "1", SIGNATURE_MESSAGE),
    ]
    for when, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        statements.append(
            _sqlite_trigger(
                f"participant_{when.lower()}",
                when,
                "reviews_participant",
                f"{_review_state(row)} IN {FROZEN_STATES}",
                PARTICIPANTS_MESSAGE,
            )
        )
    return statements


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation';"


def _pg(name: str, events: str, table: str, body: str) -> list[str]:
    return [
        f"CREATE FUNCTION {PREFIX}{name}() RETURNS trigger AS $$\nBEGIN\n{body}\nEND $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {PREFIX}{name}()",
    ]


def _pg_review_refused() -> str:
    columns = [f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in REVIEW_CONTENT]
    return f"OLD.state = 'sealed' OR (OLD.state = 'signing' AND ({' OR '.join(columns)}))"


def _postgresql() -> list[str]:
    review = f"""
  IF TG_OP = 'DELETE' THEN
    IF OLD.state <> 'planned' THEN {_raise(REVIEW_MESSAGE)} END IF;
    RETURN OLD;
  END IF;
  IF {_pg_review_refused()} THEN {_raise(REVIEW_MESSAGE)} END IF;
  RETURN NEW;"""
    decision = f"""
  IF TG_OP = 'INSERT' THEN
    IF {_review_state("NEW")} IN {FROZEN_STATES} THEN {_raise(DECISIONS_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF {_review_state("OLD")} IN {FROZEN_STATES} THEN {_raise(DECISIONS_MESSAGE)} END IF;
    RETURN OLD;
  END IF;
  IF ({_review_state("OLD")} IN {FROZEN_STATES} OR {_review_state("NEW")} IN {FROZEN_STATES})
     AND {_changed(DECISION_CONTENT, "IS DISTINCT FROM")} THEN
    {_raise(DECISIONS_MESSAGE)}
  END IF;
  RETURN NEW;"""
    participant = f"""
  IF TG_OP <> 'INSERT' THEN
    IF {_review_state("OLD")} IN {FROZEN_STATES} THEN {_raise(PARTICIPANTS_MESSAGE)} END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {_review_state("NEW")} IN {FROZEN_STATES} THEN {_raise(PARTICIPANTS_MESSAGE)} END IF;
  END IF;
  RETURN COALESCE(NEW, OLD);"""
    signature = f"""
  IF TG_OP = 'INSERT' THEN
    IF {_SIGNATURE_OFF_TARGET} THEN {_raise(SIGNATURE_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  {_raise(SIGNATURE_MESSAGE)}"""
    return [
        *_pg("review_sealed", "UPDATE OR DELETE", "reviews_review", review),
        *_pg("decision_frozen", "INSERT OR UPDATE OR DELETE", "reviews_decision", decision),
        *_pg("participant_frozen", "INSERT OR UPDATE OR DELETE", "reviews_participant", participant),
        *_pg("signature_append_only", "INSERT OR UPDATE OR DELETE", "reviews_minutessignature", signature),
    ]


TRIGGERS = Triggers("reviews", PREFIX, _sqlite, _postgresql)
# What the migrations, the app's ready() and the tests call.
statements, install, uninstall, reinstall = (
    TRIGGERS.statements,
    TRIGGERS.install,
    TRIGGERS.uninstall,
    TRIGGERS.reinstall,
)
