"""``compliance serve``: a local web application on the 整改台账 database, with accounts and roles.

- ``adapter``: every call into the pipeline, report, form and ledger code (the one place to swap them).
- ``security``: Argon2 passwords, CSRF tokens, login throttling, security headers and the body-size cap.
- ``app``: the Starlette application (sessions, error pages, who is logged in); pages live in
  ``pages_unit`` (单位), ``pages_inspector`` (督查) and ``pages_admin`` (管理员).
- ``demo``: the shipped fixtures loaded into a fresh ledger with demo accounts.
"""
