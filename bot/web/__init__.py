"""The HTTP API, the admin routes, live reload, and the widget's static files."""
