// The model provider of the soak: the fake OpenAI server of the tests (test/helpers), answering
// like a model by what each system prompt asks for (a story, a storyboard as JSON, camera
// shots as JSON), streaming at a model's pace, and drawing faults at random while loading:
// 429 with retry-after, 500/503, and streams cut early or late.
import { createFakeOpenAI, type FakeOpenAI, type Fault } from '../../test/helpers/fake-openai.ts';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';

const STORY_ZH =
  '从前，山脚下有一座小小的灯塔。守塔的老人每晚点亮灯火，为迷路的船只指引方向。一天夜里，暴风雨来了，海浪拍打着礁石，' +
  '老人提着灯爬上塔顶。远处有一艘小船在浪里摇晃，他把灯举得更高。天亮的时候，渔夫们把船停在岸边，向灯塔挥手。🌊';
const STORY_EN =
  'Once upon a time a lighthouse stood at the foot of a hill. Every night the keeper lit the lamp for lost ships. ' +
  'One night a storm came in from the sea, and the waves broke over the rocks. The keeper climbed the stairs with his lantern ' +
  'and held it high, and far out a small boat turned towards the light. At dawn the fishermen waved from the harbour.';

const textOf = (content: unknown): string => (typeof content === 'string' ? content : '');

/** Answers like a model would, by what the system prompt asks for. */
function respond(request: ChatCompletionCreateParams): string {
  const system = textOf(request.messages[0]?.content);
  const user = textOf(request.messages.at(-1)?.content);
  const zh = /\p{Script=Han}/u.test(user);
  if (system.includes('storyboard artist')) {
    const count = Number(/exactly (\d+) consecutive scenes/.exec(system)?.[1] ?? 5);
    return JSON.stringify({
      scenes: Array.from({ length: count }, (_, i) => ({
        index: i,
        narration: zh ? `第${i + 1}幕：${user.slice(0, 16)}` : `Scene ${i + 1}: ${user.slice(0, 40)}`,
        visualPrompt: zh ? `灯塔与海，暴风雨中的第${i + 1}幕` : `a lighthouse in a storm, scene ${i + 1}`,
        durationSeconds: 4,
      })),
    });
  }
  if (system.includes('director of photography')) {
    let scenes: Array<{ index: number }> = [];
    try {
      scenes = (JSON.parse(user) as { scenes: Array<{ index: number }> }).scenes;
    } catch {
      scenes = [{ index: 0 }];
    }
    return JSON.stringify({ shots: scenes.map((s) => ({ sceneIndex: s.index, movement: 'zoom-in', description: `slow push towards scene ${s.index + 1}` })) });
  }
  return zh ? STORY_ZH : STORY_EN;
}

/** The faults drawn while loading. */
const FAULTS: Fault[] = [
  { status: 429, retryAfterSeconds: 1 },
  { status: 500 },
  { status: 503 },
  { cutAfterChunks: 2 },
  { cutAfterChunks: 30 },
];

export interface SoakProvider {
  readonly fake: FakeOpenAI;
  /** Starts (rate > 0) or stops drawing faults. */
  faults(rate: number): void;
  /** Faults played so far, by kind ("429", "500", "503", "cut stream"), and requests served. */
  counts(): { requests: number; faults: Record<string, number> };
  close(): Promise<void>;
}

export async function startSoakProvider(random: () => number): Promise<SoakProvider> {
  // About 1 s per story and 2 s per storyboard: long enough for cancels and kills to land mid-stream.
  const fake = await createFakeOpenAI({ chunkSize: 4, chunkDelayMs: 15 });
  fake.chat.respond(respond);
  return {
    fake,
    faults(rate) {
      fake.randomFaults(rate > 0 ? { rate, faults: FAULTS, routes: ['chat', 'images', 'videos.create', 'videos.retrieve'], random } : null);
    },
    counts() {
      const faults: Record<string, number> = {};
      for (const r of fake.requests) {
        if (!r.fault) continue;
        const kind = 'status' in r.fault ? String(r.fault.status) : 'cutAfterChunks' in r.fault ? 'cut stream' : 'other';
        faults[kind] = (faults[kind] ?? 0) + 1;
      }
      return { requests: fake.requests.length, faults };
    },
    close: () => fake.close(),
  };
}
