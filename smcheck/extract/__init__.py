"""Extraction: a post's text and images become facts the rules read."""
