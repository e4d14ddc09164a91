"""The HTTP API and the console, served by one FastAPI application (see app.py)."""
