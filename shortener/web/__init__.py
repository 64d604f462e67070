"""Pages and endpoints outside the API: redirect, share page, health."""
