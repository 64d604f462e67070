"""Webhooks: subscriptions to events, delivered signed, in order, from a queue in Redis.

An event is queued in the same pipeline as the write that caused it
(``events.enqueue``), or, for clicks, in the click writer's batch
(``events.plan_click_events``); nothing is sent from the request that
caused it. ``delivery`` sends the queues, ``subscriptions`` is what the API
calls, ``targets`` refuses private addresses and ``signing`` signs.
"""
