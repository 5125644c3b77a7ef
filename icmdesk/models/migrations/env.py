"""Alembic environment: always run on the connection ICMDesk hands over.

ICMDesk runs migrations itself (models/database.py) inside one transaction
on a connection whose pysqlite driver does not auto-commit DDL, so a failed
migration rolls back completely.
"""

from alembic import context

from icmdesk.models.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("ICMDesk migrations run through icmdesk.models.database, not the CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    transaction_per_migration=False,
)
context.run_migrations()
