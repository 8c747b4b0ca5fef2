"""Blueprints: each page or API concern's routes, forms and templates."""
