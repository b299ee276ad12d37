// The offline engine speaks of languages as every provider does (server/providers/language.ts).
export { detectLanguage, isHan, type Language } from '../../providers/language.ts';
