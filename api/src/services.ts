// The services this platform serves; each lists its kinds' manifests in its index.ts.
import { ai } from './ai/index.js';
import { automation } from './automation/index.js';
import { cdn } from './cdn/index.js';
import { compute } from './compute/index.js';
import type { Service } from './platform/manifest.js';
import { monitoring } from './monitoring/index.js';
import { networking } from './networking/index.js';
import { security } from './security/index.js';
import { storage } from './storage/index.js';
import { system } from './system/index.js';

export const services: Service[] = [system, compute, networking, storage, security, automation, monitoring, cdn, ai];
