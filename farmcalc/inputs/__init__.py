"""The farm record coming in: fields, tables, parsing, checks, vocabulary."""
