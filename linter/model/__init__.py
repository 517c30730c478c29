"""The model of an image: filesystem nodes with provenance, users and groups, who can write what."""
