"""The database: models, sessions, access in the query, the one writer."""
