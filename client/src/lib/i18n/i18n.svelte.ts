import { LOCALES, MESSAGES, format, matchLocale, type Locale, type MessageKey } from './messages.ts';

const KEY = 'story-pipeline.locale';

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    // storage disabled: follow the browser
  }
  return matchLocale(globalThis.navigator?.language);
}

function applyToDocument(value: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = value;
}

const initial = initialLocale();
let locale = $state<Locale>(initial);
applyToDocument(initial);

/** The interface language: follows `navigator.language` until the user picks one. */
export const i18n = {
  get locale(): Locale {
    return locale;
  },
  set locale(value: Locale) {
    locale = value;
    applyToDocument(value);
    try {
      globalThis.localStorage?.setItem(KEY, value);
    } catch {
      // not persisted; still switched for this visit
    }
  },
};

/** The message for `key` in the current language (reactive in templates and $derived). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(MESSAGES[locale][key], params, locale);
}
