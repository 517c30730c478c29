"""Reading base images from their registries (OCI distribution API): where credentials come from (`auth`), the
client that fetches an image's index, manifest, config and layer headers, and the per-digest profile cache. Nothing
here is imported on the lint path unless a base image has to be fetched; the HTTP library is imported only by the
fetching code."""
