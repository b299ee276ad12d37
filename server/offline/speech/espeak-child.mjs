// Runs in a child process (espeak.ts spawns it): reads one line of text on stdin, speaks it
// with eSpeak NG's WebAssembly build, and writes the WAV to stdout. Synthesis is CPU-bound;
// here it never blocks the server's event loop, and a cancel kills the process.
// Usage: node espeak-child.mjs <voice> <words per minute>
import ESpeakNg from 'espeak-ng';

const [voice, wpm] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
// A leading dash would read as an option.
const text = Buffer.concat(chunks).toString('utf8').replace(/^[\s-]+/, '');
const errors = [];
const espeak = await ESpeakNg({
  arguments: ['-v', voice, '-s', wpm, '-w', '/line.wav', text],
  print: () => {},
  printErr: (line) => errors.push(line),
});
let wav;
try {
  wav = espeak.FS.readFile('/line.wav');
} catch {
  process.stderr.write(errors.join('\n') || 'no audio');
  process.exit(2);
}
process.stdout.write(wav);
