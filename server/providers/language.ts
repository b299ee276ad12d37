/**
 * Whether a text is Chinese or English: the offline provider answers in it, and NARRATION
 * picks a voice by it.
 * Each Han character is counted against Latin-script letters: a Chinese sentence
 * quoting "JavaScript" still counts as Chinese, while an English sentence naming
 * 北京 stays English.
 */
export type Language = 'zh' | 'en';

const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;

/** Share of Han among letters at or above which the text is Chinese. */
const CHINESE_SHARE = 0.2;

export function detectLanguage(text: string): Language {
  let han = 0;
  let letters = 0;
  for (const char of text) {
    if (HAN.test(char)) {
      han++;
      letters++;
    } else if (LETTER.test(char)) {
      letters++;
    }
  }
  if (han === 0) return 'en';
  return han / letters >= CHINESE_SHARE ? 'zh' : 'en';
}

/** True for a single Han character (the unit Chinese text is wrapped and tokenised by). */
export function isHan(char: string): boolean {
  return HAN.test(char);
}
