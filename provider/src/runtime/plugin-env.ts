// What the go-plugin client tells a plugin through its environment, and the checks a plugin makes before serving.

/** Terraform's handshake cookie (same value in OpenTofu); its absence means someone ran the binary by hand. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const PROTOCOL_VERSION = 6;

export type PluginEnv = { ok: true; clientCertPem?: string } | { ok: false; message: string };

export function readPluginEnv(env: NodeJS.ProcessEnv): PluginEnv {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return {
      ok: false,
      message:
        'This program is a Terraform provider plugin. It is started by Terraform (or OpenTofu), not by hand:\n' +
        'run `terraform init` / `terraform plan` in a configuration that uses this provider instead.\n' +
        'To keep one provider process running for many terraform commands, start it with --attach.\n',
    };
  }
  // Core lists the app-protocol versions it accepts, in any order ("5,6" or "6,5"); unset means "whatever you speak".
  const offered = env.PLUGIN_PROTOCOL_VERSIONS;
  if (
    offered &&
    !offered
      .split(',')
      .map((v) => v.trim())
      .includes(String(PROTOCOL_VERSION))
  ) {
    return {
      ok: false,
      message: `This provider speaks plugin protocol ${PROTOCOL_VERSION} (Terraform 1.0 or later); the caller offers only "${offered}".\n`,
    };
  }
  // AutoMTLS: core passes its client certificate and then dials with TLS. TF_DISABLE_PLUGIN_TLS is read by core
  // and we inherit core's environment, so when it is set core dials in plaintext even if a stray
  // PLUGIN_CLIENT_CERT is inherited from the user's shell.
  const cert = env.PLUGIN_CLIENT_CERT;
  return { ok: true, clientCertPem: cert && !env.TF_DISABLE_PLUGIN_TLS ? cert : undefined };
}

/** Routes every later stdout write (console.log, process.stdout.write) to stderr: stdout is go-plugin's handshake channel. */
export function guardStdout(): void {
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => process.stderr });
}

export function handshakeLine(socketPath: string, certDer: Uint8Array | undefined): string {
  // go-plugin decodes the certificate with RawStdEncoding, which rejects '=' padding.
  const cert = certDer ? Buffer.from(certDer).toString('base64').replace(/=+$/, '') : '';
  return `1|${PROTOCOL_VERSION}|unix|${socketPath}|grpc|${cert}\n`;
}
