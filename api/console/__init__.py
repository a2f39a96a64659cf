"""The web console: server-rendered pages for auditors, structurers and investors, and
self-hosted API documentation; every asset is served from this package or node_modules."""
