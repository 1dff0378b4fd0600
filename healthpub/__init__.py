"""Bilingual health-information publishing: source → segments → catalogs → QA → pages and leaflets."""

__version__ = "0.1.0"
