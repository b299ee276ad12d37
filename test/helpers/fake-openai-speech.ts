// POST /v1/audio/speech for the fake OpenAI server: real audio, made here. The answer is a
// WAV (16-bit mono, 22,050 Hz, not the rate the app works at, so it must really decode it)
// holding a tone whose pitch follows the voice and whose length follows the text:
// `speechSecondsOf(input, speed)`, so a test knows each line's duration in advance.

/** A 400 the fake answers instead of audio. */
export interface SpeechRejection {
  message: string;
  param: string;
}

export function invalidSpeechRequest(body: unknown): SpeechRejection | null {
  const b = body as Partial<Record<string, unknown>> | null;
  if (!b || typeof b !== 'object') return { message: 'The request body must be a JSON object.', param: 'body' };
  if (typeof b.input !== 'string' || !b.input) return { message: "Missing required parameter: 'input'.", param: 'input' };
  if (typeof b.model !== 'string' || !b.model) return { message: "Missing required parameter: 'model'.", param: 'model' };
  if (typeof b.voice !== 'string' || !b.voice) return { message: "Missing required parameter: 'voice'.", param: 'voice' };
  if (b.response_format !== undefined && b.response_format !== 'wav') return { message: 'The fake OpenAI server speaks WAV only.', param: 'response_format' };
  if (b.speed !== undefined && (typeof b.speed !== 'number' || b.speed < 0.25 || b.speed > 4)) return { message: "'speed' must be from 0.25 to 4.", param: 'speed' };
  return null;
}

const RATE = 22_050;

/** How long the fake reads `input`: 0.1 s per character (code point) at speed 1, at least 0.5 s. */
export function speechSecondsOf(input: string, speed = 1): number {
  return Math.max(0.5, Math.round(([...input].length * 0.1 * 100) / speed) / 100);
}

export function speak(body: { input: string; voice: string; speed?: number }): Buffer {
  const samples = Math.round(speechSecondsOf(body.input, body.speed) * RATE);
  const pitch = 180 + ([...body.voice].reduce((a, c) => a + c.codePointAt(0)!, 0) % 200);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * pitch * i) / RATE)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
