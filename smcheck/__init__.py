"""smcheck: check a school social-media post against staff policy, offline."""
__version__ = "0.2.0"
