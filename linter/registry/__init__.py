"""Base images read from their registries (the OCI distribution API), cached per manifest digest; `auth` finds
the credentials docker and podman stored.

`settings` (what the user asked: offline, platform, insecure registries, mirrors, bounds) and `lookup` (a profile
for a reference, from the cache or the registry, or the reason there is none) are on the lint path and import only
the standard library; `client` (httpx) is imported only when a registry is really asked.
"""
