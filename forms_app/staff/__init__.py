"""The staff side: logins and roles (accounts.py, access.py), the case workflow (workflow.py), the
queue and case pages (views.py), and the `flask --app forms_app staff ...` commands (cli.py)."""
