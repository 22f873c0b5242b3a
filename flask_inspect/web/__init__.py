"""The panel: pages and JSON API, thin over the pure modules."""
