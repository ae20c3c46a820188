"""What the signature of a campaign's conclusions seals, held by the database (SQLite and PostgreSQL triggers).

The services refuse these writes already; the triggers make them hold on every path (admin, shell, raw SQL):

- once its conclusions are sent for signature, a campaign's signed content (snapshot and hash) never changes, and a
  closed campaign does not change at all; an opened campaign is never deleted;
- the lines and milestones of a campaign in signature or closed do not change;
- a signature goes on a campaign in signature and names its hash, and is never changed nor deleted;
- a sealed document is written while the campaign is in signature (at its closing), then never changes.

The trigger names start with ``followup_``: cpom.contracts.freeze reinstalls its own (``cpom_``) after every
migration and leaves these alone; :func:`reinstall` puts these back the same way (SQLite rebuilds a table it alters).
"""

from cpom.triggers import Triggers

PREFIX = "followup_"

CAMPAIGN_MESSAGE = (
    "Campagne de suivi : une fois ses conclusions envoyées pour signature, la grille signée ne change plus ; "
    "close, elle ne change plus du tout ; une campagne ouverte ne s'efface pas."
)
LINES_MESSAGE = "Campagne en signature ou close : ses lignes et ses jalons ne changent plus."
SIGNATURE_MESSAGE = (
    "Signature des conclusions : elle porte sur une campagne en signature et sur son empreinte ; "
    "enregistrée, elle ne se modifie pas et ne s'efface pas."
)
DOCUMENT_MESSAGE = "Document scellé : il s'écrit à la clôture de la campagne, puis ne change plus."

FROZEN_STATUSES = "('signing', 'closed')"


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _campaign_status(row: str) -> str:
    return f"(SELECT status FROM followup_campaign WHERE id = {row}.campaign_id)"


def _content_changed(distinct: str) -> str:
    return f"OLD.snapshot {distinct} NEW.snapshot OR OLD.content_sha256 {distinct} NEW.content_sha256"


_SIGNATURE_OFF_TARGET = (
    "NOT EXISTS (SELECT 1 FROM followup_campaign c WHERE c.id = NEW.campaign_id AND c.status = 'signing' "
    "AND c.content_sha256 = NEW.signed_hash)"
)


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END"
    )


def _sqlite() -> list[str]:
    statements = [
        _sqlite_trigger(
            "campaign_sealed",
            "UPDATE",
            "followup_campaign",
            f"OLD.status = 'closed' OR (OLD.content_sha256 <> '' AND ({_content_changed('IS NOT')}))",
            CAMPAIGN_MESSAGE,
        ),
        _sqlite_trigger(
            "campaign_not_deleted", "DELETE", "followup_campaign", "OLD.status <> 'planned'", CAMPAIGN_MESSAGE
        ),
        _sqlite_trigger(
            "signature_on_target", "INSERT", "followup_conclusionsignature", _SIGNATURE_OFF_TARGET, SIGNATURE_MESSAGE
        ),
        _sqlite_trigger("signature_not_updated", "UPDATE", "followup_conclusionsignature", "1", SIGNATURE_MESSAGE),
        _sqlite_trigger("signature_not_deleted", "DELETE", "followup_conclusionsignature", "1", SIGNATURE_MESSAGE),
        _sqlite_trigger(
            "document_at_closing",
            "INSERT",
            "followup_sealeddocument",
            f"{_campaign_status('NEW')} IS NOT 'signing'",
            DOCUMENT_MESSAGE,
        ),
        _sqlite_trigger("document_not_updated", "UPDATE", "followup_sealeddocument", "1", DOCUMENT_MESSAGE),
        _sqlite_trigger("document_not_deleted", "DELETE", "followup_sealeddocument", "1", DOCUMENT_MESSAGE),
    ]
    for table in ("followup_gridentry", "followup_milestoneprogress"):
        short = table.removeprefix("followup_")
        statements += [
            _sqlite_trigger(
                f"{short}_insert", "INSERT", table, f"{_campaign_status('NEW')} IN {FROZEN_STATUSES}", LINES_MESSAGE
            ),
            _sqlite_trigger(
                f"{short}_update",
                "UPDATE",
                table,
                f"{_campaign_status('OLD')} IN {FROZEN_STATUSES} OR {_campaign_status('NEW')} IN {FROZEN_STATUSES}",
                LINES_MESSAGE,
            ),
            _sqlite_trigger(
                f"{short}_delete", "DELETE", table, f"{_campaign_status('OLD')} IN {FROZEN_STATUSES}", LINES_MESSAGE
            ),
        ]
    return statements


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation';"


def _pg(name: str, events: str, table: str, body: str) -> list[str]:
    return [
        f"CREATE FUNCTION {PREFIX}{name}() RETURNS trigger AS $$\nBEGIN\n{body}\nEND $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {PREFIX}{name}()",
    ]


def _postgresql() -> list[str]:
    campaign = f"""
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'planned' THEN {_raise(CAMPAIGN_MESSAGE)} END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'closed' OR (OLD.content_sha256 <> '' AND ({_content_changed("IS DISTINCT FROM")})) THEN
    {_raise(CAMPAIGN_MESSAGE)}
  END IF;
  RETURN NEW;"""
    signature = f"""
  IF TG_OP = 'INSERT' THEN
    IF {_SIGNATURE_OFF_TARGET} THEN {_raise(SIGNATURE_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  {_raise(SIGNATURE_MESSAGE)}"""
    document = f"""
  IF TG_OP = 'INSERT' THEN
    IF {_campaign_status("NEW")} IS DISTINCT FROM 'signing' THEN {_raise(DOCUMENT_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  {_raise(DOCUMENT_MESSAGE)}"""
    lines = f"""
  IF TG_OP <> 'INSERT' THEN
    IF {_campaign_status("OLD")} IN {FROZEN_STATUSES} THEN {_raise(LINES_MESSAGE)} END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {_campaign_status("NEW")} IN {FROZEN_STATUSES} THEN {_raise(LINES_MESSAGE)} END IF;
  END IF;
  RETURN COALESCE(NEW, OLD);"""
    return [
        *_pg("campaign_sealed", "UPDATE OR DELETE", "followup_campaign", campaign),
        *_pg("signature_append_only", "INSERT OR UPDATE OR DELETE", "followup_conclusionsignature", signature),
        *_pg("document_sealed", "INSERT OR UPDATE OR DELETE", "followup_sealeddocument", document),
        *_pg("gridentry_frozen", "INSERT OR UPDATE OR DELETE", "followup_gridentry", lines),
        *_pg("milestoneprogress_frozen", "INSERT OR UPDATE OR DELETE", "followup_milestoneprogress", lines),
    ]


TRIGGERS = Triggers("followup", PREFIX, _sqlite, _postgresql)
# What the migrations, the app's ready() and the tests call.
statements, install, uninstall, reinstall = (
    TRIGGERS.statements,
    TRIGGERS.install,
    TRIGGERS.uninstall,
    TRIGGERS.reinstall,
)
