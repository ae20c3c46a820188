"""What the signature of a contract seals of its launch kit, held by the database (SQLite and PostgreSQL triggers).

The services refuse these writes already (cpom.launch.rules); the triggers make them hold on every path (admin,
shell, raw SQL): once the contract is signed, its kit, committee, RACI matrix, check-list and steps done neither
change nor go, nor does anything join them; a generated letter's record never changes and is never deleted.

The trigger names start with ``launch_``: cpom.contracts.freeze reinstalls its own (``cpom_``) after every migration
and leaves these alone; :func:`reinstall` puts these back the same way (SQLite rebuilds a table it alters).
"""

from cpom.contracts.models import SIGNED_STATES
from cpom.triggers import Triggers

PREFIX = "launch_"

KIT_MESSAGE = "Contrat signé : son kit de lancement est l'histoire de son lancement et ne se modifie plus."
LETTER_MESSAGE = "Une lettre générée reste dans l'historique : son enregistrement ne se modifie pas et ne s'efface pas."

SIGNED = "(" + ", ".join(f"'{state}'" for state in sorted(SIGNED_STATES)) + ")"
# table → the SQL giving a row's contract id from its kit id
KIT_TABLES = ("launch_committeemember", "launch_racicell", "launch_checklistitem", "launch_steprecord")


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _kit_signed(row: str, false: str = "0") -> str:
    return (
        f"COALESCE((SELECT c.state FROM contracts_contract c JOIN launch_launchkit k ON k.contract_id = c.id "
        f"WHERE k.id = {row}.kit_id) IN {SIGNED}, {false})"
    )


def _contract_signed(row: str, false: str = "0") -> str:
    return f"COALESCE((SELECT state FROM contracts_contract WHERE id = {row}.contract_id) IN {SIGNED}, {false})"


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END"
    )


def _sqlite() -> list[str]:
    statements = []
    for table, signed in [("launch_launchkit", _contract_signed), *((t, _kit_signed) for t in KIT_TABLES)]:
        short = table.removeprefix("launch_")
        statements += [
            _sqlite_trigger(f"{short}_insert", "INSERT", table, signed("NEW"), KIT_MESSAGE),
            _sqlite_trigger(f"{short}_update", "UPDATE", table, f"{signed('OLD')} OR {signed('NEW')}", KIT_MESSAGE),
            _sqlite_trigger(f"{short}_delete", "DELETE", table, signed("OLD"), KIT_MESSAGE),
        ]
    statements += [
        _sqlite_trigger("letterissue_update", "UPDATE", "launch_letterissue", "1", LETTER_MESSAGE),
        _sqlite_trigger("letterissue_delete", "DELETE", "launch_letterissue", "1", LETTER_MESSAGE),
    ]
    return statements


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation';"


def _pg(name: str, events: str, table: str, body: str) -> list[str]:
    return [
        f"CREATE FUNCTION {PREFIX}{name}() RETURNS trigger AS $$\nBEGIN\n{body}\nEND $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {PREFIX}{name}()",
    ]


def _pg_sealed(signed) -> str:
    return f"""
  IF TG_OP <> 'INSERT' THEN
    IF {signed("OLD", "FALSE")} THEN {_raise(KIT_MESSAGE)} END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {signed("NEW", "FALSE")} THEN {_raise(KIT_MESSAGE)} END IF;
  END IF;
  RETURN COALESCE(NEW, OLD);"""


def _postgresql() -> list[str]:
    statements = _pg("launchkit_sealed", "INSERT OR UPDATE OR DELETE", "launch_launchkit", _pg_sealed(_contract_signed))
    for table in KIT_TABLES:
        short = table.removeprefix("launch_")
        statements += _pg(f"{short}_sealed", "INSERT OR UPDATE OR DELETE", table, _pg_sealed(_kit_signed))
    statements += _pg(
        "letterissue_append_only", "UPDATE OR DELETE", "launch_letterissue", f"  {_raise(LETTER_MESSAGE)}"
    )
    return statements


TRIGGERS = Triggers("launch", PREFIX, _sqlite, _postgresql)
# What the migrations, the app's ready() and the tests call.
statements, install, uninstall, reinstall = (
    TRIGGERS.statements,
    TRIGGERS.install,
    TRIGGERS.uninstall,
    TRIGGERS.reinstall,
)
