"""Fast bulk reads and writes for the engine: raw SQL, COPY on PostgreSQL.

The ORM would build one Python object per row; a region's recomputation writes
hundreds of thousands of values, so these two functions talk to the cursor directly.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction


def float_cast(expression: str) -> str:
    """SQL casting a decimal column to an 8-byte float on either database."""
    return f"CAST({expression} AS {'DOUBLE PRECISION' if connection.vendor == 'postgresql' else 'REAL'})"


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bulk_insert(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    # One transaction: in autocommit SQLite would sync the disk after every row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))
