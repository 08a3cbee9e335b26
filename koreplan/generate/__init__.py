"""Synthetic data at demo and national scale: ``koreplan generate --scale demo|national``.

``population`` draws and lives the cases in pure Python; ``national`` writes them (and the
staff, hand-overs, journal, audit log and the partner apps' records) in one transaction;
``writer`` is the fast path into the database. The ``bench`` command (``make bench``)
lives here too, since it needs an installed app; its code is in ``koreplan.bench``.
"""
