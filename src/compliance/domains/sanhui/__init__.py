"""三会一课: a Party branch's organisational life in the check year — 支部党员大会, 支委会, 党小组会, 党课,
主题党日, 组织生活会, 民主评议党员, 党费 and 按期换届 (pack ``sanhui``)."""

from __future__ import annotations

from functools import partial
from importlib.resources import files
from types import SimpleNamespace

from compliance.domains import form, template
from compliance.domains.sanhui.facts import derive, fact_schema
from compliance.domains.sanhui.profile import Profile
from compliance.domains.sanhui.quality import QUALITY_CHECKS, assess
from compliance.engine.domain import Domain

TITLE = "三会一课"


def addressee(profile: Profile) -> str:
    """A notice goes to the Party branch: its own name, else 市审计局党支部."""
    branch = profile.branch.name if profile.branch is not None else None
    return branch or f"{profile.unit.name}党支部"


DOMAIN = Domain(
    key="sanhui",
    title=TITLE,
    issuer="市直机关工委",
    profile_model=Profile,
    derive=derive,
    fact_schema=fact_schema,
    packs={"sanhui": files("compliance.packs") / "sanhui.yaml"},
    assess=assess,
    quality_checks=QUALITY_CHECKS,
    template=partial(template.yaml_template, Profile, TITLE, "sanhui"),
    form=SimpleNamespace(
        write=partial(template.write_xlsx_template, Profile, TITLE),
        read=partial(form.read_form_cells, Profile),
    ),
    addressee=addressee,
)
