"""Topic discovery, description and assignment, one stage per module."""
