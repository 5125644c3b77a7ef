"""The company file: SQLAlchemy tables, migrations, the session factory, row/value mapping."""
