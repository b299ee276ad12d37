import { t } from './i18n/i18n.svelte.ts';

/** "12 s" or "2 min 5 s", in the interface language. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('time.seconds', { n: s });
  return t('time.minutes', { m: Math.floor(s / 60), s: s % 60 });
}

export function formatDate(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
