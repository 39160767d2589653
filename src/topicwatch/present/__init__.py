"""Presentation only: the command line, the web page and the report."""
