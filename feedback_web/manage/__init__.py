"""The managers' pages (/manage) and the cases API for integrations."""
