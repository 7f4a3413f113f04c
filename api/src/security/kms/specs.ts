// What each key spec is and may do (AWS KMS's table): its usages, and the algorithms of each operation.
export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'HMAC_256',
] as const;
export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export type KeySpec = (typeof KEY_SPECS)[number];
export type KeyUsage = (typeof KEY_USAGES)[number];

export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';
export type SigningAlgorithm =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256';
export type MacAlgorithm = 'HMAC_SHA_256';

const RSA_SIGNING: SigningAlgorithm[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPTION: EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

export interface SpecInfo {
  family: 'aes' | 'rsa' | 'ec' | 'hmac';
  usages: KeyUsage[];
  /** RSA modulus bits */
  bits?: number;
  encryption: EncryptionAlgorithm[];
  signing: SigningAlgorithm[];
  mac: MacAlgorithm[];
  /** automatic and on-demand rotation (AWS rotates symmetric encryption keys only) */
  rotates: boolean;
}

const rsa = (bits: number): SpecInfo => ({
  family: 'rsa',
  bits,
  usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  encryption: RSA_ENCRYPTION,
  signing: RSA_SIGNING,
  mac: [],
  rotates: false,
});

export const SPECS: Record<KeySpec, SpecInfo> = {
  SYMMETRIC_DEFAULT: {
    family: 'aes',
    usages: ['ENCRYPT_DECRYPT'],
    encryption: ['SYMMETRIC_DEFAULT'],
    signing: [],
    mac: [],
    rotates: true,
  },
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
  ECC_NIST_P256: {
    family: 'ec',
    usages: ['SIGN_VERIFY'],
    encryption: [],
    signing: ['ECDSA_SHA_256'],
    mac: [],
    rotates: false,
  },
  HMAC_256: {
    family: 'hmac',
    usages: ['GENERATE_VERIFY_MAC'],
    encryption: [],
    signing: [],
    mac: ['HMAC_SHA_256'],
    rotates: false,
  },
};

/** The algorithms a key of `spec` and `usage` offers, as GetPublicKey and DescribeKey list them. */
export function algorithmsOf(spec: KeySpec, usage: KeyUsage) {
  const s = SPECS[spec];
  return {
    encryption_algorithms: usage === 'ENCRYPT_DECRYPT' ? s.encryption : [],
    signing_algorithms: usage === 'SIGN_VERIFY' ? s.signing : [],
    mac_algorithms: usage === 'GENERATE_VERIFY_MAC' ? s.mac : [],
  };
}

/** The hash of a signing algorithm, by node:crypto's name, and its digest length in bytes. */
export function hashOf(alg: SigningAlgorithm): { name: 'sha256' | 'sha384' | 'sha512'; bytes: number } {
  if (alg.endsWith('384')) return { name: 'sha384', bytes: 48 };
  if (alg.endsWith('512')) return { name: 'sha512', bytes: 64 };
  return { name: 'sha256', bytes: 32 };
}
