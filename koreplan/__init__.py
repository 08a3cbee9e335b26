"""Køreplan: case management for good release from prison."""
