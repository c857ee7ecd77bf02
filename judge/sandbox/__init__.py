"""The sandboxes the judge runs programs in (see backend.py for the seam)."""

SANDBOXES = ("local", "docker", "none")  # the sandbox backends by name, as `--sandbox` takes them
