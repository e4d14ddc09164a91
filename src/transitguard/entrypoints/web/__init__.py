"""The operator console: server-rendered pages (Jinja2) with htmx, served by the API's FastAPI app.

pages.install_console(app) adds the console's routes and its static files; one module per area.
"""
