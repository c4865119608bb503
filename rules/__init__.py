"""The rule packs shipped with compliance (installed as the package ``compliance.packs``)."""
