"""The program catalog: SQLAlchemy models, queries, the YAML seed loader and the spaCy name pipeline."""
