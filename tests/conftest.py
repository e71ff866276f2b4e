"""Test-wide settings."""

from streamlit import config

# Streamlit's "magic" parses each page with ast.parse on every run; on Python 3.11.7 that can fail
# with "AST constructor recursion depth mismatch" once many apps have run in one process. The
# dashboard uses no magic, and `postloan serve` turns it off too.
config.set_option("runner.magicEnabled", False)
