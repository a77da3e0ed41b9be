"""The hours of each lot as they bind the holder, read from the one calculation of the profile.

* Outside accords-cadres, the obligation is the calculated (or imposed) volume, split by period for a
  renewable market (due only for the periods executed).
* An accord-cadre binds firm hours on its minimum — of each period or of the whole duration, as the profile
  says —, then a ratio of hours per tranche of orders **executed** (service fait) beyond the minimum; the
  maximum gives an indicative ceiling, never an obligation.
* A lot scored on insertion without a condition binds the volume its holder offered (``HoursTerms.binds``
  false here: the offer, not the plan, sets it).
"""

from __future__ import annotations

from ..calc import LotHours
from .model import HoursTerms

WEEK_HOURS = 35  # one week of full-time work: under it, a clause gives no real parcours


def hours_terms(r: LotHours, condition: bool, insertion: bool):
    """The ``HoursTerms`` of one lot."""
    binds = r.heures is not None and (condition or insertion)
    ac = r.accord_cadre
    imposed = r.methode == "imposee"
    if not binds:
        return HoursTerms(binds=False, total=None, firm=None, imposed=imposed, reason=r.raison)
    total = r.heures
    if ac is not None and not imposed:
        scope = None if ac.minimum_ht is None else ("periode" if ac.minimum_par_periode else "duree")
        return HoursTerms(
            binds=True,
            total=total,
            firm=ac.heures_fermes,
            per_tranche=ac.ratio_par_tranche,
            tranche_ht=ac.tranche_ht,
            ceiling=ac.heures_max,
            minimum_ht=ac.minimum_ht,
            maximum_ht=ac.maximum_ht,
            minimum_scope=scope,
            periods=r.periodes,
            framework=True,
            under_a_week=ac.minimum_ht is not None and 0 < (ac.heures_fermes_periode or ac.heures_fermes) < WEEK_HOURS,
        )
    return HoursTerms(
        binds=True,
        total=total,
        firm=total,
        periods=r.periodes,
        imposed=imposed,
        under_a_week=0 < total < WEEK_HOURS,
    )
