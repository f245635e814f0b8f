"""The program catalog: SQLAlchemy models and their Alembic migrations, the record schema, queries, the YAML seed loader and the spaCy name pipeline."""
