/**
 * Opens a page in headless Chromium (Debian's `chromium`, installed by `npm run tools`) and reports
 * what a user would see: every console error, uncaught exception and failed load, values computed
 * in the page, and a full-page PNG. Talks the Chrome DevTools Protocol over Node's built-in
 * WebSocket: unlike `--dump-dom` and grepping `--enable-logging` output, the protocol reports each
 * error as an event, says when the page has loaded, and lets a test click and read the page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The chromium binary on PATH, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return undefined;
}

export interface PageVisit {
  /** Console errors, uncaught exceptions and failed resource loads, in order. */
  errors: string[];
  /** The value of each expression evaluated after load (and after the previous ones ran). */
  values: unknown[];
  png: Buffer;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** Loads `url` offline at 1280 × `height` px, runs `expressions` in the page, and screenshots it. */
export async function visitPage(chromium: string, url: string, expressions: readonly string[], height = 2000): Promise<PageVisit> {
  const profile = mkdtempSync(join(tmpdir(), 'nasflow-chromium-'));
  const proc = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      `--window-size=1280,${height}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools endpoint in 30 s:\n${text}`)), 30_000);
      proc.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.on('exit', (code) => reject(new Error(`chromium exited (${code}) before listening:\n${text}`)));
    });
    return await drive(endpoint, url, expressions, height);
  } finally {
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('close', r).once('error', r));
    rmSync(profile, { recursive: true, force: true });
  }
}

async function drive(endpoint: string, url: string, expressions: readonly string[], height: number): Promise<PageVisit> {
  const ws = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot connect to ${endpoint}`));
  });
  let next = 0;
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const errors: string[] = [];
  let loaded: () => void = () => undefined;
  ws.onmessage = (ev: MessageEvent) => {
    const msg = JSON.parse(String(ev.data)) as CdpMessage;
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result ?? {});
      return;
    }
    const params = msg.params ?? {};
    if (msg.method === 'Page.loadEventFired') loaded();
    if (msg.method === 'Runtime.exceptionThrown') errors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
    if (msg.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert'))
      errors.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
    if (msg.method === 'Log.entryAdded' && (params.entry as { level?: string } | undefined)?.level === 'error')
      errors.push(`log: ${JSON.stringify(params.entry)}`);
  };
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await send(`${domain}.enable`, {}, sessionId);
    // Offline: a page that needs a CDN fails to load it, and the failure is reported as an error.
    await send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: 1280, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const load = new Promise<void>((resolve) => (loaded = resolve));
    await send('Page.navigate', { url }, sessionId);
    await load;
    const values: unknown[] = [];
    for (const expression of expressions) {
      const r = (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value?: unknown }; exceptionDetails?: unknown };
      if (r.exceptionDetails) errors.push(`evaluate ${expression}: ${JSON.stringify(r.exceptionDetails)}`);
      values.push(r.result.value);
    }
    const shot = (await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId)) as { data: string };
    return { errors, values, png: Buffer.from(shot.data, 'base64') };
  } finally {
    ws.close();
  }
}
