// What an admin may put in a provider record. Admins are trusted with the product, not with
// the server's environment or network: a record names a key variable the operator set aside
// for providers, and a URL on the public internet (loopback only where the operator allows it).
import { addressProblem, ipLiteralOf, type AddressPolicy } from './address-policy.ts';

/** Prefix of the environment variables an operator sets aside for provider keys. */
export const PROVIDER_KEY_PREFIX = 'PROVIDER_KEY_';
/** The one other key variable: the operator's own, which the seeded providers use. */
export const SEEDED_KEY_ENV = 'OPENAI_API_KEY';

export const KEY_ENV_RULE = `must be ${SEEDED_KEY_ENV} or the NAME of an environment variable starting with ${PROVIDER_KEY_PREFIX} (A-Z, 0-9, _), never the key itself`;

/** Whether a record may read its key from this variable. */
export function isAllowedKeyEnv(name: string): boolean {
  return name === SEEDED_KEY_ENV || new RegExp(`^${PROVIDER_KEY_PREFIX}[A-Z0-9_]{1,100}$`).test(name);
}

export const BASE_URL_RULE =
  'must be an https URL on a public host, such as https://api.openai.com/v1 (http and loopback hosts only with PROVIDER_ALLOW_LOOPBACK)';

/**
 * Why `raw` cannot be a provider's base URL, or null when it can. A host name passes here
 * and is checked again, after DNS resolution, on every connection (guarded-dispatcher.ts).
 */
export function baseUrlProblem(raw: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol}`;
  if (url.username || url.password) return 'credentials in the URL';
  if (!url.hostname) return 'no host';
  const literal = ipLiteralOf(url.hostname);
  const loopbackName = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
  if (url.protocol === 'http:' && !(policy.allowLoopback && (loopbackName || literal !== null))) return 'plain http';
  if (literal !== null) return addressProblem(literal, url.protocol, policy);
  return null;
}
