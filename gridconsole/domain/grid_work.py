"""Art. 16: what may be given to a grid worker.

Nobody may ask a grid worker to do what lies outside the published matter list (事项清单), nor
to carry out an administrative licence, penalty or coercive measure, which only officials may.
The centre checks every piece of work it hands to a grid (小事不出网格, verification on site)
against this rule and tells the dispatcher which part refused it.
"""

from __future__ import annotations

from gridconsole.domain.enums import AdministrativePower


def grid_work_refusal(
    *,
    on_matter_list: bool,
    administrative_power: AdministrativePower | None,
    resolvable_in_grid: bool,
) -> str | None:
    """The rule that forbids resolving a case of this category in the grid, or None.

    The order is the regulation's: an official power refuses first (Art. 16 (二)), then the
    matter list (Art. 16 (一)), then the centre's own list of matters a grid settles itself.
    """
    if administrative_power is not None:
        return "administrative_power"
    if not on_matter_list:
        return "not_on_matter_list"
    if not resolvable_in_grid:
        return "not_resolvable_in_grid"
    return None
