// Picks the model providers from the configuration: the OpenAI API (or a compatible
// server) when a key is set, otherwise the offline provider.
import type { Config } from '../config.ts';
import type { Providers } from '../stages/stage.ts';
import { createOfflineImageProvider, createOfflineVideoProvider } from './offline-media.ts';
import { createOfflineTextProvider } from './offline-text.ts';
import { createOpenAIImageProvider, createOpenAIVideoProvider } from './openai-media.ts';
import { createOpenAITextProvider } from './openai-text.ts';

export function selectProviders(config: Config): Providers {
  if (config.openaiApiKey) {
    const base = { apiKey: config.openaiApiKey, baseURL: config.openaiBaseUrl };
    return {
      text: createOpenAITextProvider({ ...base, model: config.textModel }),
      image: createOpenAIImageProvider({ ...base, model: config.imageModel }),
      video: createOpenAIVideoProvider({ ...base, model: config.videoModel, pollIntervalMs: config.videoPollIntervalMs }),
    };
  }
  return {
    text: createOfflineTextProvider({ tokenDelayMs: config.offlineTokenDelayMs }),
    image: createOfflineImageProvider({ stepDelayMs: config.offlineStepDelayMs }),
    video: createOfflineVideoProvider({ stepDelayMs: config.offlineStepDelayMs }),
  };
}
