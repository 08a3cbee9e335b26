"""The JSON API (/api/v1) for integration with other systems."""
