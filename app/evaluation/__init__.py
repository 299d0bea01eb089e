"""The comprehensive evaluation: scoring, the report's values, the PDF and its signature."""
