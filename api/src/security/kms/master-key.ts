// The master key that wraps every key version's material at rest: ATONIX_MASTER_KEY, or (unset) a key file made once
// in the data dir, mode 0600, with a warning at every start (as Vault's dev mode warns), since whoever reads that
// file, or a copy of the data dir, can unwrap every key.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';

export const MASTER_KEY_FILE = 'kms-master.key';

/** One master key per platform: loaded (and its warning logged) once, whoever asks first (keys or access keys). */
const loaded = new WeakMap<object, Buffer>();
export function masterKeyOf(config: Pick<Config, 'masterKey' | 'dataDir'>, log: Logger): Buffer {
  let key = loaded.get(config);
  if (!key) loaded.set(config, (key = loadMasterKey(config, log)));
  return key;
}

/** The master key for this process: from the configuration, else the data dir's key file (created if missing). */
export function loadMasterKey(config: Pick<Config, 'masterKey' | 'dataDir'>, log: Logger): Buffer {
  if (config.masterKey) return config.masterKey;
  const path = join(config.dataDir, MASTER_KEY_FILE);
  const created = createOnce(config.dataDir, path);
  const key = readKeyFile(path);
  log.warn(
    { path, created },
    'ATONIX_MASTER_KEY is unset: KMS key material is wrapped by the master key in this file. Anyone who can read ' +
      'it (or a copy of the data dir) can decrypt with every key; every replica needs the same key. Set ' +
      'ATONIX_MASTER_KEY (openssl rand -base64 32) from a secret store in production, and back the key up: without ' +
      'it no key can be used again.',
  );
  return key;
}

/**
 * Writes a fresh key to a private temporary file and links it into place, which fails if another process (or the
 * worker thread) got there first: the key file is never seen half written and never replaced.
 */
function createOnce(dir: string, path: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    statSync(path);
    return false;
  } catch {
    // not there yet
  }
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600); // whatever the umask did
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function readKeyFile(path: string): Buffer {
  const text = readFileSync(path, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32)
    throw new Error(`The KMS master key file ${path} does not hold the base64 of 32 bytes; restore it from a backup.`);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new Error(
      `The KMS master key file ${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it and start again.`,
    );
  return key;
}
