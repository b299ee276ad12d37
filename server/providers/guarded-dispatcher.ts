// The one way out to a model provider: an undici Agent whose connector checks the address
// it is about to connect to, after DNS resolution, on every new connection. Checking the URL
// when an admin saves it is not enough: a name can resolve to a public address then and to
// 127.0.0.1 or 169.254.169.254 later (DNS rebinding). Handed to the SDK's fetch as its
// `dispatcher`; redirects are not followed (see openai-client.ts).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { addressProblem, ipLiteralOf, type AddressPolicy } from './address-policy.ts';

/** A connection refused because of where it would go; the task fails with PROVIDER_ADDRESS_REFUSED. */
export class AddressRefusedError extends Error {
  constructor(
    readonly hostname: string,
    readonly reason: string,
  ) {
    super(`refused to connect to ${hostname}: ${reason}`);
    this.name = 'AddressRefusedError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves every address of the name and refuses the
 * connection when any of them is not allowed (a name with one bad address is a bad name).
 */
function guardedLookup(protocol: string, policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.map((a) => addressProblem(a.address, protocol, policy)).find((p) => p !== null);
      if (refused || addresses.length === 0) return callback(new AddressRefusedError(hostname, refused ?? 'no address'), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export function createGuardedDispatcher(policy: AddressPolicy): Agent {
  const byProtocol = {
    'https:': buildConnector({ lookup: guardedLookup('https:', policy) }),
    'http:': buildConnector({ lookup: guardedLookup('http:', policy) }),
  };
  return new Agent({
    connect(options, callback) {
      const connector = byProtocol[options.protocol as keyof typeof byProtocol];
      if (!connector) return callback(new AddressRefusedError(options.hostname, `${options.protocol} is not http(s)`), null);
      // net.connect skips `lookup` for an IP literal: check it here.
      const literal = ipLiteralOf(options.hostname);
      const problem = literal === null ? null : addressProblem(literal, options.protocol, policy);
      if (problem) return callback(new AddressRefusedError(options.hostname, problem), null);
      connector(options, callback);
    },
  });
}
