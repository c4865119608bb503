"""党建带群建: whether a unit's Party organisation leads and supports its trade union, Youth League,
women's committee and 关工委 (packs ``dangjian``)."""

from __future__ import annotations

from functools import partial
from importlib.resources import files
from types import SimpleNamespace

from compliance.domains import form, template
from compliance.domains.dangjian.facts import derive, fact_schema
from compliance.domains.dangjian.profile import Profile
from compliance.domains.dangjian.quality import QUALITY_CHECKS, assess
from compliance.engine.domain import Domain

TITLE = "党建带群建"


def addressee(profile: Profile) -> str:
    """A notice goes to the unit's Party organisation: 市水利局机关党委 (市水利局党组织 when its type is not given)."""
    kind = profile.party.type if profile.party is not None else None
    return f"{profile.unit.name}{kind or '党组织'}"


DOMAIN = Domain(
    key="dangjian",
    title=TITLE,
    issuer="市直机关工委",
    profile_model=Profile,
    derive=derive,
    fact_schema=fact_schema,
    packs={"dangjian": files("compliance.packs") / "dangjian.yaml"},
    assess=assess,
    quality_checks=QUALITY_CHECKS,
    template=partial(template.yaml_template, Profile, TITLE, "dangjian"),
    form=SimpleNamespace(
        write=partial(template.write_xlsx_template, Profile, TITLE),
        read=partial(form.read_form_cells, Profile),
    ),
    addressee=addressee,
)
