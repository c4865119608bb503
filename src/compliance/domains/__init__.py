"""Domains: one standard each (profile model, derived facts, quality checks, templates, packs).

Each domain package defines a :class:`compliance.engine.domain.Domain` named ``DOMAIN`` and registers
it under the entry point group ``compliance.domains`` in ``pyproject.toml``. ``toolkit``, ``template``
and ``form`` are the parts domains share.
"""
