"""A record of each generated data set: what made it, and which cases are synthetic.

The generator refuses to add to a database holding cases it did not make (unless told
to), and the bench reuses a database that already holds a finished national set: both
ask this table. Written by ``koreplan.generate`` only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedSet(models.Model):
    class Scale(models.TextChoices):
        DEMO = "demo", _("Demo")
        NATIONAL = "national", _("National")

    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices)
    seed = models.BigIntegerField(_("seed"))
    open_cases = models.PositiveIntegerField(_("open cases"), default=0)
    closed_cases = models.PositiveIntegerField(_("closed cases"), default=0)
    #: The ids of the cases the set made (a range: they are written in one transaction).
    first_case_id = models.BigIntegerField(null=True, blank=True)
    last_case_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    seconds = models.FloatField(_("seconds"))
    #: Rows written per table, and other figures of the run.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("generated data set")
        verbose_name_plural = _("generated data sets")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} ({self.started_at:%Y-%m-%d %H:%M})"
