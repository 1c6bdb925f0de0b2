"""Packages (hours and items drawn down by paid usage invoices) and punch passes."""
