""""How did you hear about us?": what customers say after purchase, beside what was measured.

- ``choices``: the answers a customer can give and how they map onto the
  channel taxonomy (pure);
- ``translations``: the widget's words per language, as data;
- ``embed``: the snippet a shop pastes into its thank-you page (pure);
- ``store``: the survey token and the answers in Redis (the only Redis caller here);
- ``answers``: record_answer(), the single entry the widget and the API call.

Figures are read by ``shortener.analytics.survey``.
"""
