// A refused hand edit as a sentence a person can act on: which scene or shot, which field,
// and the rule, in the interface language. The API names the field as a path
// (`input.output.scenes[0].durationSeconds`) and the rule in English; the path becomes the
// labels the form shows, a known rule becomes the interface's own words, and an unknown one
// is shown as the API wrote it (it is a rule, never a field name). Other errors are
// describeError's.
import { t } from '../i18n/i18n.svelte.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { describeError } from './error-text.ts';
import { errorCodes } from './errors.ts';

const FIELD_LABELS: Record<string, MessageKey> = {
  text: 'edit.text',
  narration: 'edit.narration',
  visualPrompt: 'edit.visualPrompt',
  durationSeconds: 'edit.duration',
  movement: 'edit.movement',
  description: 'edit.description',
};

/** The form's labels for an API field path, or null when the path is not an output's field. */
function placeOf(field: string): string | null {
  const m = /^input\.output(?:\.(scenes|shots)(?:\[(\d+)\])?)?(?:\.(\w+))?$/.exec(field);
  if (!m) return null;
  const [, list, index, name] = m;
  const parts: string[] = [];
  if (list && index !== undefined) parts.push(t(list === 'scenes' ? 'edit.scene' : 'edit.shot', { n: Number(index) + 1 }));
  if (name && FIELD_LABELS[name]) parts.push(t(FIELD_LABELS[name]));
  else if (name) return null;
  return parts.join(' — ') || null;
}

/** The rule in the interface's words when it is one the form can break; else the API's own. */
function ruleOf(rule: string): string {
  if (/number of seconds/.test(rule)) return t('edit.rule.seconds');
  if (/non-empty string/.test(rule)) return t('edit.rule.required');
  if (/must be at most/.test(rule)) return t('edit.rule.tooLong');
  if (/must have 1 to 20 scenes/.test(rule)) return t('edit.rule.sceneCount');
  if (/one shot for each of the (\d+) scenes/.test(rule)) return t('edit.rule.shotCount', { n: Number(/(\d+) scenes/.exec(rule)![1]) });
  return rule;
}

export function describeEditError(error: unknown): string {
  const graphQLErrors = (error as { graphQLErrors?: Array<{ message: string; extensions?: { field?: unknown } }> } | null)?.graphQLErrors ?? [];
  const first = graphQLErrors[0];
  const field = typeof first?.extensions?.field === 'string' ? first.extensions.field : null;
  if (errorCodes(error)[0] !== 'BAD_USER_INPUT' || !first || !field) return describeError(error);
  const place = placeOf(field);
  const rule = first.message.startsWith(`${field}: `) ? first.message.slice(field.length + 2) : first.message;
  return place ? t('edit.error', { place, rule: ruleOf(rule) }) : describeError(error);
}
