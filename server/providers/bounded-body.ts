// Reads a provider's response body up to a cap, counting as it streams, so an oversized
// answer is refused without ever being held whole in memory.
import { ProviderError } from './provider-error.ts';

export function tooLarge(what: string, maxBytes: number, detail: string): ProviderError {
  return new ProviderError('PROVIDER_OUTPUT_TOO_LARGE', `The model provider's ${what} was larger than the ${formatBytes(maxBytes)} allowed.`, false, undefined, detail);
}

export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${Math.round((bytes / (1 << 20)) * 10) / 10} MiB` : `${bytes} bytes`;
}

/** The body's bytes; a ProviderError PROVIDER_OUTPUT_TOO_LARGE past `maxBytes` (the rest is not read). */
export async function readBounded(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(what, maxBytes, `content-length ${declared} > ${maxBytes}`);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(what, maxBytes, `more than ${maxBytes} bytes streamed`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts, total);
}
