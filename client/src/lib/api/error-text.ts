import { t } from '../i18n/i18n.svelte.ts';
import { MESSAGES, type MessageKey } from '../i18n/messages.ts';
import { errorCodes, errorMessage } from './errors.ts';

function isMessageKey(key: string): key is MessageKey {
  return key in MESSAGES.en;
}

/** A failed operation in the user's language, with the server's own message after it. */
export function describeError(error: unknown): string {
  if (!error) return '';
  const code = errorCodes(error)[0];
  const e = error as { networkError?: unknown };
  const codeKey = `error.${code}`;
  if (!code && e.networkError) return t('error.network');
  const summary = code && isMessageKey(codeKey) ? t(codeKey) : t('error.unknown');
  const detail = errorMessage(error);
  return detail && detail !== summary ? `${summary} ${detail}` : summary;
}
