"""Rendering of the document pack from docxtpl templates."""
