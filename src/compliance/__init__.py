"""compliance: rule-based checks of organizational standards (first domain: 党建带群建)."""

__version__ = "0.1.0"
