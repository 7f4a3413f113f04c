# Shared by the provider launchers (sourced, never run): rebuild the bundle if a source file changed, then exec node on it.
# The caller sets: root (repository root), entry (TS entry point), bundle (output .mjs). All absolute paths.
# exec matters: core SIGKILLs the pid it started; a shell left in between would orphan node holding core's pipes.

bundle_is_stale() {
  [ -f "$bundle" ] && [ -f "$bundle.inputs.sh" ] || return 0
  . "$bundle.inputs.sh"
  # find prints the first input newer than the bundle, or an error for a missing input: either means rebuild.
  [ -n "$(bundle_inputs -newer "$bundle" -print -quit 2>&1)" ]
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
exec node "$bundle"
