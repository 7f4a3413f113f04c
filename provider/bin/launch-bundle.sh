# Shared by the provider launchers (sourced, never run): rebuild the bundle if a source file changed, then exec node on it.
# The caller sets: root (repository root), entry (TS entry point), bundle (output .cjs or .mjs). All absolute paths.
# exec matters: core SIGKILLs the pid it started; a shell left in between would orphan node holding core's pipes.

# Builtins only (no fork): the check runs on every launch, and Terraform launches 3-5 times per command.
bundle_is_stale() {
  [ -f "$bundle" ] && [ -f "$bundle.sources.sh" ] || return 0
  . "$bundle.sources.sh"
  command -v bundle_sources_changed >/dev/null || return 0
  bundle_sources_changed
}

if bundle_is_stale; then
  # Build output goes to stderr: stdout belongs to the go-plugin handshake.
  "$root/node_modules/.bin/tsx" "$root/scripts/build-provider.ts" --entry "$entry" --out "$bundle" >&2 \
    || echo "terraform provider launcher: building $bundle failed" >&2
fi
if [ ! -f "$bundle" ]; then
  echo "terraform provider launcher: no provider bundle at $bundle (build it with: node --import tsx scripts/build-provider.ts)" >&2
  exit 1
fi
# Node 22.1+ keeps V8's compiled code for the bundle here (Node 20 ignores the variable).
NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-${bundle%/*}/.compile-cache}
export NODE_COMPILE_CACHE
# Node parses every certificate of NODE_EXTRA_CA_CERTS at start-up (about 70 ms for a system bundle), before the
# handshake. The provider's client applies the bundle itself, and only to an https endpoint.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  ATONIX_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export ATONIX_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
exec node "$bundle" "$@"
