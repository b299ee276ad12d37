import { i18n, t } from '../i18n/i18n.svelte.ts';
import { MESSAGES, type MessageKey } from '../i18n/messages.ts';
import { STAGE_NAMES } from '../stages.ts';
import { errorCodes, errorMessage } from './errors.ts';

function isMessageKey(key: string): key is MessageKey {
  return key in MESSAGES.en;
}

/** Stage names the server's message mentions, as the interface calls them. */
function stagesIn(text: string): string[] {
  return STAGE_NAMES.filter((s) => new RegExp(`\\b${s}\\b`).test(text)).map((s) => t(`stage.${s}` as MessageKey));
}

const list = (items: string[]) => items.join(i18n.locale === 'zh-CN' ? '、' : ', ');

/**
 * The sentence for a known case, from the code and what the server's message says (it is
 * read, never shown: it names API fields and enum values a person should not have to know).
 */
function knownCase(code: string, detail: string): string | null {
  switch (code) {
    case 'PRECONDITION_FAILED': {
      if (/originalText|originalTopic|needs material/.test(detail)) return t('error.needsMaterial');
      const needed = /needs the output of ([^;.]+)/.exec(detail);
      const stages = needed ? stagesIn(needed[1]!) : [];
      return stages.length ? t('error.needsStage', { stage: list(stages) }) : null;
    }
    case 'INSUFFICIENT_CREDITS': {
      const m = /costs (\d+) credits?; your balance is (-?\d+)/.exec(detail);
      return m ? t('error.insufficientCredits', { cost: t('credits.value', { n: Number(m[1]) }), balance: t('credits.value', { n: Number(m[2]) }) }) : null;
    }
    case 'CONFLICT': {
      const running = /^(.*?) (?:is|are) already running/.exec(detail);
      const stages = running ? stagesIn(running[1]!) : [];
      return stages.length ? t('error.alreadyRunning', { stages: list(stages) }) : null;
    }
    case 'FORBIDDEN':
      return /share link/i.test(detail) ? t('error.readOnly') : null;
    case 'BAD_USER_INPUT':
      return /must be at most/.test(detail) ? t('error.tooLong') : null;
    default:
      return null;
  }
}

/** A failed operation as a sentence in the user's language: what happened, and what to do. */
export function describeError(error: unknown): string {
  if (!error) return '';
  const code = errorCodes(error)[0];
  const e = error as { networkError?: unknown };
  if (!code) return e.networkError ? t('error.network') : t('error.unknown');
  const known = knownCase(code, errorMessage(error));
  if (known) return known;
  const codeKey = `error.${code}`;
  return isMessageKey(codeKey) ? t(codeKey) : t('error.unknown');
}
