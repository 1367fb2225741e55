// The shapes of Berth's bearer secrets. Personal access tokens and robot secrets carry their record id
// so a server finds the record without scanning; the random part is only ever stored hashed.
// Clients that insist on Hugging Face's `hf_` prefix may send `hf_<token>`.
import { randomBytes } from 'node:crypto';
import { newSecret } from './secrets.js';

/** A parsed bearer secret. */
export type ParsedCredential = { kind: 'pat'; id: string; secret: string } | { kind: 'robot'; id: number; secret: string };

const PAT = /^berth_pat_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ROBOT = /^berth_robot_([0-9]{1,15})_([A-Za-z0-9_-]{43})$/;

/** A new personal access token: its id and the full token string shown once. */
export function newPersonalToken(): { id: string; token: string; secret: string } {
  const id = randomBytes(8).toString('hex');
  const secret = newSecret();
  return { id, secret, token: `berth_pat_${id}_${secret}` };
}

/** The full robot secret string for robot `id` (shown once). */
export function robotSecret(id: number, secret = newSecret()): { token: string; secret: string } {
  return { secret, token: `berth_robot_${id}_${secret}` };
}

/** Recognises a PAT or robot secret (optionally `hf_`-prefixed); null for anything else. */
export function parseCredential(value: string): ParsedCredential | null {
  const token = value.startsWith('hf_') ? value.slice(3) : value;
  const pat = PAT.exec(token);
  if (pat) return { kind: 'pat', id: pat[1]!, secret: pat[2]! };
  const robot = ROBOT.exec(token);
  if (robot) return { kind: 'robot', id: Number(robot[1]), secret: robot[2]! };
  return null;
}
