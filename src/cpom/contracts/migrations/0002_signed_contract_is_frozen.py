"""Database triggers: once a contract is signed, its frame, perimeter and parties cannot change.

The lifecycle service already refuses such edits; the triggers make the rule hold
for every path to the database (admin, shell, scripts, a future bug). The state
itself still moves (in force, renewal, closed...), and a change after signature
goes through an amendment.
"""

from django.db import migrations

SIGNED = "('signed', 'in_force', 'renewal', 'closed', 'terminated')"
FRAME = ["reference", "title", "managing_body_id", "legal_basis", "duration_years", "start_date", "end_date"]
MESSAGE = "Contrat signé : son cadre, son périmètre et ses parties sont figés (passer par un avenant)."

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER contract_signed_frame_frozen BEFORE UPDATE ON contracts_contract
    FOR EACH ROW WHEN OLD.state IN {SIGNED} AND ({" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in FRAME)})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END
    """,
    f"""
    CREATE TRIGGER contract_signed_not_deleted BEFORE DELETE ON contracts_contract
    FOR EACH ROW WHEN OLD.state IN {SIGNED}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END
    """,
] + [
    f"""
    CREATE TRIGGER {table}_{event.lower()}_frozen BEFORE {event} ON {table}
    FOR EACH ROW WHEN (SELECT state FROM contracts_contract WHERE id = {row}.contract_id) IN {SIGNED}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END
    """
    for table in ("contracts_contract_establishments", "contracts_contractparty")
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS contract_signed_frame_frozen",
    "DROP TRIGGER IF EXISTS contract_signed_not_deleted",
] + [
    f"DROP TRIGGER IF EXISTS {table}_{event}_frozen"
    for table in ("contracts_contract_establishments", "contracts_contractparty")
    for event in ("insert", "update", "delete")
]

POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION cpom_contract_frozen() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.state IN {SIGNED} THEN
        RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'restrict_violation';
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.state IN {SIGNED}
         AND ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in FRAME)}) THEN
        RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contract_signed_frozen BEFORE UPDATE OR DELETE ON contracts_contract
    FOR EACH ROW EXECUTE FUNCTION cpom_contract_frozen()
    """,
    f"""
    CREATE FUNCTION cpom_contract_child_frozen() RETURNS trigger AS $$
    DECLARE contract_state text;
    BEGIN
      SELECT state INTO contract_state FROM contracts_contract
       WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.contract_id ELSE OLD.contract_id END);
      IF contract_state IN {SIGNED} THEN
        RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END $$ LANGUAGE plpgsql
    """,
] + [
    f"""
    CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION cpom_contract_child_frozen()
    """
    for table in ("contracts_contract_establishments", "contracts_contractparty")
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS contract_signed_frozen ON contracts_contract",
    "DROP TRIGGER IF EXISTS contracts_contract_establishments_frozen ON contracts_contract_establishments",
    "DROP TRIGGER IF EXISTS contracts_contractparty_frozen ON contracts_contractparty",
    "DROP FUNCTION IF EXISTS cpom_contract_frozen()",
    "DROP FUNCTION IF EXISTS cpom_contract_child_frozen()",
]

STATEMENTS = {"sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD), "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD)}


def _run(direction):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in STATEMENTS:
            raise NotImplementedError(f"cpom supports SQLite and PostgreSQL, not {vendor}.")
        for statement in STATEMENTS[vendor][direction]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(_run(0), _run(1))]
