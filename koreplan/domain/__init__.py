"""The pure-Python core of Køreplan.

Nothing in this package imports Django (an import-linter contract in the test suite
enforces it): the rules, the timeline, consent decisions, redaction and plan versions
are plain functions over frozen dataclasses, so they can be read, tested and run
without a database — by the web application, the API, the task worker and the
``koreplan timeline`` command alike.
"""
