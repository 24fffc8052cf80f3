"""The database every store shares: SQLAlchemy Core tables, engines and Alembic migrations.

``schema`` holds the tables, ``engine`` turns ``DOST_DATABASE_URL`` (or an embedded SQLite
file) into an engine and checks its schema, ``migrate`` runs Alembic, ``access`` is the
small base the stores' methods use.
"""
