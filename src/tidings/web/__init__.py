"""The web reader (Starlette + Jinja2), talking only to the Aggregator facade."""
