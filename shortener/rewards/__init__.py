"""Rewards: tiers of a campaign reached by an advocate's accepted conversions.

``granting`` creates a reward once per advocate and tier; ``review`` moves
its status (pending, approved, paid, or rejected) and lists and exports
them; ``store`` is the only Redis caller here.
"""
