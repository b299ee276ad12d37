const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** A `lang` value for generated text: the model answers in its input's language. */
export function detectLang(text: string | null | undefined, fallback: string): string {
  if (!text) return fallback;
  return CJK.test(text.slice(0, 400)) ? 'zh-CN' : 'en';
}

/** Whether a media URL is a real video (else it is shown as an image, e.g. a provider's GIF clip). */
export function isVideoUrl(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return /\.(mp4|webm)$/i.test(path);
}
