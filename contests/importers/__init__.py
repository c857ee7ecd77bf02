"""Importers: each turns an outside format into contests.model objects, or raises DataError."""
