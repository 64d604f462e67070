"""The catalogue: campaigns, advocates and links."""
