// The offline engine as one set of providers, the last resort when no provider of a kind
// is active. Handed to provider-records by the app, so server/providers/ never imports it.
import type { Providers } from '../providers/providers.ts';
import { createOfflineImageProvider, createOfflineVideoProvider } from './media-providers.ts';
import type { RenderPool } from './render/render-pool.ts';
import { createOfflineSpeechProvider } from './speech/espeak.ts';
import { createOfflineTextProvider } from './text-provider.ts';

export function createOfflineProviders(opts: { tokenDelayMs: number; stepDelayMs: number; clipWidth?: number; renderPool: RenderPool }): Providers {
  return {
    text: createOfflineTextProvider({ tokenDelayMs: opts.tokenDelayMs }),
    image: createOfflineImageProvider({ stepDelayMs: opts.stepDelayMs, renderPool: opts.renderPool }),
    video: createOfflineVideoProvider({ stepDelayMs: opts.stepDelayMs, clipWidth: opts.clipWidth }),
    audio: createOfflineSpeechProvider(),
  };
}
