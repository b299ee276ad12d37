// Which network addresses a model provider may live at. A provider's URL is set by an admin,
// so without this rule the server would send its keys and every user's prompts wherever that
// URL points: cloud metadata (169.254.169.254), the database, Redis, anything on the private
// network. Only public unicast addresses pass; loopback passes too when the operator allows
// it for development (PROVIDER_ALLOW_LOOPBACK), and plain http only to loopback.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /** Loopback addresses (127/8, ::1) are allowed, and http: to them. @default false */
  allowLoopback: boolean;
}

/** The IP range an address falls in (ipaddr.js's names), an IPv4-mapped IPv6 address as its IPv4. */
function rangeOf(address: string): string | null {
  if (isIP(address) === 0) return null; // strict: no legacy forms such as 0x7f.1
  return ipaddr.process(address).range();
}

/**
 * Why `address` (an IP literal) may not be connected to with `protocol`, or null when it may.
 * Everything that is not public unicast is refused: private, carrier-grade NAT, link-local,
 * unique-local, unspecified, multicast, reserved and the IPv6 ranges that embed an IPv4
 * address (6to4, Teredo, NAT64), whose IPv4 half could be any of those.
 */
export function addressProblem(address: string, protocol: string, policy: AddressPolicy): string | null {
  const range = rangeOf(address);
  if (range === null) return `${address} is not an IP address`;
  if (range === 'loopback') return policy.allowLoopback ? null : `${address} is a loopback address (allowed only with PROVIDER_ALLOW_LOOPBACK)`;
  if (range !== 'unicast') return `${address} is a ${range} address, not a public one`;
  if (protocol !== 'https:') return `plain ${protocol} is allowed only to a loopback address`;
  return null;
}

/** The host of a URL as an IP literal (IPv6 without its brackets), or null for a name. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? null : bare;
}
