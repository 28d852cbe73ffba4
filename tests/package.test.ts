// The published shape: `npm run build` produces every file the exports map names, both module
// formats load and expose the public names, and a strict TypeScript consumer compiles against
// the emitted declarations through the package's own exports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string> | string> };
const require = createRequire(import.meta.url);

const PUBLIC_NAMES: Record<string, string[]> = {
  '.': ['AssistantStream', 'AssistantEventHandler', 'AssistantStreamError', 'AssistantsClient', 'accumulateDelta'],
  './machines': ['assistantStreamMachine', 'runMachine', 'runStepMachine', 'messageMachine', 'toolCallMachine', 'pollMachine'],
  './server': ['createServer'],
  './testing': ['makeRun', 'makeMessage', 'makeRunStep', 'toSSE', 'runLifecyclePaths'],
  './inspect': ['createInspector', 'createFrameSender', 'createFrameObserver', 'InspectorStore', 'sanitize'],
  './restate': ['createAssistantThreadObject', 'toolOutputsSignal', 'ReplayedStepError', 'FAILURE_CODES'],
  './otel': ['createTelemetry', 'TelemetryTargetError', 'ATTR', 'METRIC', 'GEN_AI_CONVENTIONS_VERSION'],
};

test.before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
});

test('every file of the exports map is built', () => {
  for (const [subpath, targets] of Object.entries(pkg.exports)) {
    for (const file of typeof targets === 'string' ? [targets] : Object.values(targets)) {
      assert.ok(existsSync(join(root, file)), `${subpath} → ${file}`);
    }
  }
  assert.equal(Object.keys(PUBLIC_NAMES).sort(), Object.keys(pkg.exports).filter((key) => key !== './package.json').sort(), 'every entry point is checked below');
});

test('both module formats load every entry point with its public names', async () => {
  for (const [subpath, names] of Object.entries(PUBLIC_NAMES)) {
    const targets = pkg.exports[subpath] as Record<string, string>;
    const cjs = require(join(root, targets['require']!)) as Record<string, unknown>;
    const esm = (await import(pathToFileURL(join(root, targets['import']!)).href)) as Record<string, unknown>;
    for (const name of names) {
      assert.ok(cjs[name] !== undefined, `require('${subpath}').${name}`);
      assert.ok(esm[name] !== undefined, `import('${subpath}').${name}`);
    }
  }
});

test('OpenTelemetry is optional: only the /otel entry and the CLI\'s --otel chunk import it, and no semantic-conventions import is left', () => {
  const staticImports = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/^import[^'"]*["']([^'"]+)["']|require\(["']([^'"]+)["']\)/gm)].map((match) => match[1] ?? match[2]!);
  // What loading `file` loads: its static imports, and those of the chunks it imports, transitively.
  const loaded = (file: string, seen = new Set<string>()): string[] => {
    if (seen.has(file)) return [];
    seen.add(file);
    return staticImports(file).flatMap((name) => (name.startsWith('.') ? loaded(join(file, '..', name), seen) : [name]));
  };
  for (const file of ['dist/esm/index.js', 'dist/esm/server.js', 'dist/esm/cli.js', 'dist/cjs/index.cjs', 'dist/cjs/server.cjs']) {
    assert.equal(loaded(file).filter((name) => name.startsWith('@opentelemetry/')), [], file);
  }
  assert.ok(staticImports('dist/esm/otel.js').includes('@opentelemetry/api'));
  for (const file of ['dist/esm/otel.js', 'dist/cjs/otel.cjs']) {
    assert.not.ok(readFileSync(join(root, file), 'utf8').includes('@opentelemetry/semantic-conventions"'), `${file}: the conventions' names are inlined`);
  }
  // The CLI loads without reaching for any of it (its --otel chunk is imported on demand).
  const help = execFileSync(process.execPath, [join(root, 'dist/esm/cli.js'), 'serve', '--help'], { encoding: 'utf8' });
  assert.match(help, /--otel \[URL\]/);
});

test('a strict TypeScript consumer compiles against the declarations', () => {
  compileConsumer(
    [],
    `import { AssistantStream, AssistantEventHandler, AssistantsClient, type Run, type TextDelta } from 'assistant-machines';
import { runMachine } from 'assistant-machines/machines';
import { createServer } from 'assistant-machines/server';
import { makeRun } from 'assistant-machines/testing';
import { createInspector, type Inspector } from 'assistant-machines/inspect';
import { createTelemetry, type AssistantTelemetry } from 'assistant-machines/otel';
const telemetry: AssistantTelemetry = createTelemetry({ captureContent: false });
void createServer({ telemetry: telemetry.server });
const inspector: Promise<Inspector> = createInspector({ port: 0 });
void inspector;
class Printer extends AssistantEventHandler {
  override onTextDelta(delta: TextDelta): void { void delta.value; }
}
const stream: AssistantStream = AssistantStream.fromSSE(new Response(''), { handler: new Printer() });
const run: Promise<Run> = stream.finalRun();
void run; void runMachine; void createServer; void makeRun({ status: 'completed' }); void AssistantsClient;
`,
  );
});

// Restate's SDK declares Node's http2 in its types: its users have @types/node, so this one does.
test('a strict TypeScript consumer of the Restate adapter compiles', () => {
  compileConsumer(
    ['node'],
    `import { AssistantsClient } from 'assistant-machines';
import { createAssistantThreadObject, type DurableRunState } from 'assistant-machines/restate';
const thread = createAssistantThreadObject({ client: new AssistantsClient({ baseURL: 'http://127.0.0.1:1/v1', apiKey: 'k' }), tools: { add: ({ a, b }: { a: number; b: number }) => a + b } });
const state: DurableRunState | null = null;
void thread; void state;
`,
  );
});

function compileConsumer(types: string[], source: string): void {
  const consumer = mkdtempSync(join(tmpdir(), 'assistant-machines-consumer-'));
  try {
    mkdirSync(join(consumer, 'node_modules'));
    symlinkSync(root, join(consumer, 'node_modules', 'assistant-machines'), 'dir');
    if (types.includes('node')) symlinkSync(join(root, 'node_modules', '@types'), join(consumer, 'node_modules', '@types'), 'dir');
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, lib: ['ES2022', 'DOM'], types } }),
    );
    writeFileSync(join(consumer, 'index.ts'), source);
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', consumer], { stdio: 'pipe' });
  } finally {
    rmSync(consumer, { recursive: true, force: true });
  }
}

test.run();
