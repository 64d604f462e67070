"""Marketer accounts: who may sign in to the dashboard.

``users.py`` creates accounts and checks passwords; ``store.py`` is the only
Redis caller here. Advocates have no account: their share page is opened by
an unguessable token (see links/advocates.py).
"""
