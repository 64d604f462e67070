"""Fraud review: risk flags on each conversion, and the review that accepts or rejects it.

``rules`` says what each flag means (pure: no Redis, no clock); ``store``
keeps the evidence the flags are read from (visitor hashes of the day, never
an address) and is the only Redis caller here besides the status script;
``assessing`` flags a conversion as it is recorded; ``review`` lists the
conversions held for review and moves their status.
"""
